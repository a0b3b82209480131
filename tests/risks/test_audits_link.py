"""A finding's "does this change our risks?" names risks of the register, or raises one."""

from audits.models import Finding
from risks.models import Risk
from tests.audits.conftest import plan, raise_finding, start
from tests.risks.conftest import raise_risk
from tests.risks.test_pages import risk_post


def _finding(org):
    return raise_finding(org, start(org, plan(org)))


def test_a_manager_names_register_risks_in_the_finding_decision(org, as_user):
    finding = _finding(org)
    risk = raise_risk(org)
    response = as_user(org.manager).post(
        f"/audits/findings/{finding.pk}/risks/",
        {"changes_risks": "yes", "risks": [risk.pk], "note": ""},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.risk_changes is True and list(finding.risks.all()) == [risk]
    page = as_user(org.auditor).get(finding.get_absolute_url()).content.decode()
    assert risk.reference in page


def test_another_organisations_risk_cannot_be_named(org, other_org, as_user):
    finding = _finding(org)
    theirs = raise_risk(other_org)
    response = as_user(org.manager).post(
        f"/audits/findings/{finding.pk}/risks/",
        {"changes_risks": "yes", "risks": [theirs.pk], "note": ""},
    )
    assert response.status_code == 422
    finding.refresh_from_db()
    assert finding.risk_changes is None and not finding.risks.exists()


def test_a_new_risk_raised_from_a_finding_is_prefilled_and_linked(org, as_user):
    finding = _finding(org)
    client = as_user(org.manager)
    page = client.get(f"/risks/new/?finding={finding.pk}").content.decode()
    assert "Work instruction WI-7" in page
    client.post(f"/risks/new/?finding={finding.pk}", risk_post(org, findings=[finding.pk]))
    risk = Risk.objects.get()
    assert list(risk.findings.all()) == [finding]
    assert Finding.objects.get(pk=finding.pk).risks.get() == risk
