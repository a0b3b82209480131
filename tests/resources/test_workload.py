"""The workload's arithmetic against known data: spreading, actions by due month, capacity,
over-allocation, and reassignment moving the hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from isova.errors import DomainError, NotAllowed
from isova.models import ActionStatus, Membership
from isova.resources import services
from isova.resources.workload import month_detail, workload
from tests.conftest import membership_of

from .conftest import APR, FEB, JAN, MAR, action_for, allocate


def cells(load, user) -> dict[datetime.date, Decimal]:
    row = next(r for r in load.rows if r.person == user)
    return {c.month: c.hours for c in row.cells}


def test_an_allocation_is_spread_evenly_over_its_months(org, plan):
    allocate(org, plan, org.staff, 30, JAN, MAR)
    load = workload(org.organisation, datetime.date(2026, 12, 1), 5)
    assert cells(load, org.staff) == {
        datetime.date(2026, 12, 1): 0,
        JAN: 10,
        FEB: 10,
        MAR: 10,
        APR: 0,
    }


def test_uneven_spreads_keep_their_fractions(org, plan):
    allocate(org, plan, org.staff, 10, JAN, MAR)
    allocate(org, plan, org.staff, "4.5", FEB)
    hours = cells(workload(org.organisation, JAN, 3), org.staff)
    assert hours[JAN].quantize(Decimal("0.01")) == Decimal("3.33")
    assert hours[FEB].quantize(Decimal("0.01")) == Decimal("7.83")


def test_actions_count_in_the_month_they_are_due_unless_cancelled_or_without_estimate(org):
    action_for(org, org.staff, 8, datetime.date(2027, 2, 3))
    action_for(org, org.staff, 4, datetime.date(2027, 2, 28), status=ActionStatus.DONE)
    action_for(org, org.staff, 16, datetime.date(2027, 2, 10), status=ActionStatus.CANCELLED)
    action_for(org, org.staff, None, datetime.date(2027, 2, 10))
    action_for(org, org.staff, 6, datetime.date(2027, 3, 1))
    load = workload(org.organisation, JAN, 3)
    assert cells(load, org.staff) == {JAN: 0, FEB: 12, MAR: 6}
    feb = next(r for r in load.rows if r.person == org.staff).cells[1]
    assert (feb.allocated, feb.actions) == (0, 12)


def test_capacity_is_the_persons_own_else_the_organisations_default(org):
    organisation = org.organisation
    organisation.default_capacity_hours = 30
    organisation.save()
    Membership.objects.filter(user=org.staff, organisation=organisation).update(capacity_hours=12)
    rows = {r.person: r.capacity for r in workload(organisation, JAN, 1).rows}
    assert rows[org.staff] == 12
    assert rows[org.manager] == 30


def test_more_hours_than_capacity_is_over_allocation(org, plan):
    Membership.objects.filter(user=org.manager, organisation=org.organisation).update(
        capacity_hours=20
    )
    allocate(org, plan, org.manager, 15, MAR)
    action_for(org, org.manager, 6, datetime.date(2027, 3, 15))
    allocate(org, plan, org.staff, 40, MAR)  # exactly the default capacity: not over
    load = workload(org.organisation, FEB, 2)
    manager = next(r for r in load.rows if r.person == org.manager)
    assert [c.over for c in manager.cells] == [False, True]
    assert manager.cells[1].over_by == 1
    assert [r.person for r in load.over_allocated] == [org.manager]


def test_another_organisations_hours_and_people_do_not_count(org, other_org, plan):
    other_plan = type(plan).objects.create(
        **{
            f.attname: getattr(plan, f.attname)
            for f in plan._meta.concrete_fields
            if f.attname not in ("id", "organisation_id", "owner_id")
        },
        organisation=other_org.organisation,
        owner=other_org.manager,
    )
    allocate(other_org, other_plan, other_org.staff, 99, MAR)
    action_for(other_org, other_org.staff, 50, datetime.date(2027, 3, 2))
    load = workload(org.organisation, MAR, 1)
    assert other_org.staff not in [r.person for r in load.rows]
    assert all(c.hours == 0 for r in load.rows for c in r.cells)


def test_the_month_detail_lists_what_makes_up_the_hours(org, plan):
    allocate(org, plan, org.staff, 30, JAN, MAR)
    action = action_for(org, org.staff, 8, datetime.date(2027, 2, 3), title="Train the cell")
    items = month_detail(org.organisation, org.staff, FEB)
    assert [(i.kind, i.title, i.hours) for i in items] == [
        ("allocation", "Raise on-time delivery", Decimal(10)),
        ("action", "Train the cell", Decimal(8)),
    ]
    assert items[1].pk == action.pk
    assert sum(i.hours for i in items) == cells(workload(org.organisation, FEB, 1), org.staff)[FEB]


def test_reassigning_an_allocation_moves_all_its_hours(org, plan):
    allocation = allocate(org, plan, org.manager, 30, JAN, MAR)
    services.allocation_reassign(
        membership=membership_of(org.leader, org.organisation),
        allocation=allocation,
        person=org.staff,
    )
    load = workload(org.organisation, JAN, 3)
    assert cells(load, org.manager) == {JAN: 0, FEB: 0, MAR: 0}
    assert cells(load, org.staff) == {JAN: 10, FEB: 10, MAR: 10}


def test_reassigning_an_action_moves_its_hours(org):
    action = action_for(org, org.manager, 12, datetime.date(2027, 3, 15))
    services.action_reassign(
        membership=membership_of(org.leader, org.organisation),
        action=action,
        person=org.staff,
        version=action.version,
    )
    load = workload(org.organisation, MAR, 1)
    assert cells(load, org.manager)[MAR] == 0
    assert cells(load, org.staff)[MAR] == 12


def test_staff_cannot_reassign_and_nothing_moves(org, plan):
    allocation = allocate(org, plan, org.manager, 30, JAN)
    with pytest.raises(NotAllowed):
        services.allocation_reassign(
            membership=membership_of(org.staff, org.organisation),
            allocation=allocation,
            person=org.staff,
        )
    allocation.refresh_from_db()
    assert allocation.person == org.manager


def test_an_allocation_goes_only_to_a_member(org, other_org, plan):
    with pytest.raises(DomainError, match="member"):
        allocate(org, plan, other_org.staff, 10, JAN)
    with pytest.raises(DomainError, match="before the first"):
        allocate(org, plan, org.staff, 10, MAR, JAN)
