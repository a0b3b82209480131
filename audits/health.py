"""What audits add to the dashboard's leadership health (registered in apps.py)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min
from django.urls import reverse

from isova.models import Organisation
from isova.registry import HealthFigure, HealthReading, registry

from .models import Finding


def late_findings(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Findings past their response date (1 query)."""
    late = Finding.objects.for_org(organisation).past_response_due(today).count()
    url = reverse("audits:finding_list") + "?overdue=on"
    return [HealthReading("", late, url, f"{late} past their response date")]


def oldest_late_finding(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Age in days of the oldest finding past its response date (1 query)."""
    found = (
        Finding.objects.for_org(organisation)
        .past_response_due(today)
        .aggregate(n=Count("pk"), raised=Min("raised_on"))
    )
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
    ),
)
