"""The core's briefing section on records: the approvals waiting for a decision."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min

from isova.accounts.models import Organisation
from isova.records.models import RecordVersion
from isova.registry import BriefingSection, registry


def approvals_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    waiting = RecordVersion.objects.for_org(organisation).awaiting_decision()
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    if not summary["n"]:
        return []
    days = (today - summary["oldest"].date()).days
    return [f"{summary['n']} waiting for a decision, the oldest for {days} days (/approvals/)"]


SECTIONS = (BriefingSection("isova.approvals", "Approvals", 10, approvals_section),)


for section in SECTIONS:
    registry.register("briefing", section)
