"""What risks contribute to onboarding: the live risks a person owns."""

from __future__ import annotations

from django.db.models import Count

from isova.models import Organisation, User
from isova.onboarding.hooks import OwnedWork, register_owned_work

from .models import Risk


def counts(organisation: Organisation) -> dict[int, int]:
    rows = (
        Risk.objects.for_org(organisation).live().values("owner").annotate(n=Count("pk")).order_by()
    )
    return {row["owner"]: row["n"] for row in rows}


def reassign(organisation: Organisation, from_user: User, to_user: User) -> int:
    moved = 0
    for risk in Risk.objects.for_org(organisation).live().filter(owner=from_user):
        risk.owner = to_user
        risk.save()
        moved += 1
    return moved


register_owned_work(OwnedWork("risks", "risks", 30, counts, reassign))
