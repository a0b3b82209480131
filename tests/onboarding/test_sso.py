"""Single sign-on against a real OpenID Connect provider on loopback (Django OAuth Toolkit
in a server process of its own, started here): discovery, sign-in matched by verified
e-mail, domain join, required SSO, prompt=login re-authentication, forged tokens, state and
nonce."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import pytest
import requests
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from isova.models import Membership, Role, User
from isova.onboarding import sso
from isova.onboarding.models import PeopleEvent, SingleSignOn
from tests.conftest import client_for
from tests.factories import PASSWORD, member

# One provider per pytest-xdist worker, each on its own port of this range (9720-9739).
PORT = 9720 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 20
PROVIDER = f"http://127.0.0.1:{PORT}"
ISSUER = f"{PROVIDER}/o"
CLIENT_ID, CLIENT_SECRET = "isova-test-client", "isova-test-secret-0123456789"
IDP_PASSWORD = "provider password 1"
PEOPLE = [
    {"email": "member@acme.example", "name": "Mo Member"},
    {"email": "newcomer@acme.example", "name": "Nia Newcomer"},
    {"email": "outsider@elsewhere.example", "name": "Oz Outsider"},
    {"email": "unverified@acme.example", "name": "Una", "verified": False},
]


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider process; yields its RSA private key (PEM) so tests can forge tokens."""
    work = tmp_path_factory.mktemp("oidc")
    key = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    config = {
        "port": PORT,
        "database": str(work / "provider.sqlite3"),
        "private_key": key,
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uris": ["http://testserver/sso/callback/"],
        },
        "people": [dict(p, password=IDP_PASSWORD) for p in PEOPLE],
    }
    (work / "config.json").write_text(json.dumps(config))
    script = Path(__file__).with_name("oidc_provider.py")
    process = subprocess.Popen(
        [sys.executable, str(script), str(work / "config.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())},
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready":
            raise RuntimeError(f"provider did not start: {line} {process.stderr.read()}")
        yield key
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def acme(org, provider):
    config = sso.discover(
        SingleSignOn(
            organisation=org.organisation,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
    )
    config.save()
    org.organisation.slug = "acme"
    org.organisation.save(update_fields=["slug"])
    return config


def at_provider(authorize_url: str, email: str, browser: requests.Session | None = None):
    """Play the person at the provider: sign in there if asked; answer the callback address
    the provider sends the browser back to, and the provider's browser session."""
    browser = browser or requests.Session()
    answer = browser.get(authorize_url, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    location = urljoin(PROVIDER, answer.headers["Location"])
    if location.startswith(f"{PROVIDER}/login/"):
        next_url = parse_qs(urlparse(location).query)["next"][0]
        signed = browser.post(
            f"{PROVIDER}/login/",
            data={"username": email, "password": IDP_PASSWORD, "next": next_url},
            allow_redirects=False,
        )
        assert signed.status_code == 302, signed.text[:300]
        answer = browser.get(urljoin(PROVIDER, signed.headers["Location"]), allow_redirects=False)
        location = answer.headers["Location"]
    assert location.startswith("http://testserver/sso/callback/"), location
    return location.removeprefix("http://testserver"), browser


def sign_in(client: Client, email: str, **start_query: str):
    start = client.get("/sso/acme/", start_query)
    assert start.status_code == 302 and start["Location"].startswith(ISSUER)
    callback, browser = at_provider(start["Location"], email)
    return client.get(callback), callback, browser


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
def test_discovery_reads_the_endpoints(acme):
    assert acme.authorization_endpoint == f"{ISSUER}/authorize/"
    assert acme.token_endpoint == f"{ISSUER}/token/"
    assert acme.jwks_uri == f"{ISSUER}/.well-known/jwks.json"


@pytest.mark.django_db
def test_discovery_refuses_an_issuer_that_is_not_the_provider(org, provider):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="calls itself"):
        sso.discover(SingleSignOn(organisation=org.organisation, issuer=f"{PROVIDER}/o/x/.."))
    with pytest.raises(ValidationError, match="Could not read"):
        sso.discover(SingleSignOn(organisation=org.organisation, issuer="http://127.0.0.1:9712"))


@pytest.mark.django_db
def test_a_member_signs_in_without_a_password_matched_by_verified_email(org, acme):
    person = member(org.organisation, Role.STAFF, email="Member@Acme.example")
    client = Client()
    response, _, _ = sign_in(client, "member@acme.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == person
    assert client.get("/actions/mine/").status_code == 200


@pytest.mark.django_db
def test_someone_who_is_not_a_member_is_refused(org, acme):
    client = Client()
    response, _, _ = sign_in(client, "newcomer@acme.example")
    assert response["Location"] == "/accounts/login/"
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="newcomer@acme.example").exists()


@pytest.mark.django_db
def test_the_allowed_domain_joins_as_staff_others_do_not(org, acme):
    acme.join_domain = "acme.example"
    acme.save()
    client = Client()
    sign_in(client, "newcomer@acme.example")
    newcomer = signed_in_as(client)
    assert newcomer is not None and newcomer.email == "newcomer@acme.example"
    assert Membership.objects.get(user=newcomer).role == Role.STAFF
    assert not newcomer.has_usable_password()
    assert PeopleEvent.objects.get(kind="joined").person == newcomer
    # Another domain, and an address the provider has not verified: refused.
    for email in ("outsider@elsewhere.example", "unverified@acme.example"):
        other = Client()
        response, _, _ = sign_in(other, email)
        assert signed_in_as(other) is None, email
        assert not User.objects.filter(email=email).exists()


@pytest.mark.django_db
def test_state_is_checked_and_used_once(org, acme):
    member(org.organisation, Role.STAFF, email="member@acme.example")
    client = Client()
    response, callback, _ = sign_in(client, "member@acme.example")
    assert signed_in_as(client) is not None
    # The same answer again (replayed), in this browser or another: refused.
    again = Client()
    assert again.get(callback)["Location"] == "/accounts/login/"
    assert signed_in_as(again) is None
    # A callback with a state this browser never started: refused.
    stranger = Client()
    stranger.get("/sso/acme/")
    query = parse_qs(urlparse(callback).query)
    forged = stranger.get("/sso/callback/", {"code": query["code"][0], "state": "made-up"})
    assert forged["Location"] == "/accounts/login/" and signed_in_as(stranger) is None


@pytest.mark.django_db
def test_required_sso_refuses_passwords_except_the_break_glass_leader(org, acme):
    acme.required = True
    acme.break_glass = org.leader
    acme.save()
    refused = Client().post("/accounts/login/", {"username": org.staff.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "signs in with its identity provider" in refused.content.decode()
    allowed = Client()
    response = allowed.post(
        "/accounts/login/", {"username": org.leader.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and signed_in_as(allowed) == org.leader
    # Not required: passwords work again.
    acme.required = False
    acme.save()
    ok = Client()
    ok.post("/accounts/login/", {"username": org.staff.email, "password": PASSWORD})
    assert signed_in_as(ok) == org.staff


@pytest.mark.django_db
def test_the_leader_sets_it_up_on_a_page_with_discovery(org, provider):
    client = client_for(org.leader)
    data = {
        "enabled": "on",
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "join_domain": "@Acme.example",
        "required": "on",
        "break_glass": "",
    }
    missing = client.post("/people/single-sign-on/", data)
    assert "Name a leader" in missing.content.decode()
    assert not SingleSignOn.objects.exists()
    response = client.post("/people/single-sign-on/", data | {"break_glass": org.leader.pk})
    assert response.status_code == 302
    config = SingleSignOn.objects.get()
    assert config.join_domain == "acme.example" and config.token_endpoint.endswith("/token/")
    for user in (org.manager, org.staff):
        assert client_for(user).post("/people/single-sign-on/", data).status_code == 403


@pytest.mark.django_db
def test_reauthentication_for_signing_asks_the_provider_for_a_fresh_sign_in(org, acme):
    person = member(org.organisation, Role.LEADER, email="member@acme.example")
    client = Client()
    _, _, browser = sign_in(client, "member@acme.example")
    assert signed_in_as(client) == person
    start = client.get("/sso/acme/", {"reauth": "1", "binding": "hash-1", "next": "/approvals/"})
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    # The provider, although this browser is signed in there, asks for the password again.
    asked = browser.get(start["Location"], allow_redirects=False)
    assert asked.headers["Location"].startswith("/login/")
    time.sleep(1.1)  # auth_time has whole seconds
    callback, _ = at_provider(start["Location"], "member@acme.example", browser)
    done = client.get(callback)
    assert done["Location"] == "/approvals/"
    done = client.session[sso.REAUTH_SESSION]
    assert done["user"] == person.pk and done["binding"] == "hash-1"
    assert done["provider"] == "127.0.0.1"


@pytest.mark.django_db
def test_reauthentication_without_a_fresh_sign_in_is_refused(org, acme):
    member(org.organisation, Role.LEADER, email="member@acme.example")
    client = Client()
    _, _, browser = sign_in(client, "member@acme.example")
    # Started "later" than the provider's last sign-in, and the prompt removed on the way:
    # the provider answers from its session, with an old auth_time.
    with time_machine.travel(time.time() + 600):
        start = client.get("/sso/acme/", {"reauth": "1", "binding": "h"})
    stripped = start["Location"].replace("prompt=login&", "").replace("&max_age=0", "")
    callback, _ = at_provider(stripped, "member@acme.example", browser)
    refused = client.get(callback, follow=True)
    # Still signed in: back to where the confirmation started, saying why.
    assert refused.redirect_chain[0][0] == "/"
    assert "The provider did not ask for a fresh sign-in" in refused.content.decode()
    assert sso.REAUTH_SESSION not in client.session


def _backend(acme):
    return sso.OrganisationBackend(acme, purpose="signin", started=time.time(), user_id=None)


def _kid() -> str:
    return requests.get(f"{ISSUER}/.well-known/jwks.json", timeout=5).json()["keys"][0]["kid"]


def _token(key: str, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "email": "member@acme.example",
        "email_verified": True,
    } | claims
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": _kid()})


@pytest.mark.django_db
def test_a_genuine_token_passes_and_forged_or_expired_ones_are_refused(acme, provider):
    backend = _backend(acme)
    assert backend.verify_token(_token(provider), nonce="n-1")["sub"] == "1"
    other_key = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    forged = {
        "another key": _token(other_key),
        "expired": _token(provider, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "another audience": _token(provider, aud="someone-else"),
        "another issuer": _token(provider, iss="http://127.0.0.1:9799/o"),
        "no expiry": _token(provider, exp=None),
    }
    for what, token in forged.items():
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(token, nonce="n-1")
            pytest.fail(f"accepted a token with {what}")
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(_token(provider), nonce="n-2")
    unsigned = jwt.encode({"iss": ISSUER, "aud": CLIENT_ID}, None, algorithm="none")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(unsigned, nonce="n-1")


@pytest.mark.django_db
def test_an_invitation_is_accepted_by_signing_in_at_the_provider(org, acme):
    from isova.onboarding import invitations

    leader = Membership.objects.get(user=org.leader)
    invitations.invite(
        org.organisation, [invitations.Invitee("newcomer@acme.example", Role.MANAGER)], by=leader
    )
    invitation = invitations.Invitation.objects.get()
    token = invitations.token_for(invitation)
    client = Client()
    page = client.get(f"/invite/{token}/").content.decode()
    assert "Sign in with your organisation’s provider" in page
    response, _, _ = sign_in(client, "newcomer@acme.example", invitation=token)
    newcomer = signed_in_as(client)
    assert newcomer is not None and newcomer.email == "newcomer@acme.example"
    assert Membership.objects.get(user=newcomer).role == Role.MANAGER
    assert not newcomer.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer


@pytest.mark.django_db
def test_an_invitation_for_someone_else_is_not_accepted_by_the_provider(org, acme):
    from isova.onboarding import invitations

    leader = Membership.objects.get(user=org.leader)
    invitations.invite(
        org.organisation, [invitations.Invitee("someone@acme.example", Role.LEADER)], by=leader
    )
    token = invitations.token_for(invitations.Invitation.objects.get())
    client = Client()
    sign_in(client, "newcomer@acme.example", invitation=token)
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="newcomer@acme.example").exists()
    assert invitations.Invitation.objects.get().accepted_at is None
