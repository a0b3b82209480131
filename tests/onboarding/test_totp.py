"""Two-factor sign-in with an authenticator app: enrolment, sign-in with a code, replay and
guessing refused, and leaders made to enrol when their organisation requires it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import time_machine
from django.test import Client

from isova.models import Role
from isova.onboarding.models import SignInPolicy, TotpDevice
from tests.conftest import client_for
from tests.factories import PASSWORD, member


def password_step(client: Client, user):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})


def enrol(user) -> pyotp.TOTP:
    client = client_for(user)
    page = client.get("/accounts/two-factor/setup/").content.decode()
    assert "<svg" in page  # the QR code, drawn inline
    secret = re.search(r"Key: <code>([A-Z2-7]+)</code>", page).group(1)
    totp = pyotp.TOTP(secret)
    assert client.post("/accounts/two-factor/setup/", {"code": "000000"}).status_code == 200
    assert client.post("/accounts/two-factor/setup/", {"code": totp.now()}).status_code == 302
    return totp


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_enrolment_then_a_password_alone_does_not_sign_in(org):
    totp = enrol(org.manager)
    assert TotpDevice.objects.get(user=org.manager).confirmed_at is not None
    client = Client()
    response = password_step(client, org.manager)
    assert response["Location"] == "/accounts/two-factor/"
    assert not signed_in(client)
    assert client.get("/dashboard/").status_code == 302  # still signed out
    # The code used to confirm enrolment was spent; the next step's code signs in.
    with time_machine.travel(time.time() + 30):
        wrong = client.post("/accounts/two-factor/", {"code": "123456"})
        assert wrong.status_code == 200 and not signed_in(client)
        code = totp.now()
        assert client.post("/accounts/two-factor/", {"code": code})["Location"] == "/"
        assert signed_in(client)
        # The same code again, in another browser: refused (used once).
        other = Client()
        password_step(other, org.manager)
        assert other.post("/accounts/two-factor/", {"code": code}).status_code == 200
        assert not signed_in(other)


@pytest.mark.django_db
def test_guessing_codes_sends_back_to_the_password(org):
    enrol(org.staff)
    client = Client()
    password_step(client, org.staff)
    for _ in range(4):
        assert client.post("/accounts/two-factor/", {"code": "000001"}).status_code == 200
    assert client.post("/accounts/two-factor/", {"code": "000001"})["Location"] == (
        "/accounts/login/"
    )
    assert client.get("/accounts/two-factor/")["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_the_code_page_expires(org):
    totp = enrol(org.staff)
    client = Client()
    password_step(client, org.staff)
    with time_machine.travel(time.time() + 301):
        response = client.post("/accounts/two-factor/", {"code": totp.now()})
    assert response["Location"] == "/accounts/login/" and not signed_in(client)


@pytest.mark.django_db
def test_leaders_must_enrol_when_the_organisation_requires_it(org):
    other = member(org.organisation, Role.LEADER)
    other_session = client_for(other)
    assert other_session.get("/dashboard/").status_code == 200  # signed in before the change
    leader = client_for(org.leader)
    assert leader.post("/people/sign-in-policy/", {"leaders_need_totp": "on"}).status_code == 302
    assert SignInPolicy.objects.get().leaders_need_totp
    assert leader.get("/dashboard/")["Location"] == "/accounts/two-factor/setup/"
    # Another leader already signed in is asked too, at the latest after the recheck time.
    with time_machine.travel(time.time() + 901):
        assert other_session.get("/dashboard/")["Location"] == "/accounts/two-factor/setup/"
    # Other roles are not asked; only leaders change the policy.
    assert client_for(org.manager).get("/dashboard/").status_code == 200
    assert client_for(org.manager).post("/people/sign-in-policy/", {}).status_code == 403
    enrol(org.leader)
    assert leader.get("/dashboard/").status_code == 200
