"""Planned audits in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from isova.models import Organisation
from isova.registry import UPCOMING_LIMIT, UpcomingItem, registry

from .models import Audit, AuditStatus


def items(
    organisation: Organisation, start: datetime.date, end: datetime.date, filters: dict[str, Any]
) -> Iterator[UpcomingItem]:
    """Audits still planned for a day in the window (one query)."""
    audits = (
        Audit.objects.for_org(organisation)
        .filter(status=AuditStatus.PLANNED, planned_date__range=(start, end))
        .select_related("lead_auditor")
        .order_by("planned_date", "pk")
    )
    if filters.get("owner"):
        audits = audits.filter(lead_auditor_id=filters["owner"])
    if filters.get("process"):
        audits = audits.filter(process_id=filters["process"])
    for audit in audits[:UPCOMING_LIMIT]:
        yield UpcomingItem(
            day=audit.planned_date,
            kind="Audit",
            title=f"{audit.reference} {audit.title}",
            url=audit.get_absolute_url(),
            who=audit.lead_auditor.get_full_name(),
        )


registry.register("upcoming", items, name="audits")
