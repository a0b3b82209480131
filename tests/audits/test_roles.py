"""The audits part of the role matrix, declared in audits/apps.py through isova.tenancy."""

import pytest

from audits import services
from audits.models import Audit, Finding
from isova.accounts.tenancy import has_perm
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .conftest import plan, start

# operation → roles allowed (leader, manager, staff, auditor)
MATRIX = {
    "audits.audit.view": "LMSA",
    "audits.audit.plan": "LM A",
    "audits.audit.report": "LM A",
    "audits.audit.close": "LM A",
    "audits.finding.raise": "LM A",
    "audits.finding.respond": "LM  ",
    "audits.finding.assign": "LM  ",
    "audits.finding.verify": "LM A",
    "audits.finding.close": "LM A",
    "audits.process.manage": "LM  ",
    "audits.settings.edit": "L   ",
}
ROLES = {"L": "leader", "M": "manager", "S": "staff", "A": "auditor"}


@pytest.mark.parametrize("perm", MATRIX)
@pytest.mark.parametrize("letter", ROLES)
def test_each_role_may_do_exactly_its_audit_operations(org, perm, letter):
    membership = membership_of(org.user(ROLES[letter]), org.organisation)
    assert has_perm(membership, perm) == (letter in MATRIX[perm])


def test_an_auditor_edits_a_running_audit_and_corrects_a_finding(org, finding, as_user):
    audit = finding.audit
    client = as_user(org.auditor)
    data = {
        "title": "Production, both shifts",
        "audit_type": "internal",
        "process": audit.process_id,
        "lead_auditor": org.auditor.pk,
        "team": [org.staff.pk],
        "planned_date": audit.planned_date.isoformat(),
    }
    assert client.post(f"/audits/{audit.pk}/edit/", data).status_code == 302
    audit = Audit.objects.get(pk=audit.pk)
    assert audit.title == "Production, both shifts"
    assert list(audit.team.all()) == [org.staff]
    data = {
        "finding_type": "observation",
        "clause": "8.5.2",
        "process": "",
        "description": "Traceability labels are handwritten.",
        "evidence": "Batch 24-1187 label.",
    }
    assert client.post(f"/audits/findings/{finding.pk}/edit/", data).status_code == 302
    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.finding_type, finding.clause) == ("observation", "8.5.2")
    assert (finding.response_due - finding.raised_on).days == 90


def test_staff_cannot_edit_audits_or_findings(org, finding, as_user):
    client = as_user(org.staff)
    assert client.get(f"/audits/{finding.audit.pk}/edit/").status_code == 403
    assert client.get(f"/audits/findings/{finding.pk}/edit/").status_code == 403


def test_staff_see_the_step_results_but_no_step_forms(org, finding, as_user):
    page = as_user(org.staff).get(f"/audits/findings/{finding.pk}/").content.decode()
    assert "Not recorded yet." in page
    assert "Save containment" not in page
    assert "Assign action" not in page


def test_a_reported_audit_cannot_be_edited_through_the_form(org, process, as_user):
    audit = start(org, plan(org, process=process, summary="s", conclusion="c"))
    services.audit_report(
        membership=membership_of(org.auditor, org.organisation), audit=audit, password=PASSWORD
    )
    data = {
        "title": "Rewritten",
        "audit_type": "internal",
        "process": process.pk,
        "lead_auditor": org.auditor.pk,
        "planned_date": audit.planned_date.isoformat(),
    }
    response = as_user(org.auditor).post(f"/audits/{audit.pk}/edit/", data)
    assert response.status_code == 200
    assert "can no longer change" in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).title != "Rewritten"
