"""Invitations, end to end through a real SMTP server: start an organisation, invite, accept;
and every way a link can be wrong changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from isova.models import Membership, Organisation, Role, User
from isova.onboarding import invitations
from isova.onboarding.models import Invitation, PeopleEvent
from tests.conftest import client_for, membership_of

from .conftest import accept_url, body_of, token_in

NEW_PASSWORD = "a long and unusual passphrase 42"


def start(name="Northwind", email="founder@northwind.example", zone="Europe/Paris") -> Organisation:
    out = io.StringIO()
    call_command("create_organisation", name, "--leader", email, "--timezone", zone, stdout=out)
    assert "Invitation e-mailed" in out.getvalue()
    return Organisation.objects.get(name=name)


def set_password(client: Client, token: str, name="Fay Founder", password=NEW_PASSWORD):
    return client.post(
        accept_url(token), {"full_name": name, "password1": password, "password2": password}
    )


@pytest.mark.django_db
def test_create_organisation_mails_the_first_leader_who_sets_a_password(inbox):
    org = start()
    assert org.timezone == "Europe/Paris" and org.slug == "northwind"
    [message] = inbox.wait_for(1)
    assert message["To"] == "founder@northwind.example"
    assert "Northwind" in message["Subject"]
    token = token_in(message)
    invitation = Invitation.objects.get(organisation=org)
    assert invitation.sent_at is not None  # written after the server accepted it
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)

    client = Client()
    page = client.get(accept_url(token))
    assert page.status_code == 200 and b"Set your password" in page.content
    assert not User.objects.filter(email="founder@northwind.example").exists()  # GET: nothing

    response = set_password(client, token)
    assert response.status_code == 302
    user = User.objects.get(email="founder@northwind.example")
    assert user.full_name == "Fay Founder" and user.check_password(NEW_PASSWORD)
    assert membership_of(user, org).role == Role.LEADER
    assert client.get("/").status_code == 302  # signed in: home sends a leader on
    assert client.get("/dashboard/").status_code == 200
    kinds = list(PeopleEvent.objects.filter(organisation=org).values_list("kind", flat=True))
    assert set(kinds) == {"organisation_created", "invited", "joined"}

    # A second organisation for the same person: no second account.
    start("Southwind", "founder@northwind.example")
    second = token_in(inbox.wait_for(2)[1])
    anonymous = Client()
    assert anonymous.get(accept_url(second))["Location"].startswith("/accounts/login/")
    assert client.get(accept_url(second)).status_code == 200
    assert client.post(accept_url(second)).status_code == 302
    assert User.objects.filter(email="founder@northwind.example").count() == 1
    assert user.memberships.count() == 2


@pytest.mark.django_db
def test_create_organisation_refuses_bad_input():
    with pytest.raises(CommandError, match="time zone"):
        call_command(
            "create_organisation", "X", "--leader", "a@b.example", "--timezone", "Mars/Base"
        )
    with pytest.raises(CommandError, match="not an e-mail"):
        call_command("create_organisation", "X", "--leader", "nobody")
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_an_unsendable_invitation_is_not_marked_sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9701, 1
    err = io.StringIO()
    call_command(
        "create_organisation",
        "Quiet",
        "--leader",
        "q@quiet.example",
        stderr=err,
        stdout=io.StringIO(),
    )
    invitation = Invitation.objects.get()
    assert invitation.sent_at is None and invitation.send_error
    assert "could not be sent" in err.getvalue()


@pytest.mark.django_db
def test_a_used_link_cannot_be_used_again(inbox):
    start()
    token = token_in(inbox.wait_for(1)[0])
    assert set_password(Client(), token).status_code == 302
    again = set_password(Client(), token, name="Mallory", password="another long passphrase 99")
    assert again.status_code == 410 and b"already been used" in again.content
    user = User.objects.get(email="founder@northwind.example")
    assert user.full_name == "Fay Founder" and user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_an_expired_link_changes_nothing(inbox):
    start()
    token = token_in(inbox.wait_for(1)[0])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = set_password(Client(), token)
    assert response.status_code == 410 and b"expired" in response.content
    assert not User.objects.filter(email="founder@northwind.example").exists()


@pytest.mark.django_db
def test_an_altered_link_changes_nothing(inbox):
    org = start()
    token = token_in(inbox.wait_for(1)[0])
    invitation = Invitation.objects.get(organisation=org)
    # Flipped characters, and a well-formed link to the same row with a guessed nonce.
    for bad in (
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        signing.dumps([invitation.pk, "guess"], salt="wrong-salt"),
        signing.dumps([invitation.pk, "guess"], salt=invitations.SALT),
        "not-a-token",
    ):
        response = set_password(Client(), bad)
        assert response.status_code == 410, bad
    assert not User.objects.filter(email="founder@northwind.example").exists()
    assert not Membership.objects.filter(organisation=org).exists()


@pytest.mark.django_db
def test_revoked_and_replaced_links_change_nothing(inbox, org):
    leader = membership_of(org.leader, org.organisation)
    [invitation] = invitations.invite(
        org.organisation, [invitations.Invitee("new@acme.example", Role.STAFF)], by=leader
    )
    first = token_in(inbox.wait_for(1)[0])
    invitations.resend(invitation, by=leader)
    second = token_in(inbox.wait_for(2)[1])
    assert first != second
    assert set_password(Client(), first).status_code == 410  # replaced by the resend
    invitations.revoke(invitation, by=leader)
    response = set_password(Client(), second)
    assert response.status_code == 410 and b"withdrawn" in response.content
    assert not User.objects.filter(email="new@acme.example").exists()
    assert list(
        PeopleEvent.objects.filter(organisation=org.organisation)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["invited", "invitation_resent", "invitation_revoked"]


@pytest.mark.django_db
def test_another_organisations_invitation_cannot_be_managed_or_used_there(inbox, org, other_org):
    rival = membership_of(other_org.leader, other_org.organisation)
    [theirs] = invitations.invite(
        other_org.organisation, [invitations.Invitee("x@rival.example", Role.MANAGER)], by=rival
    )
    leader = client_for(org.leader)
    assert leader.post(f"/people/invitations/{theirs.pk}/revoke/").status_code == 404
    assert leader.post(f"/people/invitations/{theirs.pk}/resend/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and len(inbox.wait_for(1, timeout=1)) == 1
    # The link joins the organisation it was made for, never the one the person is in now.
    token = token_in(inbox.messages[0])
    client = Client()
    assert set_password(client, token).status_code == 302
    joined = User.objects.get(email="x@rival.example")
    assert list(joined.memberships.values_list("organisation", flat=True)) == [
        other_org.organisation.pk
    ]


@pytest.mark.django_db
def test_a_known_person_must_be_signed_in_as_the_invited_address(inbox, org, other_org):
    rival = membership_of(other_org.leader, other_org.organisation)
    invitations.invite(
        other_org.organisation, [invitations.Invitee(org.staff.email, Role.STAFF)], by=rival
    )
    token = token_in(inbox.wait_for(1)[0])
    # Somebody else signed in: refused, nothing joined; the invited person then joins.
    assert client_for(org.manager).post(accept_url(token)).status_code == 410
    assert not Membership.objects.filter(
        organisation=other_org.organisation, user=org.manager
    ).exists()
    # Setting a password over an existing account through the link is refused too.
    assert set_password(Client(), token).status_code == 302  # known: sent to log in
    assert not User.objects.get(pk=org.staff.pk).check_password(NEW_PASSWORD)
    assert client_for(org.staff).post(accept_url(token)).status_code == 302
    assert org.staff.memberships.count() == 2


@pytest.mark.django_db
def test_leaders_invite_many_from_a_list_and_a_csv(inbox, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    leader = client_for(org.leader)
    csv = SimpleUploadedFile(
        "people.csv",
        b"email,role,name\nc1@acme.example,auditor,Cat One\nc2@acme.example,,\n",
        content_type="text/csv",
    )
    response = leader.post(
        "/people/invite/",
        {
            "people": "a@acme.example\nb@acme.example, manager, Bea B\n\n",
            "role": "staff",
            "csv_file": csv,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    roles = dict(Invitation.objects.values_list("email", "role"))
    assert roles == {
        "a@acme.example": "staff",
        "b@acme.example": "manager",
        "c1@acme.example": "auditor",
        "c2@acme.example": "staff",
    }
    assert len(inbox.wait_for(4)) == 4
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 4


@pytest.mark.django_db
def test_a_bad_row_invites_nobody_and_says_which(inbox, org):
    leader = client_for(org.leader)
    response = leader.post(
        "/people/invite/",
        {
            "people": f"ok@acme.example\nnot-an-address\nz@acme.example, boss\n{org.staff.email}",
            "role": "staff",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Line 2" in text and "Line 3" in text
    assert not Invitation.objects.exists()
    # Valid addresses but one is already a member: all or none.
    response = leader.post(
        "/people/invite/", {"people": f"ok@acme.example\n{org.staff.email}", "role": "staff"}
    )
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists() and inbox.messages == []


@pytest.mark.django_db
def test_a_csv_with_an_unknown_column_is_refused(org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = SimpleUploadedFile("p.csv", b"email,team\nq@acme.example,ops\n", content_type="text/csv")
    response = client_for(org.leader).post("/people/invite/", {"role": "staff", "csv_file": csv})
    assert response.status_code == 200 and "Unknown column(s) team" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_managers_invite_staff_only_and_staff_not_at_all(inbox, org):
    manager = client_for(org.manager)
    refused = manager.post(
        "/people/invite/", {"people": "boss@acme.example, leader", "role": "staff"}
    )
    assert refused.status_code == 200 and "cannot invite a leader" in refused.content.decode()
    ok = manager.post("/people/invite/", {"people": "s@acme.example", "role": "staff"})
    assert ok.status_code == 302
    assert Invitation.objects.get().role == Role.STAFF
    # Forcing the role field to leader is refused by the form's choices too.
    forced = manager.post("/people/invite/", {"people": "t@acme.example", "role": "leader"})
    assert forced.status_code == 200 and Invitation.objects.count() == 1
    staff = client_for(org.staff)
    refused = staff.post("/people/invite/", {"people": "u@acme.example", "role": "staff"})
    assert refused.status_code == 403
    assert staff.get("/people/").status_code == 403
    assert manager.get("/people/").status_code == 403
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_an_invitation_email_links_to_the_site(inbox, org):
    invitations.invite(
        org.organisation,
        [invitations.Invitee("l@acme.example", Role.STAFF)],
        by=membership_of(org.leader, org.organisation),
    )
    body = body_of(inbox.wait_for(1)[0])
    assert "Acme Leader invites you to join Acme" in body and "as staff" in body


@pytest.mark.django_db
def test_password_rules_apply_when_accepting(inbox, org):
    invitations.invite(
        org.organisation,
        [invitations.Invitee("p@acme.example", Role.STAFF)],
        by=membership_of(org.leader, org.organisation),
    )
    token = token_in(inbox.wait_for(1)[0])
    response = set_password(Client(), token, password="password")
    assert response.status_code == 200 and "too common" in response.content.decode()
    assert not User.objects.filter(email="p@acme.example").exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None  # still usable
    assert set_password(Client(), token).status_code == 302
    assert User.objects.get(email="p@acme.example").check_password(NEW_PASSWORD)
