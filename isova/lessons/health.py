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


def _reading(part: int, whole: int, status: str, none: str, of_what: str) -> list[HealthReading]:
    """`part` of `whole` as a share, linked to the lessons of `status`; `none` said when
    `whole` is nothing."""
    url = reverse("lessons:list") + f"?status={status}"
    if not whole:
        return [HealthReading("", None, url, none)]
    share = _share(part, whole)
    return [HealthReading("", share, url, f"{share:g}%: {part} of {whole} {of_what}")]


def captured_share(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    counts = year_shares(organisation, today)
    return _reading(
        counts["closures_captured"],
        counts["closures"],
        "prompted",
        "nothing closed in the last year",
        "closures captured",
    )


def improved_share(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    counts = year_shares(organisation, today)
    return _reading(
        counts["improved"],
        counts["captured"],
        "captured",
        "no lesson captured in the last year",
        "lessons became improvements",
    )


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
