"""Logging in and out, login throttling (django-axes), password change and reset."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def test_the_login_page_labels_its_inputs(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_username">E-mail address</label>' in page
    assert '<label for="id_password">Password</label>' in page


@pytest.mark.parametrize(
    ("role", "landing"), [("staff", "/actions/mine/"), ("manager", "/dashboard/")]
)
def test_a_correct_password_logs_in_and_lands_on_the_roles_home_page(client, org, role, landing):
    response = attempt(client, org.user(role).email, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == landing


def test_the_email_address_is_not_case_sensitive(client, org):
    response = attempt(client, org.staff.email.upper(), PASSWORD)
    assert response.status_code == 302


def test_a_wrong_password_shows_an_error_on_the_form(client, org):
    response = attempt(client, org.staff.email, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password." in response.content.decode()


def test_the_fifth_bad_password_shows_the_locked_out_page_saying_for_how_long(client, org):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert attempt(client, org.staff.email, "wrong").status_code == 200
    response = attempt(client, org.staff.email, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-in attempts" in page
    assert "paused for 15 minutes" in page
    assert "PT15M" not in page


def test_repeated_bad_passwords_lock_the_account_out(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, org.staff.email, "wrong")
    # Even the right password is refused now…
    response = attempt(client, org.staff.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # …from this IP (which is locked for every address now), while somebody elsewhere logs in.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert attempt(other, org.manager.email, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off_period(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, org.staff.email, "wrong")
    assert attempt(client, org.staff.email, PASSWORD).status_code == 429
    later = timezone.now() + datetime.timedelta(minutes=16)
    with time_machine.travel(later):
        assert attempt(client, org.staff.email, PASSWORD).status_code == 302


def test_varying_the_case_of_the_address_does_not_escape_the_lockout(client, org):
    email = org.staff.email
    for variant in [email, email.upper(), email.title(), email.capitalize(), email.swapcase()]:
        attempt(client, variant, "wrong")
    assert attempt(client, email.upper(), PASSWORD).status_code == 429
    assert attempt(client, email, PASSWORD).status_code == 429


def test_a_successful_login_resets_the_failure_count(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, org.staff.email, "wrong")
    assert attempt(client, org.staff.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, org.staff.email, "wrong").status_code == 200
    assert attempt(client, org.staff.email, PASSWORD).status_code == 302


def test_logging_out_ends_the_session(org, as_user):
    client = as_user(org.staff)
    assert client.get("/actions/mine/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # only by POST (CSRF-protected)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/actions/mine/")["Location"].startswith(LOGIN)


def test_a_logged_in_user_visiting_the_login_page_goes_home(org, as_user):
    response = as_user(org.staff).get(LOGIN)
    assert response.status_code == 302


def test_changing_the_password_needs_the_old_one_and_keeps_the_user_logged_in(org, as_user):
    client = as_user(org.staff)
    page = client.get("/accounts/password_change/").content.decode()
    assert 'for="id_old_password"' in page
    new = "a much longer passphrase 42"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    org.staff.refresh_from_db()
    assert org.staff.check_password(new)
    assert client.get("/actions/mine/").status_code == 200


def test_a_weak_new_password_is_refused(org, as_user):
    response = as_user(org.staff).post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


def test_password_reset_mails_a_working_link_based_on_the_site_url(client, org, settings):
    settings.SITE_URL = "https://qms.example.org"
    response = client.post("/accounts/password_reset/", {"email": org.staff.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.staff.email]
    assert message.subject == "Reset your isova password"
    link = re.search(r"^(\S+/accounts/reset/\S+/)$", message.body, re.MULTILINE).group(1)
    assert link.startswith(f"{settings.SITE_URL}/accounts/reset/")

    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    new = "the tide comes in twice a day"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    org.staff.refresh_from_db()
    assert org.staff.check_password(new)

    # The link works once only.
    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert "This link has expired or was already used." in response.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, org):
    known = client.post("/accounts/password_reset/", {"email": org.staff.email})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.net"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_bad_passwords_from_elsewhere_never_lock_the_person_out_of_their_usual_place(org):
    """Nobody can lock a named person out: failures count per (address, IP) and per IP."""
    for i in range(settings.AXES_FAILURE_LIMIT * 2):
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        attempt(client, org.staff.email, "wrong")
    usual = Client(REMOTE_ADDR="203.0.113.7")
    response = attempt(usual, org.staff.email, PASSWORD)
    assert response.status_code == 302
    assert usual.session["_auth_user_id"] == str(org.staff.pk)


def test_a_lockout_from_one_ip_leaves_the_person_free_to_sign_in_from_another(org):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(attacker, org.staff.email, "wrong")
    assert attempt(attacker, org.staff.email, PASSWORD).status_code == 429
    office = Client(REMOTE_ADDR="203.0.113.7")
    assert attempt(office, org.staff.email, PASSWORD).status_code == 302
    assert office.session["_auth_user_id"] == str(org.staff.pk)


def test_one_ip_trying_many_addresses_is_locked_out(org):
    """Password spraying: one IP, one bad password for each of many addresses."""
    sprayer = Client(REMOTE_ADDR="198.51.100.66")
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(sprayer, f"someone{i}@example.com", "wrong")
    assert attempt(sprayer, org.manager.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in sprayer.session
    elsewhere = Client(REMOTE_ADDR="203.0.113.7")
    assert attempt(elsewhere, org.manager.email, PASSWORD).status_code == 302
