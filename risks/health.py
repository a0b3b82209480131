"""What risks add to "days since each leader last acted" (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from isova.health.services import leader_ids
from isova.models import Organisation
from isova.registry import registry

from .models import Assessment


def reviewed_by(organisation: Organisation) -> QuerySet[Any, Any]:
    """Per leader, the day they last reviewed a risk. Starts from the leaders (the index on
    `assessed_by`), so it reads their reviews only, never other organisations' rows."""
    return (
        Assessment.objects.for_org(organisation)
        .reviews()
        .filter(assessed_by__in=leader_ids(organisation))
        .values_list("assessed_by")
        .annotate(day=Max("assessed_on"))
    )


registry.register("leader_activity", reviewed_by, name="risks.reviews")
