"""The apps' resources through the API, as each role: what the pages allow, nothing else."""

from __future__ import annotations

import pytest

from audits.models import Finding
from isova.records import workflow
from objectives.models import Measurement
from reviews.models import Feedback
from risks.models import Assessment, Risk
from tests.audits.conftest import plan, raise_finding, start
from tests.conftest import client_for, membership_of
from tests.objectives.conftest import add_values, complete, make_objective
from tests.reviews.conftest import plan_review
from tests.risks.conftest import raise_risk

from .conftest import api_as

ROLES = ["leader", "manager", "staff", "auditor"]


# --- objectives ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_objectives_with_the_pages_rag_and_values(org, role):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [85, 90])
    body = api_as(org.user(role), org.organisation).get(f"/api/v1/objectives/{objective.pk}/")
    assert body.status_code == 200
    data = body.json()
    assert [m["value"] for m in data["measurements"]] == ["85.0000", "90.0000"]
    page = client_for(org.user(role)).get(f"/objectives/{objective.pk}/")
    assert data["rag"] == page.context["objective"].rag


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owner", ["manager", "self"])
def test_recording_a_value_is_allowed_as_on_the_page(org, role, owner):
    user = org.user(role)
    objective = make_objective(org.organisation, user if owner == "self" else org.manager)
    page = client_for(user).post(
        f"/objectives/{objective.pk}/values/", {"period": "2025-02", "value": "91"}
    )
    api = api_as(user, org.organisation).post(
        f"/api/v1/objectives/{objective.pk}/measurements/", {"period": "2025-03", "value": "92"}
    )
    page_allowed = page.status_code == 302
    assert api.status_code == (201 if page_allowed else 403), api.content
    periods = set(Measurement.objects.filter(objective=objective).values_list("value", flat=True))
    assert (92 in periods) == page_allowed


def test_a_malformed_value_is_400_naming_the_fields(org):
    objective = make_objective(org.organisation, org.manager)
    api = api_as(org.manager, org.organisation)
    bad = api.post(
        f"/api/v1/objectives/{objective.pk}/measurements/", {"period": "May", "value": "x"}
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"period", "value"}
    assert not Measurement.objects.exists()


def test_other_organisations_objectives_answer_404(org, other_org):
    theirs = make_objective(other_org.organisation, other_org.manager)
    api = api_as(org.leader, org.organisation)
    assert api.get(f"/api/v1/objectives/{theirs.pk}/").status_code == 404
    answer = api.post(
        f"/api/v1/objectives/{theirs.pk}/measurements/", {"period": "2025-03", "value": "1"}
    )
    assert answer.status_code == 404
    assert api.get("/api/v1/objectives/").json()["results"] == []
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("count", [2, 25])
def test_the_objective_list_runs_a_fixed_number_of_queries(
    org, count, django_assert_max_num_queries
):
    for _ in range(count):
        add_values(make_objective(org.organisation, org.manager), [85, 90])
    api = api_as(org.staff, org.organisation)
    api.get("/api/v1/objectives/")
    # token, membership, the objectives with progress, their values (prefetch): 4
    with django_assert_max_num_queries(5):
        answer = api.get("/api/v1/objectives/")
    assert len(answer.json()["results"]) == count


# --- audits and findings --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_raising_a_finding_is_allowed_as_on_the_page(org, role):
    audit = start(org, plan(org))
    body = {"finding_type": "minor", "clause": "8.5.1", "description": "No WI", "evidence": "Seen"}
    page = client_for(org.user(role)).post(f"/audits/{audit.pk}/findings/new/", body)
    api = api_as(org.user(role), org.organisation).post(
        f"/api/v1/audits/{audit.pk}/findings/", body
    )
    page_allowed = page.status_code == 302
    assert api.status_code == (201 if page_allowed else 403)
    assert Finding.objects.count() == (2 if page_allowed else 0)
    if page_allowed:
        assert api.json()["reference"].endswith("/2")


def test_a_finding_on_a_planned_audit_is_refused_with_the_pages_reason(org):
    audit = plan(org)
    body = {"finding_type": "minor", "clause": "8.5.1", "description": "No WI", "evidence": "Seen"}
    answer = api_as(org.auditor, org.organisation).post(
        f"/api/v1/audits/{audit.pk}/findings/", body
    )
    assert answer.status_code == 422
    assert "in progress" in answer.json()["detail"]


def test_findings_and_audits_are_read_within_the_organisation(org, other_org):
    audit = start(org, plan(org))
    finding = raise_finding(org, audit)
    theirs = raise_finding(other_org, start(other_org, plan(other_org)))
    api = api_as(org.staff, org.organisation)
    assert [f["id"] for f in api.get("/api/v1/findings/").json()["results"]] == [finding.pk]
    assert api.get(f"/api/v1/findings/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/audits/{theirs.audit_id}/").status_code == 404
    assert api.get(f"/api/v1/audits/{audit.pk}/").json()["status"] == audit.status


