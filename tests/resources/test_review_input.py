"""The management review's "adequacy of resources" input (9.3.2 d) against known data."""

from __future__ import annotations

import datetime
from decimal import Decimal

from isova.models import Action, Membership
from isova.registry import registry
from isova.resources import services
from isova.resources.models import LineKind
from isova.resources.review_inputs import adequacy
from tests.conftest import membership_of
from tests.objectives.conftest import make_objective

from .conftest import MAR, action_for, allocate

MEETING = datetime.date(2027, 2, 10)


def test_it_is_registered_as_clause_d(db):
    section = next(s for s in registry.review_inputs() if s.key == "resources_workload")
    assert section.clause == "d"
    assert section.build is adequacy


def test_nothing_allocated_and_no_work_is_no_data(org):
    assert adequacy(org.organisation, datetime.date(2026, 11, 1), MEETING) == {}


def test_the_input_names_the_over_allocated_the_unresourced_plans_and_the_budget(org, plan):
    Membership.objects.filter(user=org.manager, organisation=org.organisation).update(
        capacity_hours=30
    )
    allocate(org, plan, org.manager, 24, MAR)
    action_for(org, org.manager, 10, datetime.date(2027, 3, 20))
    bare = make_objective(org.organisation, org.manager, title="Cut complaints")
    step = Action(organisation=org.organisation, title="Log complaints", owner=org.staff)
    step.source = bare
    step.save()
    make_objective(org.organisation, org.manager, title="No work yet")  # no actions: not listed
    manager = membership_of(org.manager, org.organisation)
    line = services.line_add(
        membership=manager, plan=plan, kind=LineKind.BUDGET, description="Freight",
        amount_approved=Decimal(1000),
    )  # fmt: skip
    services.line_record_spent(membership=manager, line=line, amount_spent=Decimal(1250))
    services.line_add(
        membership=manager, plan=plan, kind=LineKind.TOOL, description="Tracker",
        amount_approved=Decimal(500),
    )  # fmt: skip

    data = adequacy(org.organisation, datetime.date(2026, 11, 1), MEETING)

    assert dict(data["figures"]) == {
        "People over-allocated": 1,
        "Person-months over capacity": 1,
        "Plans with work but no resources": 1,
        "Budget approved": "£1,500.00",
        "Budget spent": "£1,250.00",
    }
    tables = {t["title"]: t["rows"] for t in data["tables"]}
    assert tables["Over-allocated in the 6 months from February 2027"] == [
        [org.manager.get_full_name(), "Mar 2027", "34", "30", "4"]
    ]
    assert tables["Plans with work under way but no people, tools or budget allocated"] == [
        ["Objective", "Cut complaints"]
    ]
    assert tables["Spent beyond the approved amount"] == [
        ["Raise on-time delivery", "Freight", "£1,000.00", "£1,250.00"]
    ]


def test_another_organisations_data_is_not_in_the_input(org, other_org, plan):
    allocate(org, plan, org.manager, 100, MAR)
    assert adequacy(other_org.organisation, datetime.date(2026, 11, 1), MEETING) == {}


def test_the_input_runs_a_fixed_number_of_queries(org, plan, django_assert_max_num_queries):
    for i in range(3):
        allocate(org, plan, org.manager, 50 + i, MAR)
        action_for(org, org.staff, 60, datetime.date(2027, 3, 2 + i))
    # members, allocations, actions (the workload); one per kind of plan (objectives, risks);
    # budget totals, lines over budget; content types are cached
    with django_assert_max_num_queries(8):
        small = adequacy(org.organisation, datetime.date(2026, 11, 1), MEETING)
    for i in range(20):
        other = make_objective(org.organisation, org.manager, title=f"Plan {i}")
        allocate(org, other, org.auditor, 45, MAR)
        Action.objects.create(organisation=org.organisation, title="x", owner=org.staff,
                              source_type_id=None)  # fmt: skip
    with django_assert_max_num_queries(8):
        larger = adequacy(org.organisation, datetime.date(2026, 11, 1), MEETING)
    assert dict(larger["figures"])["People over-allocated"] == 3
    assert dict(small["figures"])["People over-allocated"] == 2
