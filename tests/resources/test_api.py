"""Allocations and the workload in the REST API: leaders and managers, this organisation only."""

from __future__ import annotations

import datetime

from tests.isova.api.conftest import api_as
from tests.objectives.conftest import make_objective

from .conftest import FEB, MAR, action_for, allocate


def test_the_workload_answers_the_pages_figures(org, plan):
    allocate(org, plan, org.manager, 30, FEB, MAR)
    action_for(org, org.manager, 35, datetime.date(2027, 3, 9))
    body = (
        api_as(org.leader, org.organisation)
        .get("/api/v1/workload/", **{"from": "2027-02", "months": "2"})
        .json()
    )
    manager = next(r for r in body if r["person"]["id"] == org.manager.pk)
    assert [(c["month"], c["hours"], c["over"]) for c in manager["cells"]] == [
        ("2027-02-01", "15.00", False),
        ("2027-03-01", "50.00", True),
    ]
    assert manager["capacity"] == 40


def test_bad_workload_parameters_are_a_400(org):
    api = api_as(org.leader, org.organisation)
    assert api.get("/api/v1/workload/", **{"from": "2027-13"}).status_code == 400
    assert api.get("/api/v1/workload/", months="99").status_code == 400


def test_allocations_are_listed_for_leaders_and_managers_of_this_organisation(org, other_org, plan):
    allocate(org, plan, org.staff, 12, MAR)
    theirs = make_objective(other_org.organisation, other_org.manager)
    other = allocate(other_org, theirs, other_org.staff, 5, MAR)
    api = api_as(org.manager, org.organisation)
    rows = api.get("/api/v1/allocations/").json()["results"]
    assert [(r["person"]["id"], r["hours"], r["plan_type"], r["plan_label"]) for r in rows] == [
        (org.staff.pk, "12.0", "objective", plan.title)
    ]
    assert api.get(f"/api/v1/allocations/{other.pk}/").status_code == 404
    assert api_as(org.staff, org.organisation).get("/api/v1/allocations/").status_code == 403
    assert api_as(org.staff, org.organisation).get("/api/v1/workload/").status_code == 403


def test_allocations_export_as_csv_for_leaders_and_managers(org, other_org, plan, as_user):
    allocate(org, plan, org.staff, 30, FEB, MAR)
    theirs = make_objective(other_org.organisation, other_org.manager, title="Rival plan")
    allocate(other_org, theirs, other_org.staff, 5, MAR)
    response = as_user(org.manager).get("/data/export/allocations.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert org.staff.email in text and "Raise on-time delivery" in text and "15" in text
    assert "Rival plan" not in text
    assert as_user(org.staff).get("/data/export/allocations.csv").status_code == 403
    xlsx = as_user(org.leader).get("/data/export/allocations.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
