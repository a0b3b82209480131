"""Actions through the API: the pages' permissions, forms, filters and version checks."""

from __future__ import annotations

import datetime
import json

import pytest

from isova.api.models import Scope
from isova.models import Action, ActionStatus
from tests.conftest import client_for
from tests.isova.conftest import make_action

from .conftest import api_as

ROLES = ["leader", "manager", "staff", "auditor"]


def etag(api, action) -> str:
    return api.get(f"/api/v1/actions/{action.pk}/")["ETag"]


# --- the permission matrix: the API allows exactly what the page allows --------------------


@pytest.mark.parametrize("role", ROLES)
def test_creating_an_action_is_allowed_as_on_the_page(org, role):
    user = org.user(role)
    page = client_for(user).post(
        "/actions/new/", {"title": "From page", "owner": org.staff.pk, "priority": "high"}
    )
    api = api_as(user, org.organisation).post(
        "/api/v1/actions/", {"title": "From API", "owner": org.staff.pk, "priority": "high"}
    )
    page_allowed = page.status_code == 302
    assert page.status_code in (302, 403)
    assert api.status_code == (201 if page_allowed else 403)
    assert Action.objects.filter(title="From API").exists() == page_allowed
    if page_allowed:
        body = api.json()
        assert body["owner"]["id"] == org.staff.pk and body["priority"] == "high"
        assert api["ETag"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owned", [True, False])
def test_completing_an_action_is_allowed_as_on_the_page(org, role, owned):
    user = org.user(role)
    on_page = make_action(org, owner=user if owned else None)
    by_api = make_action(org, owner=user if owned else None)
    client_for(user).post(
        f"/actions/{on_page.pk}/status/", {"status": "done", "version": on_page.version}
    )
    api = api_as(user, org.organisation)
    answer = api.post(
        f"/api/v1/actions/{by_api.pk}/status/",
        {"status": "done", "note": "Fitted"},
        **{"If-Match": etag(api, by_api)},
    )
    on_page.refresh_from_db()
    by_api.refresh_from_db()
    assert (answer.status_code == 200) == (on_page.status == ActionStatus.DONE)
    assert by_api.status == on_page.status
    if answer.status_code != 200:
        assert answer.status_code == 403
        assert answer["Content-Type"] == "application/problem+json"


def test_staff_cannot_complete_someone_elses_action(org):
    action = make_action(org)  # owned by a second staff member
    api = api_as(org.staff, org.organisation)
    answer = api.post(
        f"/api/v1/actions/{action.pk}/status/",
        {"status": "done"},
        **{"If-Match": etag(api, action)},
    )
    assert answer.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_nobody_verifies_their_own_work_through_the_api_either(org):
    action = make_action(org, owner=org.manager, status=ActionStatus.DONE)
    api = api_as(org.manager, org.organisation)
    answer = api.post(
        f"/api/v1/actions/{action.pk}/status/",
        {"status": "verified"},
        **{"If-Match": etag(api, action)},
    )
    assert answer.status_code == 403


def test_an_impossible_move_is_422_with_the_pages_message(org):
    action = make_action(org, status=ActionStatus.VERIFIED)
    api = api_as(org.leader, org.organisation)
    answer = api.post(
        f"/api/v1/actions/{action.pk}/status/",
        {"status": "done"},
        **{"If-Match": etag(api, action)},
    )
    assert answer.status_code == 422
    assert "cannot become done" in answer.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_assigning_is_for_managers_and_leaders(org, role):
    action = make_action(org)
    api = api_as(org.user(role), org.organisation)
    answer = api.post(
        f"/api/v1/actions/{action.pk}/assign/",
        {"owner": org.staff.pk},
        **{"If-Match": etag(api, action)},
    )
    allowed = role in ("leader", "manager")
    assert answer.status_code == (200 if allowed else 403)
    action.refresh_from_db()
    assert (action.owner_id == org.staff.pk) == allowed


# --- versions, errors, other organisations -----------------------------------------------------


def test_a_stale_if_match_is_412_and_changes_nothing(org):
    action = make_action(org)
    api = api_as(org.manager, org.organisation)
    stale = etag(api, action)
    first = api.post(
        f"/api/v1/actions/{action.pk}/assign/", {"owner": org.staff.pk}, **{"If-Match": stale}
    )
    assert first.status_code == 200 and first["ETag"] != stale
    second = api.post(
        f"/api/v1/actions/{action.pk}/assign/", {"owner": org.leader.pk}, **{"If-Match": stale}
    )
    assert second.status_code == 412
    action.refresh_from_db()
    assert action.owner_id == org.staff.pk


def test_an_update_without_if_match_is_428(org):
    action = make_action(org)
    answer = api_as(org.manager, org.organisation).post(
        f"/api/v1/actions/{action.pk}/assign/", {"owner": org.staff.pk}
    )
    assert answer.status_code == 428


def test_invalid_fields_are_named_in_the_problem(org, other_org):
    api = api_as(org.manager, org.organisation)
    answer = api.post(
        "/api/v1/actions/", {"title": "", "owner": other_org.staff.pk, "due_date": "2026-13-45"}
    )
    assert answer.status_code == 400
    problem = answer.json()
    assert answer["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in problem["errors"]}
    assert {"title", "owner", "due_date"} <= fields
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"],
    ids=["broken", "list", "str", "bytes"],
)
def test_malformed_json_is_a_clear_400(org, body):
    answer = api_as(org.manager, org.organisation).post("/api/v1/actions/", body)
    assert answer.status_code == 400
    assert answer.json()["detail"]
    assert not Action.objects.exists()


def test_an_oversized_body_is_413(org, settings):
    settings.API_MAX_BODY_BYTES = 1000
    big = json.dumps({"title": "x", "owner": org.staff.pk, "description": "y" * 5000})
    answer = api_as(org.manager, org.organisation).post("/api/v1/actions/", big)
    assert answer.status_code == 413
    assert not Action.objects.exists()


def test_other_organisations_actions_answer_404_and_change_nothing(org, other_org):
    theirs = make_action(other_org)
    api = api_as(org.leader, org.organisation)
    assert api.get(f"/api/v1/actions/{theirs.pk}/").status_code == 404
    for verb, body in (("status", {"status": "cancelled"}), ("assign", {"owner": org.staff.pk})):
        answer = api.post(f"/api/v1/actions/{theirs.pk}/{verb}/", body, **{"If-Match": "*"})
        assert answer.status_code == 404
    assert api.get("/api/v1/actions/abc/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ActionStatus.OPEN
    # Nor can an action be given to someone of another organisation.
    answer = api.post("/api/v1/actions/", {"title": "X", "owner": other_org.staff.pk})
    assert answer.status_code == 400


def test_an_api_write_is_in_the_history_as_that_person_via_api(org):
    api = api_as(org.manager, org.organisation)
    made = api.post("/api/v1/actions/", {"title": "Seal", "owner": org.staff.pk}).json()
    action = Action.objects.get(pk=made["id"])
    row = action.history.latest("history_date")
    assert row.history_user_id == org.manager.pk
    assert row.history_change_reason == "via API"
    page = client_for(org.manager).get(f"/actions/{action.pk}/")
    assert "via API" in page.content.decode()


# --- lists: the page's filters, stable pages, constant queries ---------------------------------


def test_the_list_has_the_pages_filters_and_overdue_definition(org):
    today = org.organisation.today()
    late = make_action(org, due_date=today - datetime.timedelta(days=1))
    make_action(org, due_date=today + datetime.timedelta(days=3))
    make_action(org, status=ActionStatus.DONE, due_date=today - datetime.timedelta(days=5))
    api = api_as(org.staff, org.organisation)
    overdue = api.get("/api/v1/actions/", overdue="true").json()["results"]
    assert [a["id"] for a in overdue] == [late.pk]
    assert overdue[0]["overdue"] is True
    assert len(api.get("/api/v1/actions/").json()["results"]) == 2  # outstanding by default
    assert len(api.get("/api/v1/actions/", status="").json()["results"]) == 3
    bad = api.get("/api/v1/actions/", due_from="yesterday")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "due_from"


def test_pages_are_stable_when_actions_are_added_meanwhile(org):
    owner = org.staff
    first_ids = [make_action(org, owner=owner).pk for _ in range(5)]
    api = api_as(org.staff, org.organisation)
    page1 = api.get("/api/v1/actions/", page_size=3).json()
    for _ in range(4):
        make_action(org, owner=owner)
    page2 = api.client.get(page1["next"]).json()
    seen = [a["id"] for a in page1["results"]] + [a["id"] for a in page2["results"]]
    assert seen[:5] == first_ids
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_runs_a_fixed_number_of_queries(org, count, django_assert_max_num_queries):
    for _ in range(count):
        make_action(org, owner=org.staff)
    api = api_as(org.staff, org.organisation, Scope.READ)
    api.get("/api/v1/actions/")  # last_used_at is written once a minute; not counted below
    # token + membership, the filter form's sources and owners, the page: 5 (+1 savepoint slack)
    with django_assert_max_num_queries(6):
        answer = api.get("/api/v1/actions/", page_size=50)
    assert len(answer.json()["results"]) == count


def test_a_page_write_after_an_api_call_is_not_marked_via_api(org):
    action = make_action(org)
    api_as(org.manager, org.organisation).get("/api/v1/actions/")
    client_for(org.manager).post(
        f"/actions/{action.pk}/status/", {"status": "in_progress", "version": action.version}
    )
    row = action.history.latest("history_date")
    assert row.history_user_id == org.manager.pk
    assert row.history_change_reason is None


def test_a_list_or_object_where_one_value_belongs_is_a_400(org):
    api = api_as(org.manager, org.organisation)
    answer = api.post("/api/v1/actions/", {"title": ["a", "b"], "owner": {"id": org.staff.pk}})
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"title", "owner"}
    assert not Action.objects.exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owned", [True, False])
def test_adding_a_note_is_allowed_as_on_the_page(org, role, owned):
    user = org.user(role)
    on_page = make_action(org, owner=user if owned else None, description="Fix it.")
    by_api = make_action(org, owner=user if owned else None, description="Fix it.")
    client_for(user).post(f"/actions/{on_page.pk}/note/", {"note": "Ordered", "version": 1})
    api = api_as(user, org.organisation)
    answer = api.post(
        f"/api/v1/actions/{by_api.pk}/note/", {"note": "Ordered"}, **{"If-Match": etag(api, by_api)}
    )
    on_page.refresh_from_db()
    by_api.refresh_from_db()
    allowed = on_page.description == "Fix it.\n\nProgress: Ordered"
    assert answer.status_code == (200 if allowed else 403)
    assert by_api.description == on_page.description and by_api.status == ActionStatus.OPEN
    if allowed:
        assert answer.json()["description"].endswith("Progress: Ordered")


def test_a_note_needs_the_version_read_and_some_text(org):
    action = make_action(org, owner=org.staff, description="Fix it.")
    api = api_as(org.staff, org.organisation)
    stale = api.post(f"/api/v1/actions/{action.pk}/note/", {"note": "x"}, **{"If-Match": '"99"'})
    assert stale.status_code == 412
    empty = api.post(
        f"/api/v1/actions/{action.pk}/note/", {"note": ""}, **{"If-Match": etag(api, action)}
    )
    assert empty.status_code in (400, 422)
    action.refresh_from_db()
    assert action.description == "Fix it." and action.version == 1
