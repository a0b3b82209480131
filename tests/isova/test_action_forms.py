"""Bad input on the action pages: clear form errors or 4xx, nothing saved, never a 500."""

import datetime

import pytest

from isova.models import Action, ActionStatus
from tests.conftest import make_org

from .conftest import db_counts, make_action, snapshot

VALID = {"title": "Grease the hinges", "priority": "medium", "due_date": "2026-12-31"}


@pytest.fixture
def manager(org, as_user):
    return as_user(org.manager)


def test_a_valid_new_action_is_saved_with_every_field(org, manager):
    response = manager.post(
        "/actions/new/",
        VALID
        | {
            "owner": org.staff.pk,
            "description": "Both doors.",
            "estimated_effort_hours": "1.5",
            "estimated_cost": "12.50",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Grease the hinges")
    assert response["Location"] == f"/actions/{action.pk}/"
    assert action.due_date == datetime.date(2026, 12, 31)
    assert str(action.estimated_effort_hours) == "1.5"
    assert (action.status, action.version, action.assigned_by) == ("open", 1, org.manager)


BAD_NEW_ACTIONS = [
    pytest.param({"title": ""}, "title", "This field is required.", id="missing title"),
    pytest.param({"title": "   "}, "title", "This field is required.", id="blank title"),
    pytest.param({"title": "x" * 201}, "title", "at most 200 characters", id="title too long"),
    pytest.param(
        {"due_date": "2026-13-45"}, "due_date", "Enter the due date as YYYY-MM-DD", id="bad date"
    ),
    pytest.param(
        {"due_date": "next week"}, "due_date", "Enter the due date as YYYY-MM-DD", id="words"
    ),
    pytest.param({"owner": "999999"}, "owner", "Choose an owner from this", id="unknown owner"),
    pytest.param({"owner": "abc"}, "owner", "Choose an owner from this", id="owner not a number"),
    pytest.param({"owner": ""}, "owner", "This field is required.", id="no owner"),
    pytest.param({"priority": "urgent!!"}, "priority", "Select a valid choice", id="bad priority"),
    pytest.param(
        {"estimated_effort_hours": "-3"},
        "estimated_effort_hours",
        "greater than or equal to 0",
        id="negative effort",
    ),
    pytest.param(
        {"estimated_cost": "-100"},
        "estimated_cost",
        "greater than or equal to 0",
        id="negative cost",
    ),
    pytest.param(
        {"estimated_cost": "1e40"}, "estimated_cost", "no more than 12 digits", id="huge cost"
    ),
    pytest.param({"estimated_cost": "lots"}, "estimated_cost", "Enter a number", id="cost words"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_NEW_ACTIONS)
def test_a_bad_new_action_is_answered_with_a_form_error_and_nothing_is_saved(
    org, manager, change, field, message
):
    counts = db_counts()
    response = manager.post("/actions/new/", VALID | {"owner": org.staff.pk} | change)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert db_counts() == counts


def test_an_owner_from_another_organisation_is_refused_on_the_new_action_form(org, manager):
    rival = make_org("Rival")
    counts = db_counts()
    response = manager.post("/actions/new/", VALID | {"owner": rival.staff.pk})
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert db_counts() == counts


@pytest.mark.parametrize(("change", "field", "message"), BAD_NEW_ACTIONS)
def test_a_bad_edit_is_answered_with_a_form_error_and_nothing_is_saved(
    org, manager, change, field, message
):
    action = make_action(org, title="Original")
    before, counts = snapshot(action), db_counts()
    data = VALID | {"owner": org.staff.pk, "version": action.version} | change
    response = manager.post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    page = response.content.decode()
    assert "Edit “Original”" in page  # the heading names the stored action, not the bad input
    assert snapshot(action) == before
    assert db_counts() == counts


@pytest.mark.parametrize("version", ["abc", "1.5", ""])
def test_a_bad_version_on_the_edit_form_is_refused_visibly(org, manager, version):
    action = make_action(org, title="Original")
    before = snapshot(action)
    data = VALID | {"owner": org.staff.pk, "version": version}
    response = manager.post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    assert snapshot(action) == before


BAD_STATUS_POSTS = [
    pytest.param({"status": "finished", "version": "1"}, id="unknown status"),
    pytest.param({"status": "", "version": "1"}, id="empty status"),
    pytest.param({"version": "1"}, id="no status"),
    pytest.param({"status": "in_progress", "version": "abc"}, id="version not a number"),
    pytest.param({"status": "in_progress"}, id="no version"),
    pytest.param({"status": "in_progress", "version": "1", "note": "x" * 2001}, id="note too long"),
]


@pytest.mark.parametrize("data", BAD_STATUS_POSTS)
def test_a_bad_htmx_status_post_answers_422_with_a_message_and_changes_nothing(org, as_user, data):
    action = make_action(org, owner=org.staff)
    before, counts = snapshot(action), db_counts()
    response = as_user(org.staff).post(
        f"/actions/{action.pk}/status/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert snapshot(action) == before
    assert db_counts() == counts


@pytest.mark.parametrize("data", BAD_STATUS_POSTS)
def test_a_bad_plain_status_post_redirects_with_a_message_and_changes_nothing(org, as_user, data):
    action = make_action(org, owner=org.staff)
    before = snapshot(action)
    client = as_user(org.staff)
    response = client.post(f"/actions/{action.pk}/status/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'class="message error"' in page
    assert snapshot(action) == before


def test_a_far_future_version_is_a_conflict_not_a_crash(org, as_user):
    action = make_action(org, owner=org.staff)
    response = as_user(org.staff).post(
        f"/actions/{action.pk}/status/",
        {"status": "done", "version": "9" * 30},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/actions/99999999999999999999/",
        "/actions/99999999999999999999/edit/",
        "/actions/0/",
        "/actions/abc/",
    ],
)
def test_nonsense_action_ids_answer_404(org, manager, path):
    assert manager.get(path).status_code == 404


def test_a_status_post_for_a_nonsense_id_answers_404(org, manager):
    response = manager.post("/actions/99999999999999999999/status/", {"status": "done"})
    assert response.status_code == 404


def test_status_and_edit_refuse_get_and_other_methods_where_they_should(org, manager):
    action = make_action(org)
    assert manager.get(f"/actions/{action.pk}/status/").status_code == 405
    assert manager.delete(f"/actions/{action.pk}/").status_code in (200, 405)
    assert Action.objects.filter(pk=action.pk).exists()


# --- the list's filters --------------------------------------------------------------------


@pytest.fixture
def listed(org):
    """Three actions: one done, one open and overdue, one open and due later."""
    today = org.organisation.today()
    return {
        "done": make_action(org, status=ActionStatus.DONE, title="Done one"),
        "late": make_action(
            org, owner=org.staff, title="Late one", due_date=today - datetime.timedelta(days=3)
        ),
        "later": make_action(org, title="Later one", due_date=today + datetime.timedelta(days=30)),
    }


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        # The list opens on outstanding actions; an empty status ("Any status") shows all.
        ("", {"Late one", "Later one"}),
        ("status=", {"Done one", "Late one", "Later one"}),
        ("status=done", {"Done one"}),
        ("status=outstanding", {"Late one", "Later one"}),
        ("overdue=on", {"Late one"}),
        ("owner={staff}", {"Late one"}),
        ("due_from={in_ten_days}", {"Later one"}),
        ("due_to={in_ten_days}", {"Late one"}),
        ("status=&due_to={in_ten_days}", {"Done one", "Late one"}),
        ("source=none", {"Late one", "Later one"}),
    ],
)
def test_the_list_filters_narrow_the_results(org, manager, listed, query, shown):
    in_ten_days = org.organisation.today() + datetime.timedelta(days=10)
    response = manager.get(
        "/actions/?" + query.format(staff=org.staff.pk, in_ten_days=in_ten_days.isoformat())
    )
    assert response.status_code == 200
    assert {row["action"].title for row in response.context["rows"]} == shown


BAD_FILTERS = [
    pytest.param("due_from=garbage", "Enter a valid date.", id="bad date"),
    pytest.param("due_to=2026-02-31", "Enter a valid date.", id="impossible date"),
    pytest.param("owner=999999", "Select a valid choice", id="unknown owner"),
    pytest.param("owner=abc", "Select a valid choice", id="owner not a number"),
    pytest.param("status=bogus", "Select a valid choice", id="unknown status"),
    pytest.param("source=nosuch.model", "Select a valid choice", id="unknown source"),
    pytest.param("source=nodot", "Select a valid choice", id="source without a dot"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["full page", "htmx fragment"])
@pytest.mark.parametrize(("query", "message"), BAD_FILTERS)
def test_a_bad_filter_value_shows_its_error_instead_of_failing(
    manager, listed, query, message, htmx
):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = manager.get(f"/actions/?{query}", **headers)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_bad_filter_value_does_not_drop_the_good_ones(manager, listed):
    response = manager.get("/actions/?status=done&due_from=garbage")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert [row["action"].title for row in response.context["rows"]] == ["Done one"]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "9" * 40])
def test_a_bad_page_number_shows_a_page_instead_of_failing(org, manager, page):
    for i in range(30):
        make_action(org, owner=org.staff, title=f"Task {i:02d}")
    response = manager.get(f"/actions/?page={page}")
    assert response.status_code == 200
    assert len(response.context["rows"]) in (25, 5)


def test_pagination_keeps_the_filters(org, manager):
    for i in range(30):
        make_action(org, owner=org.staff, title=f"Task {i:02d}")
    page = manager.get(f"/actions/?owner={org.staff.pk}").content.decode()
    assert f'href="?owner={org.staff.pk}&amp;page=2"' in page
    response = manager.get(f"/actions/?owner={org.staff.pk}&page=2")
    assert len(response.context["rows"]) == 5


def test_a_new_action_already_overdue_is_questioned_then_saved_once_confirmed(org, manager):
    past = (org.organisation.today() - datetime.timedelta(days=3)).isoformat()
    data = VALID | {"owner": org.staff.pk, "due_date": past}
    asked = manager.post("/actions/new/", data)
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "is in the past: the action would be overdue from the start" in body
    assert 'name="confirm_past_due"' in body
    assert not Action.objects.exists()
    confirmed = manager.post("/actions/new/", data | {"confirm_past_due": "on"})
    assert confirmed.status_code == 302
    assert Action.objects.get().due_date.isoformat() == past


def test_an_edit_that_keeps_an_old_due_date_is_not_questioned(org, manager):
    past = org.organisation.today() - datetime.timedelta(days=3)
    action = make_action(org, owner=org.staff, due_date=past)
    data = VALID | {"owner": org.staff.pk, "due_date": past.isoformat(), "version": 1}
    response = manager.post(f"/actions/{action.pk}/edit/", data | {"title": "Renamed"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Renamed"
