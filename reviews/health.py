"""What management reviews add to the dashboard's leadership health (registered in apps.py)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from isova.models import Organisation
from isova.registry import HealthFigure, HealthReading, registry

from .models import Review


def attendance(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Each leader's attendance at the last four reviews held, in percent (3 queries)."""
    url = reverse("reviews:index")
    readings = []
    for row in Review.objects.leader_attendance(organisation, last=4):
        name = row["user"].get_full_name()
        if not row["of"]:
            readings.append(HealthReading(name, None, url, "no review held yet"))
            continue
        share = round(100.0 * row["present"] / row["of"], 1)
        readings.append(HealthReading(name, share, url, f"{row['present']} of {row['of']}"))
    return readings


registry.register(
    "health",
    HealthFigure(
        "review_attendance",
        "Leaders' attendance at the last four management reviews",
        50,
        attendance,
        amber=75,
        red=50,
        unit="%",
        worse="lower",
        short="Review attendance",
    ),
)
