"""The leaders' weekly briefing: a status report to read on a phone in two minutes. Monday
morning (from ALERTS_LOCAL_HOUR in the organisation's time zone, when the hourly scan runs),
one e-mail per leader:

- what needs **you** (the section `NEEDS_YOU`, isova/records/briefing.py: approvals waiting
  for a decision; and here, the actions escalated to you since the last briefing), each
  named, each linked to where it is done;
- then a section per topic (apps add theirs with `registry.register("briefing", ...)` from
  their briefing.py): where things stand, and what changed since the last briefing, by the
  dates things happened. A section with nothing to say still has its line, so that silence
  is never ambiguous.

A section's lines name pages by path at the end, "3 overdue (/actions/?overdue=on)": the text
e-mail prints the whole address, the HTML one makes the words the link. Leaders can turn the
briefing off in their preferences (kind "weekly_briefing").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Max
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from isova.accounts.models import Membership, Organisation, Role, User
from isova.accounts.tenancy import with_org
from isova.notifications.models import Notification
from isova.registry import Alert, registry

KIND = "weekly_briefing"
NEEDS_YOU = "isova.needs_you"  # the section isova/records/briefing.py registers
NOTHING = "Nothing to report."
PATH_IN_BRACKETS = re.compile(r"\((/[^)\s]*)\)")
_LINK = re.compile(r"^(?P<words>.*\S) \((?P<url>(?:/|https?://)[^\s()]*)\)$")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def escalated_to(
    organisation: Organisation, leaders: list[User], since: datetime.date, today: datetime.date
) -> dict[int, list[str]]:
    """The actions escalated to each leader since the last briefing, named (1 query)."""
    lines: dict[int, list[str]] = {leader.pk: [] for leader in leaders}
    escalated = Notification.objects.for_org(organisation).filter(
        kind="action_escalated", recipient__in=leaders, day__gt=since, day__lte=today
    )
    for note in escalated.order_by("day", "pk"):
        lines[note.recipient_id].append(f"Chase: {note.subject} ({note.url})")
    return lines


def last_briefing(organisation: Organisation, today: datetime.date) -> datetime.date:
    """The day of the last briefing before today, or a week ago if there was none."""
    day = (
        Notification.objects.for_org(organisation)
        .filter(kind=KIND, day__lt=today)
        .aggregate(last=Max("day"))["last"]
    )
    return day or today - datetime.timedelta(days=7)


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
    since = last_briefing(organisation, today)
    leaders = [
        m.user
        for m in Membership.objects.for_org(organisation)
        .filter(role=Role.LEADER, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]
    if not leaders:
        return
    parts = []
    decide: list[str] = []
    for section in registry.briefing_sections():
        if section.name == NEEDS_YOU:
            decide = section.build(organisation, since, today)
            continue
        lines = section.build(organisation, since, today) or [NOTHING]
        lines = [_whole_links(line, organisation) for line in lines]
        parts.append(f"{section.title}\n" + "\n".join(f"- {line}" for line in lines))
    report = "\n\n".join(parts)
    chase = escalated_to(organisation, leaders, since, today)
    mine = {leader.pk: decide + chase[leader.pk] for leader in leaders}
    year, week, _ = today.isocalendar()
    for leader in leaders:
        todo = mine[leader.pk] or ["Nothing waits for you."]
        yours = "Needs you\n" + "\n".join(f"- {_whole_links(line, organisation)}" for line in todo)
        yield Alert(
            recipient=leader,
            kind=KIND,
            key="briefing",
            window=f"{year}-W{week:02d}",
            subject=(
                f"Your week in {organisation}: {_plural(len(mine[leader.pk]), 'thing')} "
                f"for you, {today:%d %b %Y}"
            ),
            body=(
                f"Where {organisation} stands on {organisation.format_date(today)}, and what "
                f"changed since the last briefing ({organisation.format_date(since)}).\n\n"
                f"{yours}\n\n{report}\n"
            ),
            url="/dashboard/",
        )


def as_html(body: str) -> SafeString:
    """The briefing's text as HTML: section titles as headings, lines as list items, and a
    line's trailing "(address)" as a link on its words, never a bare address."""
    blocks = []
    for block in body.strip().split("\n\n"):
        lines = block.splitlines()
        items = [line[2:] for line in lines if line.startswith("- ")]
        if not items:
            blocks.append(format_html("<p>{}</p>", " ".join(lines)))
            continue
        title = next((line for line in lines if not line.startswith("- ")), "")
        blocks.append(
            format_html(
                '<h2 style="font-size: 1rem; margin: 1rem 0 0.25rem;">{}</h2>'
                '<ul style="padding-left: 1.2rem; margin: 0;">{}</ul>',
                title,
                format_html_join("", "<li>{}</li>", ((_linked(item),) for item in items)),
            )
        )
    return mark_safe("".join(blocks))  # noqa: S308 (every part was escaped by format_html)


def _linked(line: str) -> str:
    match = _LINK.match(line)
    if match is None:
        return format_html("{}", line)
    return format_html('<a href="{}">{}</a>', match["url"], match["words"])
