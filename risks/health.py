"""What risks add to "days since each leader last acted" (registered in apps.py)."""

from __future__ import annotations

import datetime

from django.db.models import Max

from isova.models import Organisation
from isova.registry import registry

from .models import Assessment


def reviewed_by(organisation: Organisation) -> dict[int, datetime.date]:
    """Per person, the day they last reviewed a risk (1 query)."""
    rows = (
        Assessment.objects.for_org(organisation)
        .reviews()
        .values("assessed_by")
        .annotate(last=Max("assessed_on"))
    )
    return {r["assessed_by"]: r["last"] for r in rows}


registry.register("leader_activity", reviewed_by, name="risks.reviews")
