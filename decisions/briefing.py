"""The decision register's section of the leaders' weekly briefing: the decisions recorded
since the last briefing, by name, and what waits for a signature or a review (2 queries)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from isova.evidence.services import period_bounds
from isova.models import Organisation
from isova.registry import BriefingSection, registry

from .models import Decision


def build(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    decisions = Decision.objects.for_org(organisation)
    start, end = period_bounds(organisation, since + datetime.timedelta(days=1), today)
    new = decisions.filter(created_at__gte=start, created_at__lt=end).with_state()
    lines = [
        f"New: {d.title}, decided {organisation.format_date(d.decided_on)}, "
        f"{d.shown_label.lower()} ({d.get_absolute_url()})"
        for d in new.order_by("created_at", "pk")
    ]
    counts = decisions.panel_counts(today)
    index = reverse("decisions:index")
    if counts["awaiting"]:
        n = counts["awaiting"]
        plural = "s" if n != 1 else ""
        lines.append(f"{n} decision{plural} waiting for a leader to sign ({index}?status=awaiting)")
    if counts["due"]:
        n = counts["due"]
        lines.append(
            f"{n} signed decision{'s' if n != 1 else ''} due for review ({index}?status=due)"
        )
    if not lines:
        lines.append(f"No new decision since {organisation.format_date(since)} ({index})")
    return lines


registry.register("briefing", BriefingSection("decisions", "Decisions", 55, build))
