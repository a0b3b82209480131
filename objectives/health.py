"""What objectives add to the dashboard's leadership health (registered in apps.py)."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.urls import reverse

from isova.models import Organisation
from isova.registry import HealthFigure, HealthReading, registry

from .models import Objective, Review


def reviews_overdue(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Active objectives not reviewed on schedule (1 query)."""
    late = Objective.objects.for_org(organisation).review_overdue(today).count()
    text = f"{late} objective{'s' if late != 1 else ''} past the review date"
    return [HealthReading("", late, reverse("objectives:reviews"), text)]


def reviewed_by(organisation: Organisation) -> dict[int, datetime.date]:
    """Per reviewer, the day they last reviewed an objective (1 query)."""
    rows = (
        Review.objects.filter(objective__organisation=organisation, reviewed_by__isnull=False)
        .values("reviewed_by")
        .annotate(last=Max("reviewed_on"))
    )
    return {r["reviewed_by"]: r["last"] for r in rows}


registry.register(
    "health",
    HealthFigure(
        "objectives_review_overdue",
        "Objectives not reviewed on schedule",
        30,
        reviews_overdue,
        amber=1,
        red=3,
    ),
)
registry.register("leader_activity", reviewed_by, name="objectives.reviews")
