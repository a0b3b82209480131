"""The role × operation matrix for actions, through the real views.

Refused operations answer 403 and leave the database exactly as it was.
"""

import pytest
from django.core.exceptions import PermissionDenied

from isova.actions import services as actions
from isova.models import Action, ActionStatus, Role
from tests.conftest import membership_of

from .conftest import db_counts, snapshot

L, M, S, A = Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR
ROLES = [L, M, S, A]
MANAGERS = {L, M}


def matrix(allowed: set[str]) -> list:
    """One parametrize row per role: (role, whether the role may do it)."""
    return [pytest.param(role, role in allowed, id=role) for role in ROLES]


# --- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/actions/", "/actions/mine/", "/actions/{pk}/"])
@pytest.mark.parametrize(("role", "allowed"), matrix(set(ROLES)))
def test_every_role_can_read_the_action_pages(org, as_user, action_of, path, role, allowed):
    action = action_of(title="Calibrate the gauge")
    response = as_user(org.user(role)).get(path.format(pk=action.pk))
    assert response.status_code == 200
    if "{pk}" in path or path == "/actions/":
        assert "Calibrate the gauge" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, action_of):
    for path in ["/actions/", "/actions/mine/", "/actions/new/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- creating and editing ------------------------------------------------------------------


@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_only_leaders_and_managers_open_the_new_action_form(org, as_user, role, allowed):
    response = as_user(org.user(role)).get("/actions/new/")
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_only_leaders_and_managers_create_and_assign_actions(org, as_user, role, allowed):
    before = db_counts()
    response = as_user(org.user(role)).post(
        "/actions/new/",
        {"title": "Fix the leak", "owner": org.staff.pk, "priority": "high", "due_date": ""},
    )
    if allowed:
        assert response.status_code == 302
        action = Action.objects.get(title="Fix the leak")
        assert action.assigned_by == org.user(role)
        assert action.owner == org.staff
    else:
        assert response.status_code == 403
        assert db_counts() == before


@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_the_new_action_button_shows_to_those_who_may_create(org, as_user, role, allowed):
    page = as_user(org.user(role)).get("/actions/").content.decode()
    assert ('href="/actions/new/"' in page) is allowed


def test_staff_cannot_create_an_action_even_for_themselves(org, as_user):
    before = db_counts()
    response = as_user(org.staff).post(
        "/actions/new/", {"title": "Mine", "owner": org.staff.pk, "priority": "low"}
    )
    assert response.status_code == 403
    assert db_counts() == before


@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_only_leaders_and_managers_open_the_edit_form(org, as_user, action_of, role, allowed):
    action = action_of()
    response = as_user(org.user(role)).get(f"/actions/{action.pk}/edit/")
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("own", [True, False], ids=["own action", "someone else's"])
@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_only_leaders_and_managers_edit_and_reassign_actions(
    org, as_user, action_of, role, allowed, own
):
    action = action_of(owner=org.user(role) if own else None)
    new_owner = org.auditor if role != A else org.staff
    before, counts = snapshot(action), db_counts()
    response = as_user(org.user(role)).post(
        f"/actions/{action.pk}/edit/",
        {
            "title": "Renamed",
            "owner": new_owner.pk,
            "priority": "low",
            "version": action.version,
        },
    )
    if allowed:
        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.title, action.owner, action.version) == ("Renamed", new_owner, 2)
    else:
        assert response.status_code == 403
        assert snapshot(action) == before
        assert db_counts() == counts


@pytest.mark.parametrize("status", [ActionStatus.VERIFIED, ActionStatus.CANCELLED])
def test_closed_actions_cannot_be_edited_even_by_a_leader(org, as_user, action_of, status):
    action = action_of(status=status)
    before = snapshot(action)
    client = as_user(org.leader)
    assert client.get(f"/actions/{action.pk}/edit/").status_code == 403
    response = client.post(
        f"/actions/{action.pk}/edit/",
        {"title": "Rewritten history", "owner": org.staff.pk, "priority": "low", "version": 1},
    )
    assert response.status_code == 403
    assert snapshot(action) == before


# --- status changes ----------------------------------------------------------------------

