"""The workload, a person's month and a plan's resources run a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from isova.models import Action, Membership, Role, User
from isova.resources.models import Allocation
from isova.resources.plans import plan_url
from tests.factories import member
from tests.objectives.conftest import make_objective

from .conftest import FEB, MAR, allocate


def _grow(org, people: int, plans: int) -> None:
    """`people` more members, each with hours on `plans` new plans and actions in March."""
    users = [member(org.organisation, Role.STAFF) for _ in range(people)]
    for i in range(plans):
        plan = make_objective(org.organisation, org.manager, title=f"Plan {i}")
        for user in users:
            allocate(org, plan, user, 12, FEB, MAR)
    Action.objects.bulk_create(
        Action(organisation=org.organisation, title=f"Task {i}", owner=user,
               due_date=datetime.date(2027, 3, 1 + i % 28), estimated_effort_hours=3)
        for i, user in enumerate(users * 3)
    )  # fmt: skip


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_workload_runs_the_same_queries_at_small_and_larger_data(
    org, plan, as_user, django_assert_max_num_queries
):
    allocate(org, plan, org.staff, 10, MAR)
    client = as_user(org.leader)
    url = reverse("resources:workload") + "?from=2027-01"
    # session, user, memberships (middleware); members, allocations summed per month, actions
    # summed per month
    with django_assert_max_num_queries(6):
        small = _count(client, url)
    _grow(org, people=25, plans=6)
    with django_assert_max_num_queries(6):
        larger = _count(client, url)
    assert small == larger
    assert Allocation.objects.count() == 151


def test_a_persons_month_runs_the_same_queries_at_small_and_larger_data(
    org, plan, as_user, django_assert_max_num_queries
):
    allocate(org, plan, org.staff, 10, MAR)
    Action.objects.create(organisation=org.organisation, title="One", owner=org.staff,
                          due_date=datetime.date(2027, 3, 4), estimated_effort_hours=2)  # fmt: skip
    client = as_user(org.leader)
    member = Membership.objects.get(user=org.staff)
    url = reverse("resources:person_month", args=[member.pk, "2027-03"])
    # middleware (3); the member; the workload for one person (3); the month's allocations
    # and actions (2); the members to reassign to
    with django_assert_max_num_queries(10):
        small = _count(client, url)
    for i in range(15):
        other = make_objective(org.organisation, org.manager, title=f"Plan {i}")
        allocate(org, other, org.staff, 6, MAR)
        Action.objects.create(
            organisation=org.organisation,
            title=f"T{i}",
            owner=org.staff,
            due_date=datetime.date(2027, 3, 5),
            estimated_effort_hours=1,
        )
    _grow(org, people=10, plans=1)
    with django_assert_max_num_queries(10):
        larger = _count(client, url)
    assert small == larger


def test_a_plans_resources_page_and_include_run_the_same_queries(
    org, plan, as_user, django_assert_max_num_queries
):
    allocate(org, plan, org.staff, 10, MAR)
    client = as_user(org.manager)
    # middleware (3); the plan; its allocations with people; its tools and budget; the
    # members offered in the form (7); where its approval stands: versions, sign-offs, and
    # the snapshot as it would be signed now (the objective's plan steps, owner, people,
    # tools and budget) (6)
    with django_assert_max_num_queries(13):
        small = _count(client, plan_url(plan))
    detail_small = _count(client, plan.get_absolute_url())
    _grow(org, people=12, plans=0)
    for user in User.objects.filter(memberships__organisation=org.organisation)[:12]:
        allocate(org, plan, user, 4, MAR)
    with django_assert_max_num_queries(13):
        larger = _count(client, plan_url(plan))
    assert small == larger
    assert _count(client, plan.get_absolute_url()) == detail_small  # the objective's page
