"""Planned audits in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

from isova.dashboard.upcoming import dated_source
from isova.registry import registry

from .models import Audit, AuditStatus

# Audits still planned for a day in the window (one query).
items = dated_source(
    lambda organisation: Audit.objects.for_org(organisation).filter(status=AuditStatus.PLANNED),
    day="planned_date",
    person="lead_auditor",
    kind="Audit",
    title=lambda audit: f"{audit.reference} {audit.title}",
    by_process=True,
)

registry.register("upcoming", items, name="audits")
