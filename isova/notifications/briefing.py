"""The leaders' weekly briefing: Monday morning (from ALERTS_LOCAL_HOUR in the organisation's
time zone, when the hourly scan runs), one e-mail per leader with what changed in the past
week. Apps add sections with `registry.register("briefing", ...)` from their briefing.py;
the core's own (isova/records/briefing.py, isova/actions/briefing.py) are the approvals
waiting and the actions overdue and escalated. Leaders can turn it off in their
preferences (kind "weekly_briefing").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from django.conf import settings

from isova.accounts.models import Membership, Organisation, Role
from isova.accounts.tenancy import with_org
from isova.registry import Alert, registry

PATH_IN_BRACKETS = re.compile(r"\((/[^)\s]*)\)")


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
    for section in registry.briefing_sections():
        lines = section.build(organisation, since, today)
        if lines:
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
