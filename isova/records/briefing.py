"""The core's briefing sections on records: the approvals waiting for a decision, and the
sign-off chain's head (stated outside the database every week)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min

from isova.accounts.models import Organisation
from isova.records.models import RecordVersion, SignOffChain
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


def records_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    """The chain head, stated outside the database every week: kept in people's mailboxes, it
    lets `verify_records --expect-head` prove later that nothing before it was rewritten."""
    head = SignOffChain.objects.filter(organisation=organisation).first()
    if head is None or not head.length:
        return []
    return [
        f"{head.length} sign-off{'s' if head.length != 1 else ''}; head "
        f"{head.last_hash}@{head.length} (verify_records --expect-head "
        f"{organisation.slug}:{head.last_hash}@{head.length})"
    ]


SECTIONS = (
    BriefingSection("isova.approvals", "Approvals", 10, approvals_section),
    BriefingSection("isova.records", "Record chain", 90, records_section),
)


for section in SECTIONS:
    registry.register("briefing", section)
