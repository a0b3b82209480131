"""What resources contribute to onboarding: a person's current and future allocations are
open work, counted on the people page and handed over when they are deactivated."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from isova import records
from isova.accounts.models import Organisation, User
from isova.onboarding.hooks import OwnedWork, register_owned_work
from isova.records.models import Approvable

from .models import Allocation, AllocationQuerySet, month_start


def _open(organisation: Organisation) -> AllocationQuerySet:
    """Allocations with months still to come (this month included)."""
    return Allocation.objects.for_org(organisation).filter(
        end_month__gte=month_start(organisation.today())
    )


def counts(organisation: Organisation) -> dict[int, int]:
    rows = _open(organisation).values("person").annotate(n=Count("pk")).order_by()
    return {row["person"]: row["n"] for row in rows}


@transaction.atomic
def reassign(organisation: Organisation, from_user: User, to_user: User) -> int:
    """Each allocation moves whole; its plan asks the leaders to approve the change."""
    moved = 0
    for allocation in _open(organisation).filter(person=from_user):
        allocation.person = to_user
        allocation.save(update_fields=["person", "updated_at"])
        plan = allocation.plan
        if isinstance(plan, Approvable):
            records.record_changed(obj=plan, changed_fields=(), user=None)
        moved += 1
    return moved


register_owned_work(OwnedWork("allocations", "allocations", 40, counts, reassign))
