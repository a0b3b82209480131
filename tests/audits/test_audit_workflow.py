"""Audit statuses: planned → in progress → reported (signed "issued") → closed, nothing else."""

import pytest
from django.core.exceptions import PermissionDenied

from audits import services
from audits.models import Audit, AuditStatus
from isova.errors import WrongPassword
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .conftest import assign, complete, plan, raise_finding, respond, start, verify


def write_report(org, audit):
    return services.audit_update(
        membership=membership_of(org.auditor, org.organisation),
        audit=audit,
        summary="Production follows its plan; one minor gap in work instructions.",
        conclusion="The process is effective.",
    )


def issue(org, audit, password=PASSWORD, by=None):
    return services.audit_report(
        membership=membership_of(by or org.auditor, org.organisation),
        audit=audit,
        password=password,
    )


def close(org, audit):
    return services.audit_close(
        membership=membership_of(org.auditor, org.organisation), audit=audit
    )


def test_an_audit_goes_from_planned_to_closed(org, process):
    audit = plan(org, process=process)
    assert audit.status == AuditStatus.PLANNED
    audit = start(org, audit)
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.started_on == org.organisation.today()
    audit = issue(org, write_report(org, audit))
    assert audit.status == AuditStatus.REPORTED
    assert audit.reported_on == org.organisation.today()
    audit = close(org, audit)
    assert audit.status == AuditStatus.CLOSED


def test_audits_are_numbered_by_type_and_year(org):
    first = plan(org)
    second = plan(org, audit_type="supplier", area="Acme Castings")
    year = org.organisation.today().year
    assert first.reference == f"IA-{year}-01"
    assert second.reference == f"SA-{year}-02"


def test_a_planned_audit_cannot_issue_a_report_or_close(org):
    audit = plan(org, summary="s", conclusion="c")
    with pytest.raises(services.AuditError, match="Only an audit in progress"):
        issue(org, audit)
    with pytest.raises(services.AuditError, match="planned cannot become closed"):
        close(org, audit)


def test_an_audit_in_progress_cannot_start_again_or_close(org, running_audit):
    with pytest.raises(services.AuditError, match="in progress cannot become in progress"):
        start(org, running_audit)
    with pytest.raises(services.AuditError, match="cannot become closed"):
        close(org, running_audit)


def test_a_report_needs_a_summary_and_a_conclusion(org, running_audit):
    with pytest.raises(services.AuditError, match="summary") as error:
        issue(org, running_audit)
    assert "conclusion" in str(error.value)


def test_a_wrong_password_does_not_issue_the_report(org, running_audit):
    audit = write_report(org, running_audit)
    with pytest.raises(WrongPassword):
        issue(org, audit, password="wrong")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.reported_on is None


def test_an_issued_report_no_longer_changes_nor_takes_findings(org, running_audit):
    audit = issue(org, write_report(org, running_audit))
    with pytest.raises(services.AuditError, match="can no longer change"):
        services.audit_update(
            membership=membership_of(org.auditor, org.organisation), audit=audit, title="New"
        )
    with pytest.raises(services.AuditError, match="in progress"):
        raise_finding(org, audit)


def test_findings_are_raised_only_once_the_audit_has_started(org):
    audit = plan(org)
    with pytest.raises(services.AuditError, match="planned"):
        raise_finding(org, audit)


def test_an_audit_closes_only_when_its_findings_are_closed(org, running_audit):
    finding = raise_finding(org, running_audit)
    audit = issue(org, write_report(org, running_audit))
    with pytest.raises(services.AuditError, match=f"{finding.reference}"):
        close(org, audit)
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    services.finding_close(
        membership=membership_of(org.manager, org.organisation), finding=verify(org, finding)
    )
    assert close(org, audit).status == AuditStatus.CLOSED


def test_a_closed_audit_moves_nowhere(org, running_audit):
    audit = close(org, issue(org, write_report(org, running_audit)))
    for move in (lambda: start(org, audit), lambda: close(org, audit)):
        with pytest.raises(services.AuditError, match="closed cannot become"):
            move()


def test_staff_cannot_plan_start_or_issue(org, process):
    staff = membership_of(org.staff, org.organisation)
    with pytest.raises(PermissionDenied):
        services.audit_plan(
            membership=staff,
            title="x",
            audit_type="internal",
            process=process,
            lead_auditor=org.auditor,
            planned_date=org.organisation.today(),
        )
    audit = plan(org, process=process)
    with pytest.raises(PermissionDenied):
        services.audit_start(membership=staff, audit=audit)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.PLANNED


def test_the_lead_auditor_must_belong_to_the_organisation(org, other_org):
    with pytest.raises(services.AuditError, match="members"):
        plan(org, lead_auditor=other_org.auditor)


def test_another_organisations_process_is_refused(org, other_org):
    from audits.models import Process

    theirs = Process.objects.create(organisation=other_org.organisation, name="Sales")
    with pytest.raises(services.AuditError, match="processes"):
        plan(org, process=theirs)
