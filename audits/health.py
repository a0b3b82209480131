"""What audits add to the dashboard's leadership health (registered in apps.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse

from isova.dashboard import memo
from isova.models import Organisation
from isova.registry import HealthFigure, HealthReading, registry

from .models import Finding


def _late(organisation: Organisation, today: datetime.date) -> dict[str, Any]:
    """How many findings are past their response date and when the oldest was raised: one
    query for both figures."""
    return memo.once(
        ("audits.late_findings", organisation.pk, today),
        lambda: (
            Finding.objects.for_org(organisation)
            .past_response_due(today)
            .aggregate(n=Count("pk"), raised=Min("raised_on"))
        ),
    )


def late_findings(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Findings past their response date."""
    late = _late(organisation, today)["n"]
    url = reverse("audits:finding_list") + "?overdue=on"
    return [HealthReading("", late, url, f"{late} past their response date")]


def oldest_late_finding(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Age in days of the oldest finding past its response date."""
    found = _late(organisation, today)
    url = reverse("audits:finding_list") + "?overdue=on"
    if not found["n"]:
        return [HealthReading("", None, url, "none late")]
    days = (today - found["raised"]).days
    return [HealthReading("", days, url, f"raised {days} days ago")]


registry.register(
    "health",
    HealthFigure(
        "findings_late",
        "Findings past their response date",
        40,
        late_findings,
        amber=1,
        red=5,
        short="Late findings",
    ),
)
registry.register(
    "health",
    HealthFigure(
        "findings_oldest_late",
        "Age of the oldest late finding",
        41,
        oldest_late_finding,
        amber=30,
        red=60,
        unit="days",
        short="Oldest late finding",
    ),
)
