"""Approving and assigning from the dashboard, in place (#20.3): "Review and sign" opens the
inbox's own review and decision form in a dialog; "Assign" (an overdue action) and "New
action" (an off-track objective) open a short form. Each fragment and each post is checked
for roles, other organisations, bad input (4xx with the reason) and its queries."""

import datetime
import json

import pytest

from isova import records
from isova.models import Action, ActionStatus, RecordStatus
from objectives.models import Objective, period_bounds
from tests.factories import PASSWORD, ActionFactory, member
from tests.isova.records.helpers import make_policy, ms, shown
from tests.objectives.conftest import add_values, make_objective

HX = {"HTTP_HX_REQUEST": "true"}


def submitted_policy(org, **fields):
    policy = make_policy(org, **fields)
    records.submit(membership=ms(org, "manager"), obj=policy)
    return policy


def waiting_version(policy):
    return records.state(policy).current


def decide_url(policy):
    return f"/records/isova.qualitypolicy/{policy.pk}/decide/"


def triggered(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def overdue_action(org, **fields):
    values = {
        "organisation": org.organisation,
        "owner": org.staff,
        "title": "Calibrate the torque wrenches",
        "description": "Three wrenches out of tolerance.",
        "due_date": org.organisation.today() - datetime.timedelta(days=20),
    } | fields
    return ActionFactory(**values)


def off_track_objective(org, **fields):
    """An active objective far behind its planned path: three months at its baseline."""
    today = org.organisation.today()
    start = period_bounds(today.replace(day=1) - datetime.timedelta(days=85), "monthly")[0]
    objective = make_objective(
        org.organisation,
        org.manager,
        start_date=start,
        target_date=today + datetime.timedelta(days=200),
        **fields,
    )
    add_values(objective, [80, 80, 80])
    return objective


# --- "Review and sign" ----------------------------------------------------------------


def test_each_waiting_item_on_the_dashboard_offers_review_and_sign_falling_back_to_the_inbox(
    org, as_user
):
    version = waiting_version(submitted_policy(org))
    html = as_user(org.leader).get("/dashboard/").content.decode()
    assert f'href="/approvals/#approval-{version.pk}"' in html
    assert f'hx-get="/approvals/{version.pk}/review/"' in html
    assert 'hx-target="#dashboard-dialog-body"' in html and "<dialog" in html
    assert "Review and sign" in html
    # every panel reloads when a dialog reports a change, besides its timer
    assert html.count("dashboard-changed from:body") >= 2


def test_a_leader_reviews_a_waiting_version_in_a_dialog_as_the_inbox_shows_it(
    org, as_user, django_assert_max_num_queries
):
    policy = submitted_policy(org, text="We ship on time, every time.")
    version = waiting_version(policy)
    client = as_user(org.leader)
    # session, user, memberships (3); the version with its submitter and content type (1)
    # and its record (1); whether it still waits for this leader (1)
    with django_assert_max_num_queries(6):
        response = client.get(f"/approvals/{version.pk}/review/", **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="approval-dialog"' in body and 'id="dashboard-dialog-title"' in body
    assert "We ship on time, every time." in body  # the content, as submitted
    assert version.snapshot_hash in body  # the decision is bound to what is shown
    assert 'name="fragment" value="dialog"' in body
    assert 'hx-target="#approval-dialog"' in body
    assert f'<label for="password-{version.pk}">' in body


def test_the_review_without_javascript_is_the_inbox_card(org, as_user):
    version = waiting_version(submitted_policy(org))
    response = as_user(org.leader).get(f"/approvals/{version.pk}/review/")
    assert response.status_code == 302
    assert response.url == f"/approvals/#approval-{version.pk}"


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_open_the_review(org, as_user, role):
    version = waiting_version(submitted_policy(org))
    response = as_user(org.user(role)).get(f"/approvals/{version.pk}/review/", **HX)
    assert response.status_code == 403


def test_another_organisations_version_is_not_found(org, other_org, as_user):
    theirs = waiting_version(submitted_policy(other_org))
    response = as_user(org.leader).get(f"/approvals/{theirs.pk}/review/", **HX)
    assert response.status_code == 404


def test_a_version_decided_meanwhile_says_so_in_the_dialog(org, as_user):
    policy = submitted_policy(org)
    version = waiting_version(policy)
    records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    response = as_user(org.leader).get(f"/approvals/{version.pk}/review/", **HX)
    assert response.status_code == 409
    assert "no longer waits for your decision" in response.content.decode()


def test_signing_in_the_dialog_closes_it_and_tells_the_dashboard(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": 1,
            "snapshot_hash": shown(policy),
            "fragment": "dialog",
        },
        **HX,
    )
    assert response.status_code == 200
    assert records.state(policy).status == RecordStatus.APPROVED
    event = triggered(response)["dashboard-changed"]
    assert "You approved version 1" in event["message"]
    assert 'id="approval-dialog"' in response.content.decode()


def test_a_wrong_password_is_said_in_the_dialog_and_signs_nothing(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": "not-it",
            "version": 1,
            "snapshot_hash": shown(policy),
            "fragment": "dialog",
        },
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="approval-dialog"' in body and 'role="alert"' in body
    assert "password" in body.lower()
    assert "HX-Trigger" not in response.headers
    assert records.state(policy).status == RecordStatus.SUBMITTED


def test_a_decision_bound_to_other_content_is_refused_in_the_dialog(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": 1,
            "snapshot_hash": "0" * 64,
            "fragment": "dialog",
        },
        **HX,
    )
    assert response.status_code == 409
    assert 'id="approval-dialog"' in response.content.decode()
    assert "HX-Trigger" not in response.headers
    assert records.state(policy).status == RecordStatus.SUBMITTED


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_those_who_do_not_approve_cannot_sign_from_the_dialog(org, as_user, role):
    policy = submitted_policy(org)
    response = as_user(org.user(role)).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": 1,
            "snapshot_hash": shown(policy),
            "fragment": "dialog",
        },
        **HX,
    )
    assert response.status_code == 403
    assert records.state(policy).status == RecordStatus.SUBMITTED


