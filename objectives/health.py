"""What objectives add to the dashboard's leadership health (registered in apps.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.urls import reverse

from isova.health.services import leader_ids
from isova.models import Organisation
from isova.registry import HealthFigure, HealthReading, registry

from .models import Objective, Review, review_overdue_count


def reviews_overdue(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Active objectives not reviewed on schedule (1 query)."""
    late = review_overdue_count(Objective.objects.for_org(organisation), organisation, today)
    text = f"{late} objective{'s' if late != 1 else ''} past the review date"
    return [HealthReading("", late, reverse("objectives:reviews"), text)]


def reviewed_by(organisation: Organisation) -> QuerySet[Any, Any]:
    """Per leader, the day they last reviewed an objective (from the leaders' own rows)."""
    return (
        Review.objects.filter(
            objective__organisation=organisation, reviewed_by__in=leader_ids(organisation)
        )
        .values_list("reviewed_by")
        .annotate(day=Max("reviewed_on"))
    )


registry.register(
    "health",
    HealthFigure(
        "objectives_review_overdue",
        "Objectives not reviewed on schedule",
        30,
        reviews_overdue,
        amber=1,
        red=3,
        short="Objective reviews",
    ),
)
registry.register("leader_activity", reviewed_by, name="objectives.reviews")
