"""People and roles: the page, role changes, the last-leader rule, deactivation with the
person's open work handed over; every change in the history."""

from __future__ import annotations

import pytest
from django.test import Client

from isova.models import Action, ActionStatus, Membership, Role
from isova.onboarding import people
from isova.onboarding.models import FormerMember, PeopleEvent
from tests.conftest import client_for, membership_of
from tests.factories import PASSWORD, ActionFactory, member
from tests.objectives.conftest import make_objective
from tests.risks.conftest import raise_risk


def signed_in(user) -> Client:
    """A client signed in through the login form (as people do: last_login is written)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def leader_of(org):
    return membership_of(org.leader, org.organisation)


@pytest.mark.django_db
def test_the_people_page_shows_roles_last_sign_in_and_open_work(org, other_org):
    ActionFactory.create_batch(2, organisation=org.organisation, owner=org.staff)
    ActionFactory(organisation=org.organisation, owner=org.staff, status=ActionStatus.VERIFIED)
    make_objective(org.organisation, org.staff)
    raise_risk(org, owner=org.staff)
    client = signed_in(org.leader)
    page = client.get("/people/").content.decode()
    assert org.staff.email in page and org.auditor.email in page
    assert other_org.staff.email not in page
    assert "2 actions, 1 objectives, 1 risks" in page
    assert "never" in page  # those who have not signed in yet
    assert "just now" in page  # the leader, who just did


@pytest.mark.django_db
def test_the_people_page_runs_a_constant_number_of_queries(org, django_assert_max_num_queries):
    client = client_for(org.leader)
    with django_assert_max_num_queries(20):
        assert client.get("/people/").status_code == 200
    for _ in range(15):
        someone = member(org.organisation, Role.STAFF)
        ActionFactory(organisation=org.organisation, owner=someone)
    with django_assert_max_num_queries(20):
        assert client.get("/people/").status_code == 200


@pytest.mark.django_db
def test_a_leader_changes_a_role_and_it_is_in_the_history(org):
    staff = membership_of(org.staff, org.organisation)
    response = client_for(org.leader).post(f"/people/{staff.pk}/role/", {"role": "manager"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.MANAGER
    event = PeopleEvent.objects.get(kind="role_changed")
    assert event.actor == org.leader and event.person == org.staff
    assert event.detail == "Staff → Manager"


@pytest.mark.django_db
def test_only_leaders_change_roles_and_their_input_is_not_read(org):
    staff = membership_of(org.staff, org.organisation)
    for user in (org.manager, org.staff, org.auditor):
        response = client_for(user).post(f"/people/{staff.pk}/role/", {"role": "leader"})
        assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


@pytest.mark.django_db
def test_another_organisations_member_is_out_of_reach(org, other_org):
    theirs = membership_of(other_org.staff, other_org.organisation)
    leader = client_for(org.leader)
    assert leader.post(f"/people/{theirs.pk}/role/", {"role": "leader"}).status_code == 404
    assert leader.post(f"/people/{theirs.pk}/deactivate/", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.STAFF


@pytest.mark.django_db
def test_the_last_leader_can_be_neither_demoted_nor_deactivated(org):
    me = leader_of(org)
    client = client_for(org.leader)
    response = client.post(f"/people/{me.pk}/role/", {"role": "manager"}, follow=True)
    assert "the only leader" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.LEADER
    with pytest.raises(people.DomainError, match="only leader"):
        people.deactivate(me.pk, by=me, reassign_to=org.manager)
    # With a second leader, one may step down.
    manager = membership_of(org.manager, org.organisation)
    people.change_role(manager.pk, Role.LEADER, by=me)
    people.change_role(me.pk, Role.MANAGER, by=me)
    assert Membership.objects.filter(organisation=org.organisation, role=Role.LEADER).count() == 1
    changes = PeopleEvent.objects.filter(kind="role_changed").order_by("pk")
    assert list(changes.values_list("detail", flat=True)) == [
        "Manager → Leader",
        "Leader → Manager",
    ]


@pytest.mark.django_db
def test_deactivating_someone_with_open_work_asks_who_takes_it(org):
    open_action = ActionFactory(organisation=org.organisation, owner=org.staff)
    done = ActionFactory(
        organisation=org.organisation, owner=org.staff, status=ActionStatus.VERIFIED
    )
    objective = make_objective(org.organisation, org.staff)
    risk = raise_risk(org, owner=org.staff)
    staff = membership_of(org.staff, org.organisation)
    client = client_for(org.leader)

    page = client.get(f"/people/{staff.pk}/deactivate/").content.decode()
    assert "1 actions, 1 objectives, 1 risks" in page
    refused = client.post(f"/people/{staff.pk}/deactivate/", {"reassign_to": ""})
    assert refused.status_code == 200 and "choose who takes them over" in refused.content.decode()
    assert Membership.objects.filter(pk=staff.pk).exists()
    # An outsider cannot be chosen.
    stranger = member(org.organisation.__class__.objects.create(name="Z", slug="z"), Role.STAFF)
    outsider = client.post(f"/people/{staff.pk}/deactivate/", {"reassign_to": stranger.pk})
    assert outsider.status_code == 200
    assert Membership.objects.filter(pk=staff.pk).exists()

    response = client.post(f"/people/{staff.pk}/deactivate/", {"reassign_to": org.manager.pk})
    assert response.status_code == 302
    open_action.refresh_from_db()
    done.refresh_from_db()
    objective.refresh_from_db()
    risk.refresh_from_db()
    assert (open_action.owner, objective.owner, risk.owner) == (org.manager,) * 3
    assert done.owner == org.staff  # finished work stays theirs: it is the record
    assert open_action.history.first().history_user == org.leader
    assert not Membership.objects.filter(pk=staff.pk).exists()
    assert FormerMember.objects.get().user == org.staff
    org.staff.refresh_from_db()
    assert not org.staff.is_active
    kinds = list(PeopleEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["work_reassigned", "deactivated"]
    assert (
        "1 actions, 1 objectives, 1 risks to Acme Manager"
        in PeopleEvent.objects.get(kind="work_reassigned").detail
    )


@pytest.mark.django_db
def test_a_deactivated_person_cannot_sign_in_and_loses_their_session(org):
    session = signed_in(org.staff)
    assert session.get("/actions/mine/").status_code == 200
    people.deactivate(
        membership_of(org.staff, org.organisation).pk, by=leader_of(org), reassign_to=None
    )
    assert session.get("/actions/mine/").status_code == 302  # signed out
    again = Client()
    response = again.post("/accounts/login/", {"username": org.staff.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in again.session


@pytest.mark.django_db
def test_someone_in_two_organisations_keeps_the_other(org, other_org):
    from tests.factories import MembershipFactory

    MembershipFactory(user=org.staff, organisation=other_org.organisation, role=Role.STAFF)
    people.deactivate(
        membership_of(org.staff, org.organisation).pk, by=leader_of(org), reassign_to=None
    )
    org.staff.refresh_from_db()
    assert org.staff.is_active
    client = client_for(org.staff)
    assert client.get("/actions/mine/").status_code == 200
    assert list(org.staff.memberships.values_list("organisation", flat=True)) == [
        other_org.organisation.pk
    ]


@pytest.mark.django_db
def test_a_deactivated_persons_history_stays(org):
    action = ActionFactory(organisation=org.organisation, owner=org.staff)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.VERIFIED)
    people.deactivate(
        membership_of(org.staff, org.organisation).pk, by=leader_of(org), reassign_to=None
    )
    page = client_for(org.leader).get(f"/actions/{action.pk}/").content.decode()
    assert "Acme Staff" in page
    assert "Former members" in client_for(org.leader).get("/people/").content.decode()


@pytest.mark.django_db
def test_a_former_member_can_be_invited_back_with_the_same_account(org, inbox):
    from isova.onboarding import invitations

    from .conftest import accept_url, token_in

    people.deactivate(
        membership_of(org.staff, org.organisation).pk, by=leader_of(org), reassign_to=None
    )
    invitations.invite(
        org.organisation, [invitations.Invitee(org.staff.email, Role.STAFF)], by=leader_of(org)
    )
    password = "a long and unusual passphrase 42"
    client = Client()
    link = accept_url(token_in(inbox.wait_for(1)[0]))
    assert 'value="Acme Staff"' in client.get(link).content.decode()
    response = client.post(
        link, {"full_name": "Acme Staff", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    org.staff.refresh_from_db()
    assert org.staff.is_active and org.staff.full_name == "Acme Staff"
    assert membership_of(org.staff, org.organisation).role == Role.STAFF
