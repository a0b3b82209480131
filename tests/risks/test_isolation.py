"""Another organisation's risks, processes, people, objectives and findings: 404 or refused."""

import pytest

from audits.models import Process
from isova.models import Action
from risks.models import Risk
from tests.risks.conftest import raise_risk
from tests.risks.test_pages import risk_post


@pytest.fixture
def theirs(other_org):
    return raise_risk(other_org, title="Rival secret risk")


@pytest.mark.parametrize(
    "path", ["/risks/{pk}/", "/risks/{pk}/edit/", "/risks/{pk}/review/", "/risks/{pk}/plan/new/"]
)
def test_every_risk_url_with_another_organisations_id_answers_404(org, theirs, as_user, path):
    client = as_user(org.leader)
    assert client.get(path.format(pk=theirs.pk)).status_code == 404
    assert client.post(path.format(pk=theirs.pk), {}).status_code == 404


def test_the_record_endpoints_do_not_reach_another_organisations_risk(org, theirs, as_user):
    client = as_user(org.leader)
    assert client.post(f"/records/risks.risk/{theirs.pk}/submit/").status_code == 404
    assert (
        client.post(f"/records/risks.risk/{theirs.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )


def test_the_register_heat_map_and_export_show_nothing_of_another_organisation(
    org, theirs, as_user
):
    client = as_user(org.leader)
    for url in (
        "/risks/",
        "/risks/heat-map/",
        "/risks/export/",
        f"/risks/?owner={theirs.owner_id}",
    ):
        body = client.get(url).content
        assert b"Rival secret risk" not in body, url


def test_a_form_naming_another_organisations_owner_process_objective_or_finding_saves_nothing(
    org, other_org, as_user
):
    process = Process.objects.create(organisation=other_org.organisation, name="Their process")
    client = as_user(org.manager)
    for bad in (
        {"owner": other_org.manager.pk},
        {"process": process.pk},
        {"objectives": [999999]},
        {"findings": [999999]},
    ):
        response = client.post("/risks/new/", risk_post(org, **bad))
        assert response.status_code == 422, bad
    assert not Risk.objects.filter(organisation=org.organisation).exists()


def test_a_plan_action_for_another_organisations_member_is_refused(org, other_org, as_user):
    risk = raise_risk(org)
    response = as_user(org.manager).post(
        f"/risks/{risk.pk}/plan/new/",
        {"title": "X", "owner": other_org.staff.pk, "due_date": "2030-01-01", "priority": "medium"},
    )
    assert response.status_code == 422
    assert not Action.objects.exists()


def test_a_cell_filter_of_another_organisation_lists_only_our_risks(org, theirs, as_user):
    del theirs
    page = as_user(org.leader).get("/risks/?likelihood=3&impact=3&status=live").content.decode()
    assert "Rival secret risk" not in page


def test_a_new_risk_prefilled_from_another_organisations_finding_answers_404(
    org, other_org, as_user
):
    from tests.audits.conftest import plan, raise_finding, start

    audit = start(other_org, plan(other_org))
    finding = raise_finding(other_org, audit)
    assert as_user(org.manager).get(f"/risks/new/?finding={finding.pk}").status_code == 404
