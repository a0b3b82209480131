"""Tokens: hashed, shown once, scoped, expiring, revocable; a token acts as its person."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from isova.api.models import ApiToken, Scope
from isova.models import Membership
from tests.conftest import client_for

from .conftest import Api, api_as, token_for

ME = "/api/v1/organisation/"


def test_a_token_is_stored_only_as_its_sha256(org):
    secret = token_for(org.staff, org.organisation)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.hint, token.name}
    assert Api(secret).get(ME).json()["name"] == org.organisation.name


def test_no_token_or_a_wrong_one_answers_401_as_problem_details(org):
    response = Client().get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert Api("isova_not-a-real-token").get(ME).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer").get(ME).status_code == 401


def test_a_revoked_token_answers_401(org):
    secret = token_for(org.staff, org.organisation)
    assert Api(secret).get(ME).status_code == 200
    token = ApiToken.objects.get()
    response = client_for(org.staff).post(f"/account/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert Api(secret).get(ME).status_code == 401


def test_an_expired_token_answers_401(org):
    secret = token_for(org.staff, org.organisation, expires_in_days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert Api(secret).get(ME).status_code == 401


def test_a_token_stops_when_its_person_leaves_the_organisation(org):
    secret = token_for(org.staff, org.organisation)
    Membership.objects.filter(user=org.staff).delete()
    assert Api(secret).get(ME).status_code == 401


def test_a_read_token_cannot_write(org):
    api = api_as(org.manager, org.organisation, Scope.READ)
    response = api.post("/api/v1/actions/", {"title": "X", "owner": org.staff.pk})
    assert response.status_code == 403
    assert "read" in response.json()["detail"]
    assert api.get("/api/v1/actions/").status_code == 200


def test_last_used_is_recorded(org):
    secret = token_for(org.staff, org.organisation)
    assert ApiToken.objects.get().last_used_at is None
    Api(secret).get(ME)
    assert ApiToken.objects.get().last_used_at is not None


def test_the_profile_page_shows_a_new_token_once(org):
    page = client_for(org.staff)
    response = page.post(
        "/account/api/tokens/", {"name": "BI report", "scope": "read", "expires_in_days": "30"}
    )
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret.startswith("isova_") and secret in response.content.decode()
    again = page.get("/account/api/tokens/")
    assert secret not in again.content.decode()
    assert "BI report" in again.content.decode()
    assert Api(secret).get(ME).status_code == 200


def test_tokens_of_others_cannot_be_revoked_and_other_orgs_answer_404(org, other_org):
    token_for(org.manager, org.organisation)
    token = ApiToken.objects.get()
    assert client_for(org.staff).post(f"/account/api/tokens/{token.pk}/revoke/").status_code == 403
    assert (
        client_for(other_org.leader).post(f"/account/api/tokens/{token.pk}/revoke/").status_code
        == 404
    )
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_make_service_tokens(org, role):
    form = {
        "name": "Ledger-sync-7",
        "scope": "read_write",
        "expires_in_days": "90",
        "kind": "service",
    }
    assert client_for(org.user(role)).post("/account/api/tokens/", form).status_code == 403
    assert client_for(org.leader).post("/account/api/tokens/", form).status_code == 201
    token = ApiToken.objects.get()
    assert token.kind == "service"
    # Every leader sees and may revoke the organisation's service tokens.
    assert b"Ledger-sync-7" in client_for(org.leader).get("/account/api/tokens/").content
    assert b"Ledger-sync-7" not in client_for(org.user(role)).get("/account/api/tokens/").content


def test_a_token_of_one_organisation_sees_nothing_of_another(org, other_org):
    api = api_as(org.leader, org.organisation)
    assert api.get(ME).json()["id"] == org.organisation.pk
    members = api.get("/api/v1/members/").json()["results"]
    emails = {m["person"]["email"] for m in members}
    assert org.leader.email in emails and other_org.leader.email not in emails
    other_member = Membership.objects.get(user=other_org.leader)
    assert api.get(f"/api/v1/members/{other_member.pk}/").status_code == 404