# --- risks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_raising_and_assessing_a_risk_is_for_leaders_and_managers(org, role):
    api = api_as(org.user(role), org.organisation)
    allowed = role in ("leader", "manager")
    made = api.post(
        "/api/v1/risks/",
        {
            "title": "Supplier fails",
            "owner": org.manager.pk,
            "category": "supplier",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
        },
    )
    assert made.status_code == (201 if allowed else 403), made.content
    risk = raise_risk(org)
    assessed = api.post(
        f"/api/v1/risks/{risk.pk}/assessments/",
        {
            "reviewed_on": str(org.organisation.today()),
            "likelihood": 2,
            "impact": 2,
            "controls_effective": "yes",
        },
    )
    assert assessed.status_code == (201 if allowed else 403), assessed.content
    assert Assessment.objects.filter(risk=risk).count() == (2 if allowed else 1)
    read = api.get(f"/api/v1/risks/{risk.pk}/").json()
    assert read["residual_band"] == Risk.objects.get(pk=risk.pk).residual_band
    assert len(read["assessments"]) == (2 if allowed else 1)


def test_a_risk_of_another_organisation_cannot_be_read_or_assessed(org, other_org):
    theirs = raise_risk(other_org)
    api = api_as(org.leader, org.organisation)
    assert api.get(f"/api/v1/risks/{theirs.pk}/").status_code == 404
    answer = api.post(
        f"/api/v1/risks/{theirs.pk}/assessments/",
        {
            "reviewed_on": str(org.organisation.today()),
            "likelihood": 1,
            "impact": 1,
            "controls_effective": "yes",
        },
    )
    assert answer.status_code == 404
    assert Assessment.objects.filter(risk=theirs).count() == 1


# --- reviews, feedback, approvals ---------------------------------------------------------------


def test_reviews_are_read_by_everyone_of_the_organisation_only(org, other_org):
    review = plan_review(org)
    theirs = plan_review(other_org)
    for role in ROLES:
        api = api_as(org.user(role), org.organisation)
        assert [r["id"] for r in api.get("/api/v1/reviews/").json()["results"]] == [review.pk]
        assert api.get(f"/api/v1/reviews/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_feedback_as_on_the_pages(org, role):
    api = api_as(org.user(role), org.organisation)
    mine = api.post("/api/v1/feedback/", {"title": "Label the shelves"})
    assert mine.status_code == 201
    customer = api.post(
        "/api/v1/feedback/",
        {"kind": "complaint", "title": "Late again", "customer": "Bolt Ltd"},
    )
    responders = role in ("leader", "manager")
    assert customer.status_code == (201 if responders else 403), customer.content
    someone_else = Feedback.objects.create(
        organisation=org.organisation,
        kind="suggestion",
        title="Other",
        received_on="2025-01-01",
        submitted_by=org.leader if role != "leader" else org.manager,
    )
    listed = {f["id"] for f in api.get("/api/v1/feedback/").json()["results"]}
    sees_register = role in ("leader", "manager", "auditor")
    assert mine.json()["id"] in listed
    assert (someone_else.pk in listed) == sees_register
    detail = api.get(f"/api/v1/feedback/{someone_else.pk}/")
    assert detail.status_code == (200 if sees_register else 403)


def test_approvals_waiting_for_me_are_a_leaders_inbox(org):
    objective = complete(make_objective(org.organisation, org.manager, status="draft"))
    from isova.actions.services import action_create

    action_create(
        membership=membership_of(org.manager, org.organisation),
        title="Step",
        owner=org.staff,
        source=objective,
    )
    workflow.submit(membership=membership_of(org.manager, org.organisation), obj=objective)
    leader = api_as(org.leader, org.organisation).get("/api/v1/approvals/").json()["results"]
    assert [a["record"] for a in leader] == [f"objectives.objective:{objective.pk}"]
    for role in ("manager", "staff", "auditor"):
        assert (
            api_as(org.user(role), org.organisation).get("/api/v1/approvals/").json()["results"]
            == []
        )
    # Read only: deciding stays in the browser.
    answer = api_as(org.leader, org.organisation).post("/api/v1/approvals/", {})
    assert answer.status_code == 405


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_summary_has_the_pages_panels_and_figures(org):
    import datetime as dt

    from tests.isova.conftest import make_action

    make_action(org, due_date=org.organisation.today() - dt.timedelta(days=3))
    add_values(make_objective(org.organisation, org.manager), [85])
    page = client_for(org.leader).get("/dashboard/")
    shown = [p.name for p in page.context["panels"]]
    answer = api_as(org.leader, org.organisation).get("/api/v1/dashboard/")
    assert answer.status_code == 200
    data = answer.json()
    assert [p["name"] for p in data["panels"]] == shown
    assert data["today"] == str(org.organisation.today())
    # Each panel's figures are its builder's, made JSON (no HTML, no Python reprs of records).
    text = answer.content.decode()
    assert "<" not in text and "object at 0x" not in text


def test_the_dashboard_summary_runs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    from isova.registry import registry

    api = api_as(org.leader, org.organisation)
    api.get("/api/v1/dashboard/")
    panels = registry.panels()
    with django_assert_max_num_queries(4 + sum(p.max_queries for p in panels)):
        assert api.get("/api/v1/dashboard/").status_code == 200
