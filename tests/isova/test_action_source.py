"""A new action can serve an objective or a finding (any ActionSource), chosen in the form
from the organisation's own records; the user returns where they came from and reads who
was told."""

import datetime

import pytest

from audits.models import Finding
from isova.models import Action, action_source_models
from objectives.models import Objective, Status
from tests.audits.conftest import plan, raise_finding, start
from tests.objectives.conftest import add_values, make_objective


def _post(client, source="", next_url="", **extra):
    data = {
        "title": "Add a second planner",
        "owner": extra.pop("owner"),
        "due_date": "2026-12-15",
        "priority": "high",
        "source": source,
        "next": next_url,
        **extra,
    }
    return client.post("/actions/new/", data)


def test_the_kinds_of_source_are_every_model_that_owns_actions():
    assert {Objective, Finding} <= set(action_source_models())


def test_the_form_offers_this_organisations_open_objectives_and_findings_only(
    org, other_org, as_user
):
    mine = make_objective(org.organisation, org.manager, title="On-time delivery")
    make_objective(org.organisation, org.manager, title="Old one", status=Status.ACHIEVED)
    make_objective(other_org.organisation, other_org.manager, title="Their objective")
    finding = raise_finding(org, start(org, plan(org)))
    html = as_user(org.manager).get("/actions/new/").content.decode()
    assert '<optgroup label="Objectives">' in html
    assert f'<option value="objectives.objective:{mine.pk}">On-time delivery</option>' in html
    assert f'<option value="audits.finding:{finding.pk}">{finding}</option>' in html
    assert "Their objective" not in html and "Old one" not in html


def test_a_source_given_in_the_address_is_preselected(org, as_user):
    objective = make_objective(org.organisation, org.manager)
    html = (
        as_user(org.manager)
        .get(f"/actions/new/?source=objectives.objective:{objective.pk}&next=/objectives/")
        .content.decode()
    )
    assert f'<option value="objectives.objective:{objective.pk}" selected>' in html
    assert '<input type="hidden" name="next" value="/objectives/">' in html


def test_saving_links_the_source_returns_to_the_page_and_names_who_was_notified(org, as_user):
    objective = make_objective(org.organisation, org.manager)
    client = as_user(org.manager)
    response = _post(
        client,
        source=f"objectives.objective:{objective.pk}",
        next_url=f"/objectives/{objective.pk}/",
        owner=org.staff.pk,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{objective.pk}/"
    action = Action.objects.get()
    assert action.source == objective
    assert action.due_date == datetime.date(2026, 12, 15)
    page = client.get(response["Location"]).content.decode()
    assert "assigned to Acme Staff; Acme Staff was notified by e-mail." in page


def test_another_organisations_objective_is_refused_and_nothing_is_saved(org, other_org, as_user):
    theirs = make_objective(other_org.organisation, other_org.manager)
    response = _post(
        as_user(org.manager), source=f"objectives.objective:{theirs.pk}", owner=org.staff.pk
    )
    assert response.status_code == 200
    assert "Choose what the action serves from this organisation’s open records." in (
        response.content.decode()
    )
    assert not Action.objects.exists()


@pytest.mark.parametrize("source", ["objectives.objective:abc", "auth.user:1", "nonsense"])
def test_a_malformed_source_is_a_form_error_not_a_server_error(org, as_user, source):
    response = _post(as_user(org.manager), source=source, owner=org.staff.pk)
    assert response.status_code == 200
    assert not Action.objects.exists()


def test_an_unsafe_next_is_ignored(org, as_user):
    response = _post(as_user(org.manager), next_url="https://evil.example/", owner=org.staff.pk)
    assert response["Location"] == f"/actions/{Action.objects.get().pk}/"


def test_an_objective_offers_assign_an_action_at_the_top_to_managers_not_staff(org, as_user):
    objective = make_objective(org.organisation, org.manager)
    link = f"/actions/new/?source=objectives.objective:{objective.pk}&amp;next=/objectives/"
    manager_html = as_user(org.manager).get(f"/objectives/{objective.pk}/").content.decode()
    head = manager_html.split('<section class="card" id="progress"', 1)[0]
    assert link in head and ">Assign an action</a>" in head
    staff_html = as_user(org.staff).get(f"/objectives/{objective.pk}/").content.decode()
    assert "Assign an action" not in staff_html


def test_an_off_track_row_of_the_objective_list_offers_assign_an_action(org, as_user):
    today = org.organisation.today()
    start_date = today - datetime.timedelta(days=200)
    stuck = make_objective(
        org.organisation,
        org.manager,
        title="Stuck at baseline",
        start_date=start_date,
        target_date=today + datetime.timedelta(days=165),
    )
    add_values(stuck, [80] * 6, first=start_date)
    html = as_user(org.manager).get("/objectives/").content.decode()
    row = html.split(f'<tr id="objective-{stuck.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "Off track" in row
    assert f"/actions/new/?source=objectives.objective:{stuck.pk}&amp;next=" in row
