"""The schema describes every endpoint and validates; the docs page keeps our CSP; limits."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

from isova.api.models import ApiToken
from isova.api.urls import router

from .conftest import api_as


def test_the_schema_is_valid_openapi_and_lists_every_route():
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    paths = set(schema["paths"])
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in paths
    for route in (
        "/api/v1/actions/{id}/status/",
        "/api/v1/actions/{id}/assign/",
        "/api/v1/objectives/{id}/measurements/",
        "/api/v1/audits/{id}/findings/",
        "/api/v1/risks/{id}/assessments/",
        "/api/v1/feedback/",
        "/api/v1/approvals/",
    ):
        assert route in paths
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_schema_shows_each_lists_page_filters_and_orderings():
    schema = yaml.safe_load(Client().get("/api/v1/schema/").content)

    def parameters(path: str) -> dict[str, dict]:
        found = schema["paths"][f"/api/v1/{path}/"]["get"]["parameters"]
        return {p["name"]: p for p in found if p["in"] == "query"}

    for path, filters in {
        "objectives": {"goal", "owner", "status", "rag"},
        "findings": {"type", "status", "process", "clause", "overdue", "age", "raised_from"},
        "risks": {"q", "kind", "band", "owner", "process", "status", "sort", "likelihood"},
        "feedback": {"kind", "status"},
        "decisions": {"q", "status", "source"},
        "actions": {"status", "owner", "overdue", "due_from", "source", "age"},
    }.items():
        found = parameters(path)
        assert filters | {"ordering", "cursor", "page_size"} <= set(found), path
        assert "-created" in found["ordering"]["schema"]["enum"], path
    risks = parameters("risks")
    assert {"score", "-score", "title", "next_review_date"} <= set(
        risks["ordering"]["schema"]["enum"]
    )
    assert "-inherent" in risks["sort"]["schema"]["enum"]
    assert risks["owner"]["schema"]["type"] == "integer"
    assert parameters("findings")["raised_from"]["schema"]["format"] == "date"
    assert parameters("findings")["overdue"]["schema"]["type"] == "boolean"
    assert "outstanding" in parameters("actions")["status"]["description"]
    assert "ordering" not in parameters("members")  # a list without a choice of order


def test_the_docs_page_loads_its_scripts_from_our_static_files_only():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attrs, body in scripts:
        assert body.strip() == "", "inline script would be refused by the CSP"
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith("/static/") or src.startswith("/api/v1/docs/")
    init = Client().get("/api/v1/docs/?script=")
    assert init.status_code == 200
    assert b"/api/v1/schema/" in init.content


@pytest.mark.redis
def test_a_flood_of_requests_gets_429_with_retry_after(org, settings):
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    api = api_as(org.staff, org.organisation)
    codes = [api.get("/api/v1/organisation/").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5
    limited = api.get("/api/v1/organisation/")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["status"] == 429
    # The limit is the token's: another token of the same person still works.
    assert api_as(org.staff, org.organisation).get("/api/v1/organisation/").status_code == 200
    assert ApiToken.objects.count() == 2
