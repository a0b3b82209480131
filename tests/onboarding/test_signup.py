"""Self-service sign-up: off by default; e-mail confirmation through a real SMTP server;
links used once; automated sign-ups held back."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from isova.models import Membership, Organisation, Role, User
from isova.onboarding.models import SignUp

from .conftest import body_of

FORM = {
    "organisation_name": "Bright Bakery",
    "email": "Owner@Bright.example",
    "timezone": "Europe/Dublin",
    "website": "",
}


@pytest.fixture
def open_signup(settings):
    settings.SELF_SIGNUP = True


@pytest.mark.django_db
def test_sign_up_is_off_by_default():
    assert Client().get("/signup/").status_code == 404
    assert Client().post("/signup/", FORM).status_code == 404
    assert not SignUp.objects.exists()


@pytest.mark.django_db
def test_confirmed_address_starts_the_organisation_once(open_signup, inbox):
    client = Client()
    response = client.post("/signup/", FORM)
    assert response.status_code == 200 and "owner@bright.example" in response.content.decode()
    assert not Organisation.objects.exists()  # nothing until the address is confirmed
    link = re.search(r"http://testserver(/signup/\S+/)", body_of(inbox.wait_for(1)[0])).group(1)
    assert client.get(link).status_code == 200 and not Organisation.objects.exists()
    landed = client.post(link)
    assert landed.status_code == 302 and landed["Location"].startswith("/invite/")
    org = Organisation.objects.get()
    assert (org.name, org.timezone) == ("Bright Bakery", "Europe/Dublin")
    password = "a long and unusual passphrase 42"
    done = client.post(
        landed["Location"], {"full_name": "Ola Owner", "password1": password, "password2": password}
    )
    assert done.status_code == 302
    user = User.objects.get(email="owner@bright.example")
    assert Membership.objects.get(user=user, organisation=org).role == Role.LEADER
    # The link again: refused, no second organisation.
    assert Client().post(link).status_code == 410
    assert Organisation.objects.count() == 1
    # Altered: refused.
    assert Client().post(link[:-3] + "xx/").status_code == 410


@pytest.mark.django_db
def test_robots_are_held_back(open_signup, inbox, settings):
    settings.SIGNUP_PER_IP_PER_HOUR = 3
    filled = Client().post("/signup/", FORM | {"website": "http://spam.example"})
    assert filled.status_code == 200 and not SignUp.objects.exists()  # answered, not sent
    for n in range(3):
        assert Client().post("/signup/", FORM | {"email": f"p{n}@x.example"}).status_code == 200
    limited = Client().post("/signup/", FORM | {"email": "p9@x.example"})
    assert limited.status_code == 429 and "Too many sign-ups" in limited.content.decode()
    assert SignUp.objects.count() == 3 and len(inbox.wait_for(3)) == 3


@pytest.mark.django_db
def test_bad_input_is_answered_clearly(open_signup):
    response = Client().post("/signup/", FORM | {"timezone": "Mars/Base", "email": "nope"})
    text = response.content.decode()
    assert response.status_code == 200 and "not a known time zone" in text
    assert "valid email" in text and not SignUp.objects.exists()