# --- "Assign" an overdue action ---------------------------------------------------------


def test_the_actions_panel_lists_the_longest_overdue_each_with_assign(org, as_user):
    late = overdue_action(org)
    overdue_action(org, title="Newer late one", due_date=late.due_date + datetime.timedelta(1))
    ActionFactory(organisation=org.organisation, owner=org.staff, title="Not late")
    response = as_user(org.manager).get("/dashboard/panels/actions/")
    html = response.content.decode()
    assert html.index("Calibrate the torque wrenches") < html.index("Newer late one")
    assert "Not late" not in html
    assert f'href="/actions/{late.pk}/edit/"' in html  # without JavaScript: the edit page
    assert f'hx-get="/dashboard/actions/{late.pk}/assign/"' in html
    # the figures still count every action
    assert "<dt>Overdue</dt><dd><a" in html and ">2</a>" in html and ">3</a>" in html


def test_an_auditor_sees_the_overdue_actions_without_assign(org, as_user):
    overdue_action(org)
    html = as_user(org.auditor).get("/dashboard/panels/actions/").content.decode()
    assert "Calibrate the torque wrenches" in html and "/assign/" not in html


def test_the_assign_dialog_asks_owner_due_date_and_one_line(
    org, as_user, django_assert_max_num_queries
):
    action = overdue_action(org)
    client = as_user(org.leader)
    # session, user, memberships (3); the action with its owner (1)
    with django_assert_max_num_queries(4):
        response = client.get(f"/dashboard/actions/{action.pk}/assign/", **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="action-dialog"' in body and 'id="dashboard-dialog-title"' in body
    assert '<label for="assign-owner">Owner' in body
    assert 'type="search"' in body and 'hx-get="/dashboard/owners/"' in body
    assert 'id="dialog-owner-suggestions"' in body and "pick" in body
    assert '<label for="assign-due_date">Due date' in body
    assert '<label for="assign-note">' in body
    assert f'name="version" value="{action.version}"' in body
    assert "Acme Staff (" in body  # the current owner, as the owner field shows people


def test_the_assign_dialog_without_javascript_is_the_edit_page(org, as_user):
    action = overdue_action(org)
    response = as_user(org.leader).get(f"/dashboard/actions/{action.pk}/assign/")
    assert response.status_code == 302 and response.url == f"/actions/{action.pk}/edit/"


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_assign(org, as_user, role):
    action = overdue_action(org)
    client = as_user(org.user(role))
    url = f"/dashboard/actions/{action.pk}/assign/"
    assert client.get(url, **HX).status_code == 403
    response = client.post(url, {"owner": org.manager.pk, "due_date": "2099-01-01"}, **HX)
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.owner == org.staff


def test_another_organisations_action_cannot_be_assigned(org, other_org, as_user):
    theirs = overdue_action(other_org)
    client = as_user(org.leader)
    url = f"/dashboard/actions/{theirs.pk}/assign/"
    assert client.get(url, **HX).status_code == 404
    response = client.post(
        url, {"owner": org.manager.pk, "due_date": "2099-01-01", "version": 1}, **HX
    )
    assert response.status_code == 404


def test_assigning_gives_the_action_a_new_owner_and_date_and_tells_the_dashboard(
    org, as_user, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    action = overdue_action(org)
    due = org.organisation.today() + datetime.timedelta(days=14)
    client = as_user(org.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/dashboard/actions/{action.pk}/assign/",
            {
                "owner": "Acme Manager",
                "due_date": due.isoformat(),
                "note": "Owen has the calibration kit",
                "version": action.version,
            },
            **HX,
        )
    assert response.status_code == 200
    assert "dashboard-changed" in triggered(response)
    action.refresh_from_db()
    assert action.owner == org.manager and action.due_date == due
    assert action.assigned_by == org.leader and action.version == 2
    assert action.description.endswith("Assignment note: Owen has the calibration kit")
    assert action.description.startswith("Three wrenches out of tolerance.")
    assert org.manager.notifications.filter(kind="action_assigned").exists()


def test_assigning_over_a_change_made_meanwhile_is_refused_with_the_current_values(org, as_user):
    action = overdue_action(org)
    Action.objects.filter(pk=action.pk).update(version=5, owner=org.leader)
    response = as_user(org.leader).post(
        f"/dashboard/actions/{action.pk}/assign/",
        {"owner": "Acme Manager", "due_date": "2099-01-01", "version": 1},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this action" in body
    assert "Owner now" in body and 'name="version" value="5"' in body
    action.refresh_from_db()
    assert action.owner == org.leader and action.version == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owner": "Nobody Atall", "due_date": "2099-01-01"}, "No member matches"),
        ({"owner": "Rival Manager", "due_date": "2099-01-01"}, "No member matches"),
        ({"owner": "Acme", "due_date": "2099-01-01"}, "people match"),
        ({"owner": "", "due_date": "2099-01-01"}, "Say who owns it"),
        ({"owner": "Acme Manager", "due_date": "2001-01-01"}, "is in the past"),
        ({"owner": "Acme Manager", "due_date": "soon"}, "YYYY-MM-DD"),
        ({"owner": "Acme Manager", "due_date": ""}, "Give a due date"),
        (
            {"owner": "Acme Manager", "due_date": "2099-01-01", "note": "a\nb"},
            "line",
        ),
    ],
)
def test_bad_input_in_the_assign_dialog_is_said_beside_the_form(
    org, other_org, as_user, data, message
):
    action = overdue_action(org)
    response = as_user(org.leader).post(
        f"/dashboard/actions/{action.pk}/assign/", data | {"version": action.version}, **HX
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "HX-Trigger" not in response.headers
    action.refresh_from_db()
    assert action.owner == org.staff and action.version == 1


def test_an_overdue_action_keeps_its_date_when_only_its_owner_changes(org, as_user):
    action = overdue_action(org)
    response = as_user(org.leader).post(
        f"/dashboard/actions/{action.pk}/assign/",
        {"owner": org.manager.pk, "due_date": action.due_date.isoformat(), "version": 1},
        **HX,
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.owner == org.manager


def test_a_finished_action_is_not_reassigned_from_the_dashboard(org, as_user):
    action = overdue_action(org, status=ActionStatus.DONE)
    client = as_user(org.leader)
    url = f"/dashboard/actions/{action.pk}/assign/"
    assert client.get(url, **HX).status_code == 403
    response = client.post(
        url, {"owner": "Acme Manager", "due_date": "2099-01-01", "version": 1}, **HX
    )
    assert response.status_code == 422 and "reopen it" in response.content.decode()


def test_owner_suggestions_in_a_dialog_fill_the_field_in(org, as_user):
    response = as_user(org.leader).get(
        "/dashboard/owners/?owner=manager&pick=dialog-owner-suggestions", **HX
    )
    body = response.content.decode()
    assert 'data-pick-value="Acme Manager (' in body
    assert 'data-pick-box="dialog-owner-suggestions"' in body
    assert "<a href" not in body


# --- "New action" for an off-track objective ------------------------------------------


def test_the_objectives_panel_offers_a_new_action_for_an_off_track_objective(org, as_user):
    objective = off_track_objective(org, title="Deliver on time")
    key = f"objectives.objective:{objective.pk}"
    html = as_user(org.manager).get("/dashboard/panels/objectives/").content.decode()
    assert "Deliver on time" in html and "behind plan" in html
    assert f'hx-get="/dashboard/actions/new/?source={key}"' in html
    assert f'href="/actions/new/?source={key}&amp;next=/dashboard/"' in html


def test_an_auditor_sees_the_off_track_objective_without_new_action(org, as_user):
    off_track_objective(org, title="Deliver on time")
    html = as_user(org.auditor).get("/dashboard/panels/objectives/").content.decode()
    assert "Deliver on time" in html and "/dashboard/actions/new/" not in html


def test_the_new_action_dialog_names_what_it_serves(org, as_user, django_assert_max_num_queries):
    objective = off_track_objective(org, title="Deliver on time")
    client = as_user(org.leader)
    # session, user, memberships (3); the objective, among those open to new actions (1)
    with django_assert_max_num_queries(4):
        response = client.get(
            f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}", **HX
        )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "“Deliver on time”" in body
    for label in ('for="new-action-title"', 'for="new-action-owner"', 'for="new-action-due_date"'):
        assert label in body


def test_the_new_action_dialog_without_javascript_is_the_new_action_page(org, as_user):
    objective = off_track_objective(org)
    response = as_user(org.leader).get(
        f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}"
    )
    assert response.status_code == 302
    assert response.url == (
        f"/actions/new/?source=objectives.objective%3A{objective.pk}&next=%2Fdashboard%2F"
    )


def test_creating_an_action_for_the_objective_assigns_it_and_tells_the_dashboard(
    org, as_user, django_capture_on_commit_callbacks
):
    objective = off_track_objective(org)
    due = org.organisation.today() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(org.leader).post(
            f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}",
            {"title": "Add a second shift", "owner": "Acme Manager", "due_date": due},
            **HX,
        )
    assert response.status_code == 200
    assert "Add a second shift" in triggered(response)["dashboard-changed"]["message"]
    action = Action.objects.get(title="Add a second shift")
    assert action.source == objective and action.owner == org.manager
    assert action.due_date == due and action.assigned_by == org.leader
    assert action.organisation == org.organisation


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_create_actions_from_the_dashboard(org, as_user, role):
    objective = off_track_objective(org)
    client = as_user(org.user(role))
    url = f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}"
    assert client.get(url, **HX).status_code == 403
    response = client.post(url, {"title": "x", "owner": "Acme Manager", "due_date": "2099-01-01"})
    assert response.status_code == 403
    assert not Action.objects.exists()


