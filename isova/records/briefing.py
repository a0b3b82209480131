"""The core's briefing sections on records: the approvals waiting for a decision, each of them
named under "Needs you" (leaders decide them), and the sign-off chain's head (stated outside
the database every week)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.records.models import RecordVersion, SignOffChain
from isova.registry import BriefingSection, registry

# The section the briefing gives each leader, with what waits for them personally added.
NEEDS_YOU = "isova.needs_you"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def approvals_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    """How many wait for a decision and for how long (1 query); each is named under "Needs
    you"."""
    waiting = list(
        RecordVersion.objects.for_org(organisation)
        .awaiting_decision()
        .values_list("submitted_at", flat=True)
    )
    if not waiting:
        return ["Nothing waits for a decision."]
    oldest = min(w for w in waiting if w).astimezone(organisation.tzinfo).date()
    return [
        f"{len(waiting)} waiting for a decision, the oldest for "
        f"{_plural((today - oldest).days, 'day')} ({reverse('approvals')})"
    ]


def decisions_waiting(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    """Every version waiting for a leader's decision, named, linked to the approvals page
    where it is decided (1 query)."""
    where = reverse("approvals")
    return [
        f"Decide: {v.record_label or 'a record'} v{v.number}, submitted by "
        f"{v.submitted_by.get_full_name() if v.submitted_by else 'someone'} ({where})"
        for v in RecordVersion.objects.for_org(organisation)
        .awaiting_decision()
        .select_related("submitted_by")
    ]


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
    BriefingSection(NEEDS_YOU, "Needs you", 0, decisions_waiting),
    BriefingSection("isova.approvals", "Approvals", 10, approvals_section),
    BriefingSection("isova.records", "Record chain", 90, records_section),
)


for section in SECTIONS:
    registry.register("briefing", section)
