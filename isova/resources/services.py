"""Writes of resources: a plan's people, tools and budget; reassigning; capacity.

Every change to what a plan needs is a change to the plan leaders approve: it goes through
`records.record_changed`, so an approved plan's approval is superseded (the next version
asks for approval) and a submitted one goes back to draft.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction

from isova import errors, records
from isova.accounts import tenancy
from isova.accounts.models import Membership, Organisation, User
from isova.actions import services as action_services
from isova.actions.models import Action
from isova.records.models import Approvable

from .models import Allocation, LineKind, PlanPart, ResourceLine, ResourcePlan, month_start

PartT = TypeVar("PartT", Allocation, ResourceLine)


class ResourceError(errors.Invalid):
    """What the user asked for breaks a rule of allocations; the message says which."""


def _require(membership: Membership, perm: str, message: str) -> None:
    if not tenancy.has_perm(membership, perm):
        raise errors.NotAllowed(message)


def _check_plan(membership: Membership, plan: ResourcePlan) -> None:
    _require(membership, "resources.allocation.edit", "Only managers and leaders allocate.")
    if getattr(plan, "organisation_id", None) != membership.organisation_id:
        raise errors.NotFound("No such plan in this organisation.")


def _check_own(membership: Membership, row: Any, message: str, missing: str) -> None:
    """A change to one of the organisation's rows: managers' and leaders' (else `message`),
    and no such row (`missing`) in another organisation."""
    _require(membership, "resources.allocation.edit", message)
    if row.organisation_id != membership.organisation_id:
        raise errors.NotFound(missing)


def _add_part(membership: Membership, plan: ResourcePlan, part: PartT) -> PartT:
    """Put a new allocation or line on the plan, by this member: the plan asks for approval
    anew."""
    part.organisation = membership.organisation
    part.created_by = membership.user
    part.set_plan(plan)
    part.save()
    _plan_changed(plan, membership.user)
    return part


def _check_person(organisation: Organisation, person: User) -> None:
    if not Membership.objects.filter(
        organisation=organisation, user=person, user__is_active=True
    ).exists():
        raise ResourceError("The person must be an active member of this organisation.")


def plan_changed(plan: object, user: User) -> None:
    """What a plan's people, tools or budget changing does to its approval (the import too)."""
    if isinstance(plan, Approvable):
        records.record_changed(obj=plan, changed_fields=(), user=user)


_plan_changed = plan_changed


def _check_months(start: datetime.date, end: datetime.date) -> None:
    if month_start(end) < month_start(start):
        raise ResourceError("The last month cannot come before the first.")


@transaction.atomic
def allocation_add(
    *,
    membership: Membership,
    plan: ResourcePlan,
    person: User,
    hours: Decimal,
    start_month: datetime.date,
    end_month: datetime.date,
    note: str = "",
) -> Allocation:
    """Name a person and their estimated hours, spread evenly from `start_month` to `end_month`."""
    _check_plan(membership, plan)
    _check_person(membership.organisation, person)
    _check_months(start_month, end_month)
    if hours <= 0:
        raise ResourceError("Give the estimated hours (more than 0).")
    allocation = Allocation(
        person=person, hours=hours, start_month=start_month, end_month=end_month, note=note
    )
    return _add_part(membership, plan, allocation)


@transaction.atomic
def allocation_reassign(
    *, membership: Membership, allocation: Allocation, person: User
) -> Allocation:
    """Move an allocation (all its months) to another member; the plan asks for approval anew."""
    _check_own(
        membership,
        allocation,
        "Only managers and leaders reassign work.",
        "No such allocation in this organisation.",
    )
    _check_person(membership.organisation, person)
    current = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if current.person_id == person.pk:
        raise ResourceError(f"This is already allocated to {person.get_full_name()}.")
    current.person = person
    current.save(update_fields=["person", "updated_at"])
    _plan_changed(current.plan, membership.user)
    return current


@transaction.atomic
def part_delete(*, membership: Membership, part: PlanPart) -> None:
    """Remove an allocation or a tool or budget line from its plan."""
    _check_own(membership, part, "Only managers and leaders allocate.", "Not in this organisation.")
    plan = part.plan
    part.delete()
    _plan_changed(plan, membership.user)


@transaction.atomic
def line_add(
    *,
    membership: Membership,
    plan: ResourcePlan,
    kind: str,
    description: str,
    amount_approved: Decimal,
) -> ResourceLine:
    """A tool or an amount of budget the plan needs (approved with the plan)."""
    _check_plan(membership, plan)
    if kind not in LineKind.values:
        raise ResourceError("Choose a tool or budget.")
    if amount_approved < 0:
        raise ResourceError("The amount cannot be negative.")
    line = ResourceLine(kind=kind, description=description, amount_approved=amount_approved)
    return _add_part(membership, plan, line)


@transaction.atomic
def line_record_spent(
    *, membership: Membership, line: ResourceLine, amount_spent: Decimal
) -> ResourceLine:
    """What has been spent so far: progress, not a change to what was approved."""
    _check_own(
        membership, line, "Only managers and leaders record spend.", "Not in this organisation."
    )
    if amount_spent < 0:
        raise ResourceError("The amount spent cannot be negative.")
    line.amount_spent = amount_spent
    line.save(update_fields=["amount_spent", "updated_at"])
    return line


def action_reassign(
    *, membership: Membership, action: Action, person: User, version: int
) -> Action:
    """Give an action to another member (the action workflow checks and notifies)."""
    _check_own(
        membership,
        action,
        "Only managers and leaders reassign work.",
        "No such action in this organisation.",
    )
    if action.owner_id == person.pk:
        raise ResourceError(f"This action is already {person.get_full_name()}'s.")
    return action_services.action_update(
        membership=membership, action=action, version=version, owner=person
    )


@transaction.atomic
def capacity_set(
    *, membership: Membership, default: int, per_member: dict[int, int | None]
) -> None:
    """The organisation's default hours a month and each member's own (None: the default).

    `per_member` is keyed by membership id; ids of other organisations are refused."""
    _require(membership, "resources.capacity.edit", "Only leaders set capacity.")
    organisation = membership.organisation
    mine = dict(
        Membership.objects.for_org(organisation)
        .filter(pk__in=per_member)
        .values_list("pk", "capacity_hours")
    )
    if set(per_member) - set(mine):
        raise errors.NotFound("Not a member of this organisation.")
    if organisation.default_capacity_hours != default:
        organisation.default_capacity_hours = default
        organisation.save(update_fields=["default_capacity_hours"])
    for pk, hours in per_member.items():
        if mine[pk] != hours:
            Membership.objects.filter(pk=pk).update(capacity_hours=hours)