# operation, whose action ("self": the acting user owns it), from, to, roles that may do it
STATUS_OPERATIONS = [
    ("start own action", "self", "open", "in_progress", {L, M, S}),
    ("complete own action", "self", "in_progress", "done", {L, M, S}),
    ("take back own completion", "self", "done", "in_progress", {L, M, S}),
    ("start someone else's action", "other", "open", "in_progress", MANAGERS),
    ("complete someone else's action", "other", "in_progress", "done", MANAGERS),
    ("verify someone else's action", "other", "done", "verified", MANAGERS),
    ("verify own action", "self", "done", "verified", set()),
    ("cancel someone else's action", "other", "open", "cancelled", MANAGERS),
    ("cancel own action", "self", "in_progress", "cancelled", MANAGERS),
    ("reopen a verified action", "other", "verified", "in_progress", MANAGERS),
    ("reopen own verified action", "self", "verified", "in_progress", MANAGERS),
    ("reopen a cancelled action", "other", "cancelled", "open", MANAGERS),
]


@pytest.mark.parametrize(
    ("whose", "from_status", "to_status", "role", "allowed"),
    [
        pytest.param(
            whose,
            old,
            new,
            role,
            role in allowed,
            id=f"{role} may{'' if role in allowed else ' not'} {name}",
        )
        for name, whose, old, new, allowed in STATUS_OPERATIONS
        for role in ROLES
    ],
)
def test_status_changes_follow_the_role_matrix(
    org, as_user, action_of, whose, from_status, to_status, role, allowed
):
    user = org.user(role)
    action = action_of(owner=user if whose == "self" else None, status=from_status)
    before, counts = snapshot(action), db_counts()
    response = as_user(user).post(
        f"/actions/{action.pk}/status/", {"status": to_status, "version": action.version}
    )
    if allowed:
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == to_status
        assert action.version == before["version"] + 1
    else:
        assert response.status_code == 403
        assert snapshot(action) == before
        assert db_counts() == counts


@pytest.mark.parametrize("to_status", ["in_progress", "done", "cancelled", "verified"])
def test_auditors_cannot_change_any_status_even_of_an_action_assigned_to_them(
    org, as_user, action_of, to_status
):
    action = action_of(owner=org.auditor)
    before = snapshot(action)
    response = as_user(org.auditor).post(
        f"/actions/{action.pk}/status/", {"status": to_status, "version": action.version}
    )
    assert response.status_code == 403
    assert snapshot(action) == before


def test_pages_offer_only_the_moves_the_role_may_make(org, as_user, action_of):
    mine = action_of(owner=org.staff, status="done", title="Mine")
    theirs = action_of(status="open", title="Theirs")
    page = as_user(org.staff).get(f"/actions/{mine.pk}/").content.decode()
    assert 'value="in_progress"' in page
    assert 'value="verified"' not in page
    page = as_user(org.staff).get(f"/actions/{theirs.pk}/").content.decode()
    assert "it is not assigned to you" in page
    assert 'name="status"' not in page
    page = as_user(org.manager).get(f"/actions/{mine.pk}/").content.decode()
    assert 'value="verified"' in page
    page = as_user(org.auditor).get("/actions/").content.decode()
    assert 'class="status-form"' not in page
    assert "New action" not in page


# --- the same rules in the services, whoever calls them ---------------------------------------


@pytest.mark.parametrize(("role", "allowed"), matrix(MANAGERS))
def test_the_services_apply_the_same_role_rules_as_the_views(org, action_of, role, allowed):
    membership = membership_of(org.user(role), org.organisation)
    action = action_of()
    calls = [
        lambda: actions.action_create(membership=membership, title="Via code", owner=org.staff),
        lambda: actions.action_update(
            membership=membership, action=action, version=1, title="Via code"
        ),
        lambda: actions.action_set_status(
            membership=membership,
            action=action,
            status="cancelled",
            version=Action.objects.get(pk=action.pk).version,
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    assert Action.objects.filter(title="Via code").count() == (2 if allowed else 0)


def test_a_done_action_cannot_be_edited_until_it_is_reopened(org, as_user, action_of):
    """Issue 9.3: who did the work stays on record (no reassigning a completed action)."""
    action = action_of(status=ActionStatus.DONE)
    before = snapshot(action)
    client = as_user(org.leader)
    assert client.get(f"/actions/{action.pk}/edit/").status_code == 403
    response = client.post(
        f"/actions/{action.pk}/edit/",
        {"title": "Someone else did it", "owner": org.staff.pk, "priority": "low", "version": 1},
    )
    assert response.status_code == 403
    assert snapshot(action) == before
    assert (
        f'href="/actions/{action.pk}/edit/"'
        not in client.get(f"/actions/{action.pk}/").content.decode()
    )
