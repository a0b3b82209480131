"""The 10.2 path of a finding, through the services: each step, and closing only when done."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from audits import services
from audits.models import AuditSettings, FindingStatus, FindingType
from isova.actions import services as actions
from isova.errors import DomainError, WrongPassword
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .conftest import assign, complete, raise_finding, respond, verify


def close(org, finding, by=None):
    by = by or org.auditor
    return services.finding_close(membership=membership_of(by, org.organisation), finding=finding)


def test_a_nonconformity_closes_after_every_step_of_10_2(org, finding):
    finding = respond(org, finding)
    action = assign(org, finding)
    complete(org, action)
    finding = verify(org, finding)
    assert finding.status == FindingStatus.VERIFIED
    finding = close(org, finding)
    assert finding.status == FindingStatus.CLOSED
    assert finding.closed_on == org.organisation.today()
    assert finding.closed_by == org.auditor


def test_recording_a_step_moves_an_open_finding_in_progress(org, finding):
    assert finding.status == FindingStatus.OPEN
    finding = services.finding_record_containment(
        membership=membership_of(org.manager, org.organisation),
        finding=finding,
        containment="Quarantined batch 24-1187.",
    )
    assert finding.status == FindingStatus.IN_PROGRESS
    assert finding.containment_by == org.manager


def test_close_is_refused_without_verified_effectiveness(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    with pytest.raises(services.AuditError, match="Verify the effectiveness"):
        close(org, finding)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_close_is_refused_without_the_risk_decision(org, finding):
    finding = respond(org, finding, risk=None)
    complete(org, assign(org, finding))
    finding = verify(org, finding)
    with pytest.raises(services.AuditError, match="changes your risks"):
        close(org, finding)


def test_close_is_refused_while_an_action_is_not_done_and_names_it(org, finding):
    finding = respond(org, finding)
    assign(org, finding, title="Retrain operators")
    with pytest.raises(services.AuditError, match="“Retrain operators”"):
        close(org, finding)


def test_close_of_a_nonconformity_lists_every_missing_step(org, finding):
    with pytest.raises(services.AuditError) as error:
        close(org, finding)
    message = str(error.value)
    for missing in ("containment", "root cause", "corrective action", "risks", "effectiveness"):
        assert missing in message


def test_cancelled_actions_do_not_count_towards_closing(org, finding):
    finding = respond(org, finding)
    done = assign(org, finding, title="Post WI-7")
    dropped = assign(org, finding, title="Buy a new printer")
    complete(org, done)
    actions.action_set_status(
        membership=membership_of(org.manager, org.organisation),
        action=dropped,
        status="cancelled",
        version=dropped.version,
    )
    finding = verify(org, finding)
    assert close(org, finding).status == FindingStatus.CLOSED


def test_an_observation_closes_with_its_risk_decision_and_no_effectiveness_check(
    org, running_audit
):
    finding = raise_finding(org, running_audit, FindingType.OBSERVATION)
    with pytest.raises(services.AuditError, match="risks"):
        close(org, finding)
    services.finding_record_risk_decision(
        membership=membership_of(org.manager, org.organisation),
        finding=finding,
        changes_risks=False,
    )
    assert close(org, finding).status == FindingStatus.CLOSED


def test_a_closed_finding_is_not_closed_twice_nor_changed(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    finding = close(org, verify(org, finding))
    with pytest.raises(services.AuditError, match="already closed"):
        close(org, finding)
    with pytest.raises(services.AuditError, match="closed"):
        services.finding_record_containment(
            membership=membership_of(org.manager, org.organisation),
            finding=finding,
            containment="Something else",
        )


def test_the_owner_of_an_action_cannot_verify_its_effectiveness(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding, owner=org.leader))
    with pytest.raises(PermissionDenied, match="someone else"):
        verify(org, finding, by=org.leader)
    finding.refresh_from_db()
    assert finding.effective is None


def test_staff_cannot_verify_effectiveness(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding, owner=org.manager))
    with pytest.raises(PermissionDenied):
        verify(org, finding, by=org.staff)


def test_effectiveness_is_not_verified_before_the_actions_are_done(org, finding):
    finding = respond(org, finding)
    assign(org, finding, title="Post WI-7")
    with pytest.raises(services.AuditError, match="not done yet"):
        verify(org, finding)


def test_effectiveness_is_not_verified_before_the_set_date(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    later = org.organisation.today() + datetime.timedelta(days=30)
    services.finding_plan_effectiveness_check(
        membership=membership_of(org.manager, org.organisation),
        finding=finding,
        check_after=later,
    )
    with pytest.raises(services.AuditError, match="planned for"):
        verify(org, finding)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)):
        assert verify(org, finding).effective is True


def test_effectiveness_needs_a_corrective_action(org, finding):
    respond(org, finding)
    with pytest.raises(services.AuditError, match="at least one corrective action"):
        verify(org, finding)


def test_a_wrong_password_signs_nothing_and_saves_nothing(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    with pytest.raises(WrongPassword):
        services.finding_verify_effectiveness(
            membership=membership_of(org.leader, org.organisation),
            finding=finding,
            effective=True,
            note="Checked",
            password="not the password",
        )
    finding.refresh_from_db()
    assert finding.effective is None
    assert finding.status == FindingStatus.IN_PROGRESS


def test_not_effective_sends_the_finding_back_for_more_action(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    finding = verify(org, finding, effective=False)
    assert finding.status == FindingStatus.IN_PROGRESS
    assert finding.effective is False
    with pytest.raises(services.AuditError, match="Verify the effectiveness"):
        close(org, finding)
    second = assign(org, finding, title="Laminate WI-7 and fix it to the guard")
    complete(org, second)
    assert verify(org, finding).status == FindingStatus.VERIFIED


def test_a_new_action_after_verification_needs_a_new_check(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    verify(org, finding)
    finding.refresh_from_db()
    assign(org, finding, title="One more thing")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_yes_to_changed_risks_needs_the_risk_named(org, finding):
    with pytest.raises(services.AuditError, match="Name the risk"):
        services.finding_record_risk_decision(
            membership=membership_of(org.manager, org.organisation),
            finding=finding,
            changes_risks=True,
            note="  ",
        )


def test_five_whys_needs_the_first_answer(org, finding):
    with pytest.raises(services.AuditError, match="first"):
        services.finding_record_root_cause(
            membership=membership_of(org.manager, org.organisation),
            finding=finding,
            method="five_whys",
            whys=["", ""],
            root_cause="Unknown",
        )


def test_free_text_root_cause_keeps_no_whys(org, finding):
    finding = services.finding_record_root_cause(
        membership=membership_of(org.manager, org.organisation),
        finding=finding,
        method="free_text",
        whys=["ignored"],
        root_cause="The supplier changed the drawing without telling us.",
    )
    assert finding.root_cause_whys == []


def test_auditors_raise_findings_but_staff_cannot(org, running_audit):
    assert raise_finding(org, running_audit).raised_by == org.auditor
    with pytest.raises(PermissionDenied):
        services.finding_raise(
            membership=membership_of(org.staff, org.organisation),
            audit=running_audit,
            finding_type="minor",
            clause="8.5.1",
            description="x",
            evidence="y",
        )


def test_managers_assign_corrective_actions_but_auditors_cannot(org, finding):
    action = assign(org, finding)
    assert action.source == finding
    assert action.assigned_by == org.manager
    with pytest.raises(PermissionDenied):
        services.finding_assign_action(
            membership=membership_of(org.auditor, org.organisation),
            finding=finding,
            title="x",
            owner=org.staff,
        )


def test_auditors_cannot_record_the_response(org, finding):
    with pytest.raises(PermissionDenied):
        services.finding_record_containment(
            membership=membership_of(org.auditor, org.organisation),
            finding=finding,
            containment="x",
        )


def test_staff_update_only_their_own_corrective_actions(org, finding):
    mine = assign(org, finding, owner=org.staff)
    theirs = assign(org, finding, owner=org.manager, title="Review WI register")
    assert complete(org, mine).status == "done"
    with pytest.raises(PermissionDenied):
        actions.action_set_status(
            membership=membership_of(org.staff, org.organisation),
            action=theirs,
            status="done",
            version=theirs.version,
        )


def test_an_action_owner_outside_the_organisation_is_refused(org, other_org, finding):
    with pytest.raises(DomainError, match="member"):
        assign(org, finding, owner=other_org.staff)


@pytest.mark.parametrize(
    ("finding_type", "days"),
    [
        (FindingType.MAJOR, 30),
        (FindingType.MINOR, 60),
        (FindingType.OBSERVATION, 90),
        (FindingType.OFI, 90),
    ],
)
def test_response_due_follows_the_default_sla_per_type(org, running_audit, finding_type, days):
    finding = raise_finding(org, running_audit, finding_type)
    assert finding.response_due == finding.raised_on + datetime.timedelta(days=days)


def test_response_due_follows_the_organisations_own_sla(org, other_org, running_audit):
    services.settings_update(
        membership=membership_of(org.leader, org.organisation),
        sla_major_days=7,
        sla_minor_days=21,
    )
    major = raise_finding(org, running_audit, FindingType.MAJOR)
    minor = raise_finding(org, running_audit, FindingType.MINOR)
    ofi = raise_finding(org, running_audit, FindingType.OFI)
    assert (major.response_due - major.raised_on).days == 7
    assert (minor.response_due - minor.raised_on).days == 21
    assert (ofi.response_due - ofi.raised_on).days == 90  # unchanged default
    assert AuditSettings.for_org(other_org.organisation).sla_major_days == 30


def test_changing_the_type_recomputes_the_response_date(org, finding):
    finding = services.finding_update(
        membership=membership_of(org.auditor, org.organisation),
        finding=finding,
        finding_type=FindingType.MAJOR,
    )
    assert (finding.response_due - finding.raised_on).days == 30


def test_only_leaders_change_response_times(org):
    with pytest.raises(PermissionDenied):
        services.settings_update(
            membership=membership_of(org.manager, org.organisation), sla_major_days=10
        )


def test_findings_are_numbered_within_their_audit(org, running_audit):
    first = raise_finding(org, running_audit)
    second = raise_finding(org, running_audit)
    assert (first.number, second.number) == (1, 2)
    assert second.reference == f"{running_audit.reference}/2"


def test_verifying_is_signed_with_the_password(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    # a wrong password is refused (see above); the right one records the check
    finding = services.finding_verify_effectiveness(
        membership=membership_of(org.auditor, org.organisation),
        finding=finding,
        effective=True,
        note="Checked three times",
        password=PASSWORD,
    )
    assert finding.effectiveness_by == org.auditor


@pytest.mark.parametrize(
    "step", ["containment", "root-cause", "actions", "check-date", "risks", "verify"]
)
def test_a_finding_step_refuses_staff_before_reading_the_form(org, finding, as_user, step):
    response = as_user(org.staff).post(f"/audits/findings/{finding.pk}/{step}/", {})
    assert response.status_code == 403
