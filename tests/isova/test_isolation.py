"""Organisation isolation: another organisation's ids answer 404 and change nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from isova.accounts.tenancy import SESSION_KEY
from isova.actions import services as actions
from isova.models import Action, Membership, Role
from tests.conftest import membership_of

from .conftest import db_counts, make_action, snapshot


@pytest.fixture
def foreign_action(other_org):
    """An action of the rival organisation, owned by its staff member."""
    return make_action(other_org, owner=other_org.staff, title="Rival secret plan")


@pytest.mark.parametrize("role", [Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR])
@pytest.mark.parametrize("path", ["/actions/{pk}/", "/actions/{pk}/edit/"])
def test_another_organisations_action_pages_answer_404(org, as_user, foreign_action, role, path):
    response = as_user(org.user(role)).get(path.format(pk=foreign_action.pk))
    assert response.status_code == 404
    assert "Rival secret plan" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR])
def test_editing_another_organisations_action_answers_404_and_changes_nothing(
    org, as_user, foreign_action, role
):
    before, counts = snapshot(foreign_action), db_counts()
    response = as_user(org.user(role)).post(
        f"/actions/{foreign_action.pk}/edit/",
        {"title": "Hijacked", "owner": org.staff.pk, "priority": "low", "version": 1},
    )
    assert response.status_code == 404
    assert snapshot(foreign_action) == before
    assert db_counts() == counts


@pytest.mark.parametrize("htmx", [False, True], ids=["plain post", "htmx post"])
@pytest.mark.parametrize("role", [Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR])
def test_changing_the_status_of_another_organisations_action_answers_404(
    org, as_user, foreign_action, role, htmx
):
    before, counts = snapshot(foreign_action), db_counts()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = as_user(org.user(role)).post(
        f"/actions/{foreign_action.pk}/status/",
        {"status": "cancelled", "version": foreign_action.version},
        **headers,
    )
    assert response.status_code == 404
    assert snapshot(foreign_action) == before
    assert db_counts() == counts


def test_lists_show_only_the_current_organisations_actions(org, as_user, foreign_action):
    make_action(org, title="Our own plan")
    page = as_user(org.manager).get("/actions/").content.decode()
    assert "Our own plan" in page
    assert "Rival secret plan" not in page
    assert "1 action<" in page


def test_the_owner_filter_refuses_a_member_of_another_organisation(org, as_user, foreign_action):
    response = as_user(org.manager).get(f"/actions/?owner={foreign_action.owner.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rival secret plan" not in page
    assert "Select a valid choice" in page
    assert foreign_action.owner.get_full_name() not in page  # not even among the choices


def test_a_new_action_cannot_be_assigned_to_a_member_of_another_organisation(
    org, other_org, as_user
):
    counts = db_counts()
    response = as_user(org.manager).post(
        "/actions/new/", {"title": "Outsourced", "owner": other_org.staff.pk, "priority": "low"}
    )
    assert response.status_code == 200
    assert "Choose an owner from this organisation’s members." in response.content.decode()
    assert db_counts() == counts


def test_an_action_cannot_be_reassigned_to_a_member_of_another_organisation(
    org, other_org, as_user
):
    action = make_action(org)
    before, counts = snapshot(action), db_counts()
    response = as_user(org.manager).post(
        f"/actions/{action.pk}/edit/",
        {"title": "Moved", "owner": other_org.staff.pk, "priority": "low", "version": 1},
    )
    assert response.status_code == 200
    assert "Choose an owner from this organisation’s members." in response.content.decode()
    assert snapshot(action) == before
    assert db_counts() == counts


def test_the_services_refuse_owners_and_members_of_another_organisation(org, other_org):
    manager = membership_of(org.manager, org.organisation)
    with pytest.raises(actions.ActionError, match="must be a member"):
        actions.action_create(membership=manager, title="X", owner=other_org.staff)
    action = make_action(org)
    with pytest.raises(actions.ActionError, match="must be a member"):
        actions.action_update(membership=manager, action=action, version=1, owner=other_org.staff)
    rival_manager = membership_of(other_org.manager, other_org.organisation)
    for call in (
        lambda: actions.action_set_status(
            membership=rival_manager, action=action, status="cancelled", version=1
        ),
        lambda: actions.action_update(
            membership=rival_manager, action=action, version=1, title="Hijacked"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Action.objects.get(pk=action.pk).status == "open"
    assert not Action.objects.filter(title__in=["X", "Hijacked"]).exists()


# --- the organisation switcher ---------------------------------------------------------------


@pytest.fixture
def two_org_manager(org, other_org):
    """The manager of `org` is also staff of `other_org` (like the demo's manager)."""
    Membership.objects.create(user=org.manager, organisation=other_org.organisation, role="staff")
    return org.manager


def test_a_member_of_two_organisations_sees_the_second_ones_actions_after_switching(
    org, other_org, as_user, two_org_manager, foreign_action
):
    make_action(org, owner=two_org_manager, title="Home task")
    make_action(other_org, owner=two_org_manager, title="Away task")
    client = as_user(two_org_manager)
    page = client.get("/actions/").content.decode()
    assert "Home task" in page
    assert "Away task" not in page
    assert 'id="org-switch"' in page  # the switcher shows for people in several organisations

    response = client.post("/organisation/switch/", {"organisation": other_org.organisation.pk})
    assert response.status_code == 302
    page = client.get("/actions/").content.decode()
    assert "Away task" in page
    assert "Rival secret plan" in page
    assert "Home task" not in page
    assert "Home task" not in client.get("/actions/mine/").content.decode()
    # In the second organisation the manager is only staff: no creating there.
    assert client.get("/actions/new/").status_code == 403
    assert client.get(f"/actions/{foreign_action.pk}/").status_code == 200


def test_the_switcher_refuses_an_organisation_the_user_does_not_belong_to(org, other_org, as_user):
    client = as_user(org.manager)
    response = client.post("/organisation/switch/", {"organisation": other_org.organisation.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert "Rival" not in client.get("/actions/").content.decode()


@pytest.mark.parametrize("value", ["", "abc", "1.5", "99999999999999999999999"])
def test_the_switcher_answers_bad_input_with_a_4xx(org, as_user, value):
    response = as_user(org.manager).post("/organisation/switch/", {"organisation": value})
    assert 400 <= response.status_code < 500


def test_the_switcher_only_accepts_posts(org, as_user):
    response = as_user(org.manager).get(f"/organisation/switch/?organisation={org.organisation.pk}")
    assert response.status_code == 405


def test_losing_a_membership_takes_the_user_back_to_an_organisation_they_still_belong_to(
    org, other_org, as_user, two_org_manager, foreign_action
):
    client = as_user(two_org_manager)
    client.post("/organisation/switch/", {"organisation": other_org.organisation.pk})
    Membership.objects.filter(user=two_org_manager, organisation=other_org.organisation).delete()
    assert client.get(f"/actions/{foreign_action.pk}/").status_code == 404
    assert "Acme" in client.get("/actions/").content.decode()


def test_a_user_without_any_organisation_is_told_so(as_user, db):
    from tests.factories import UserFactory

    response = as_user(UserFactory()).get("/actions/")
    assert response.status_code == 403
    assert "not a member of any organisation" in response.content.decode()