@pytest.mark.parametrize("source", ["nonsense", "objectives.objective:abc", "isova.user:1"])
def test_a_new_action_for_no_such_record_is_not_found(org, as_user, source):
    response = as_user(org.leader).get(f"/dashboard/actions/new/?source={source}", **HX)
    assert response.status_code == 404


def test_another_organisations_objective_takes_no_action_from_here(org, other_org, as_user):
    theirs = off_track_objective(other_org)
    url = f"/dashboard/actions/new/?source=objectives.objective:{theirs.pk}"
    client = as_user(org.leader)
    assert client.get(url, **HX).status_code == 404
    response = client.post(
        url, {"title": "x", "owner": "Acme Manager", "due_date": "2099-01-01"}, **HX
    )
    assert response.status_code == 404
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "owner": "Acme Manager", "due_date": "2099-01-01"}, "required"),
        ({"title": "Do it", "owner": "Rival Manager", "due_date": "2099-01-01"}, "No member"),
        ({"title": "Do it", "owner": "Acme Manager", "due_date": "2001-01-01"}, "in the past"),
        ({"title": "x" * 201, "owner": "Acme Manager", "due_date": "2099-01-01"}, "at most 200"),
    ],
)
def test_bad_input_in_the_new_action_dialog_is_said_beside_the_form(
    org, other_org, as_user, data, message
):
    objective = off_track_objective(org)
    response = as_user(org.leader).post(
        f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}", data, **HX
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_deactivated_member_is_not_given_an_action(org, as_user):
    objective = off_track_objective(org)
    gone = member(org.organisation, "staff", full_name="Gone Away")
    gone.memberships.all().delete()
    response = as_user(org.leader).post(
        f"/dashboard/actions/new/?source=objectives.objective:{objective.pk}",
        {"title": "Do it", "owner": "Gone Away", "due_date": "2099-01-01"},
        **HX,
    )
    assert response.status_code == 422 and "No member matches" in response.content.decode()
    assert not Objective.objects.get(pk=objective.pk).actions.exists()


