"""What objectives contribute to onboarding: owned open objectives, and the checklist step."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from isova.models import Organisation, User
from isova.onboarding.hooks import (
    ChecklistItem,
    OwnedWork,
    register_checklist_item,
    register_owned_work,
)

from .models import CLOSED_STATUSES, Objective


def _open(organisation: Organisation):
    return Objective.objects.filter(organisation=organisation).exclude(status__in=CLOSED_STATUSES)


def counts(organisation: Organisation) -> dict[int, int]:
    rows = _open(organisation).values("owner").annotate(n=Count("pk")).order_by()
    return {row["owner"]: row["n"] for row in rows}


def reassign(organisation: Organisation, from_user: User, to_user: User) -> int:
    moved = 0
    for objective in _open(organisation).filter(owner=from_user):
        objective.owner = to_user
        objective.save()
        moved += 1
    return moved


register_owned_work(OwnedWork("objectives", "objectives", 20, counts, reassign))
register_checklist_item(
    ChecklistItem(
        "objectives",
        "Set your first quality objectives",
        20,
        lambda organisation: Objective.objects.filter(organisation=organisation),
        lambda: reverse("objectives:create"),
    )
)
