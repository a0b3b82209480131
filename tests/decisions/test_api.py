"""The decisions resource: scoped to the token's organisation, read by everyone, written by
leaders and managers, a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from isova.actions import services as actions
from isova.api.models import Scope
from tests.conftest import membership_of
from tests.decisions.conftest import record, signed
from tests.isova.api.conftest import api_as
from tests.risks.conftest import raise_risk


def test_the_list_and_a_decision_with_its_state_links_and_actions(org):
    risk = raise_risk(org)
    decision = signed(org, risks=[risk])
    action = actions.action_create(
        membership=membership_of(org.manager, org.organisation),
        title="Tell the buyer",
        owner=org.staff,
        source=decision,
    )
    api = api_as(org.staff, org.organisation, Scope.READ)
    listed = api.get("/api/v1/decisions/").json()
    assert [row["id"] for row in listed["results"]] == [decision.pk]
    body = api.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert body["state"] == "signed"
    assert body["version"] == 1
    assert body["risks"] == [risk.pk]
    assert body["actions"] == [action.pk]
    assert body["rationale"].startswith("Fewer changeovers")


def test_another_organisations_decision_is_404_and_not_listed(org, other_org):
    theirs = record(other_org)
    api = api_as(org.leader, org.organisation)
    assert api.get(f"/api/v1/decisions/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/decisions/").json()["results"] == []


def test_a_manager_records_a_draft_and_staff_may_not(org, other_org):
    risk, theirs = raise_risk(org), raise_risk(other_org)
    body = {
        "title": "Weekly slot",
        "decision": "Deliver on Thursdays.",
        "rationale": "Plannable.",
        "owner": org.manager.pk,
        "review_date": "2030-01-01",
        "risks": [risk.pk],
    }
    made = api_as(org.manager, org.organisation).post("/api/v1/decisions/", body)
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "draft"
    assert made.json()["risks"] == [risk.pk]
    refused = api_as(org.staff, org.organisation).post("/api/v1/decisions/", body)
    assert refused.status_code == 403
    foreign = api_as(org.manager, org.organisation).post(
        "/api/v1/decisions/", body | {"risks": [theirs.pk]}
    )
    assert foreign.status_code == 400
    assert "risks" in str(foreign.json())


def test_the_list_runs_the_same_queries_at_2_and_at_12_rows(org):
    api = api_as(org.leader, org.organisation)
    api.get("/api/v1/decisions/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/decisions/").status_code == 200
        return len(queries)

    risk = raise_risk(org)
    for i in range(2):
        signed(org, title=f"Decision {i}", risks=[risk])
    count()
    small = count()
    for i in range(10):
        record(org, title=f"More {i}", risks=[risk])
    assert count() == small