# --- without JavaScript, and what a post costs ------------------------------------------


def test_an_assignment_posted_without_htmx_goes_back_to_the_dashboard_with_the_news(org, as_user):
    action = overdue_action(org)
    response = as_user(org.leader).post(
        f"/dashboard/actions/{action.pk}/assign/",
        {"owner": org.manager.pk, "due_date": "2099-01-01", "version": 1},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "is now Acme Manager’s" in response.content.decode()


def test_bad_input_posted_without_htmx_shows_the_form_on_a_page(org, as_user):
    action = overdue_action(org)
    response = as_user(org.leader).post(
        f"/dashboard/actions/{action.pk}/assign/",
        {"owner": "Nobody Atall", "due_date": "2099-01-01", "version": 1},
    )
    body = response.content.decode()
    assert response.status_code == 422 and "<html" in body and "No member matches" in body


def test_an_assignment_keeps_to_its_queries(org, as_user, django_assert_max_num_queries):
    action = overdue_action(org)
    client = as_user(org.leader)
    # session, user, memberships (3); the action (1); the owner resolved (1); the locked row
    # and its organisation, the owner's membership, the assigner's name, the update and its
    # history row (6); webhooks listening (1); the assignment notification: the owner's
    # preferences and the row (2); savepoints (6)
    with django_assert_max_num_queries(20):
        response = client.post(
            f"/dashboard/actions/{action.pk}/assign/",
            {"owner": org.manager.pk, "due_date": "2099-01-01", "version": 1},
            **HX,
        )
    assert response.status_code == 200


def test_signing_from_the_dialog_keeps_to_the_inbox_decision_queries(
    org, as_user, django_assert_max_num_queries
):
    policy = submitted_policy(org)
    client = as_user(org.leader)
    data = {
        "decision": "approve",
        "password": PASSWORD,
        "version": 1,
        "snapshot_hash": shown(policy),
    }
    with django_assert_max_num_queries(60) as inbox:
        client.post(decide_url(policy), data | {"fragment": "inbox"}, **HX)
    again = submitted_policy(org, title="Second policy")
    with django_assert_max_num_queries(len(inbox.captured_queries) + 2):
        response = client.post(
            decide_url(again), data | {"fragment": "dialog", "snapshot_hash": shown(again)}, **HX
        )
    assert response.status_code == 200
