"""The leaders' weekly briefing: Monday morning (from ALERTS_LOCAL_HOUR in the organisation's
time zone, when the hourly scan runs), one e-mail per leader with what changed in the past
week. Apps add sections with `registry.register_briefing_section`; the core's own are the
approvals waiting and the actions overdue and escalated. Leaders can turn it off in their
preferences (kind "weekly_briefing").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min

from .models import (
    Action,
    Membership,
    Notification,
    Organisation,
    RecordVersion,
    Role,
    SignOffChain,
)
from .registry import Alert, BriefingSection, briefing_sections
from .tenancy import with_org

PATH_IN_BRACKETS = re.compile(r"\((/[^)\s]*)\)")


def approvals_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    waiting = RecordVersion.objects.for_org(organisation).awaiting_decision()
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    if not summary["n"]:
        return []
    days = (today - summary["oldest"].date()).days
    return [f"{summary['n']} waiting for a decision, the oldest for {days} days (/approvals/)"]


def actions_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    overdue = Action.objects.for_org(organisation).overdue(today).count()
    escalated = (
        Notification.objects.for_org(organisation)
        .filter(kind="action_escalated", day__gt=since)
        .values("key")
        .distinct()
        .count()
    )
    lines = [f"{overdue} overdue (/actions/?overdue=on)"] if overdue else []
    if escalated:
        lines.append(f"{escalated} escalation{'s' if escalated != 1 else ''} this week")
    return lines


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


CORE_SECTIONS = (
    BriefingSection("isova.approvals", "Approvals", 10, approvals_section),
    BriefingSection("isova.actions", "Actions", 40, actions_section),
    BriefingSection("isova.records", "Record chain", 90, records_section),
)


def _whole_links(line: str, organisation: Organisation) -> str:
    """Sections name pages by path, "(/approvals/)": e-mail needs whole addresses, naming the
    organisation so that a member of several lands in this one."""
    return PATH_IN_BRACKETS.sub(
        lambda m: f"({settings.SITE_URL}{with_org(m.group(1), organisation)})", line
    )


def weekly_briefing(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    """The core's alert source for the briefing: on Mondays only, one per leader."""
    if today.weekday() != 0:
        return
    since = today - datetime.timedelta(days=7)
    parts = []
    for section in briefing_sections():
        lines = section.build(organisation, since, today)
        if lines:
            # sections name pages by path, "(/approvals/)": e-mail needs whole addresses
            lines = [_whole_links(line, organisation) for line in lines]
            parts.append(f"{section.title}\n" + "\n".join(f"- {line}" for line in lines))
    body = "\n\n".join(parts) or "Nothing changed that needs you this week."
    year, week, _ = today.isocalendar()
    leaders = Membership.objects.for_org(organisation).filter(
        role=Role.LEADER, user__is_active=True
    )
    for membership in leaders.select_related("user"):
        yield Alert(
            recipient=membership.user,
            kind="weekly_briefing",
            key="briefing",
            window=f"{year}-W{week:02d}",
            subject=f"Your week in {organisation}: {today:%d %b %Y}",
            body=f"What changed in {organisation} since {since:%d %b}:\n\n{body}\n",
            url="/dashboard/",
        )
