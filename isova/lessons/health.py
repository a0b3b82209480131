"""Leadership health: do closures teach us anything, and does what we learn change anything?

Two figures over the last twelve months, from one aggregate shared by both (dashboard memo):
the share of closures (objectives, corrective actions checked, audits, reviews) whose lesson
was captured, and the share of captured lessons turned into an improvement (an action, an
objective change or a risk update).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.dashboard import memo
from isova.registry import HealthFigure, HealthReading, registry

from .models import Lesson

PERIOD_DAYS = 365


def year_shares(organisation: Organisation, today: datetime.date) -> dict[str, Any]:
    """`LessonQuerySet.shares()` for lessons asked for in the last year (1 query, once)."""
    since = today - datetime.timedelta(days=PERIOD_DAYS)
    return memo.once(
        ("lessons.shares", organisation.pk, today),
        lambda: Lesson.objects.for_org(organisation).closed_between(since, today).shares(),
    )


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1)


def captured_share(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    counts = year_shares(organisation, today)
    url = reverse("lessons:list") + "?status=prompted"
    if not counts["closures"]:
        return [HealthReading("", None, url, "nothing closed in the last year")]
    share = _share(counts["closures_captured"], counts["closures"])
    text = f"{share:g}%: {counts['closures_captured']} of {counts['closures']} closures captured"
    return [HealthReading("", share, url, text)]


def improved_share(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    counts = year_shares(organisation, today)
    url = reverse("lessons:list") + "?status=captured"
    if not counts["captured"]:
        return [HealthReading("", None, url, "no lesson captured in the last year")]
    share = _share(counts["improved"], counts["captured"])
    text = f"{share:g}%: {counts['improved']} of {counts['captured']} lessons became improvements"
    return [HealthReading("", share, url, text)]


registry.register(
    "health",
    HealthFigure(
        "lessons_captured",
        "Closures with a lesson captured (last 12 months)",
        55,
        captured_share,
        amber=60,
        red=30,
        unit="%",
        worse="lower",
    ),
)
registry.register(
    "health",
    HealthFigure(
        "lessons_improved",
        "Lessons turned into improvements (last 12 months)",
        56,
        improved_share,
        amber=30,
        red=10,
        unit="%",
        worse="lower",
    ),
)
