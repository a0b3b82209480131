"""The core's alert source for actions: each owner's actions due in a week, tomorrow or
overdue, one message a day, and the escalation ladder of overdue ones."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from itertools import groupby

from django.db.models import Q
from django.urls import reverse

from isova.accounts.models import Membership, Organisation, Role, User
from isova.actions.models import OUTSTANDING_STATUSES, Action, overdue_q
from isova.registry import Alert, registry

log = logging.getLogger(__name__)

SOON_DAYS = (7, 1)  # reminders a week before and the day before the due date

SOON_DAYS = (7, 1)  # reminders a week before and the day before the due date


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _line(action: Action, today: datetime.date) -> str:
    assert action.due_date is not None  # every action selected here has one
    days = (action.due_date - today).days
    when = (
        f"{-days} day{'s' if days != -1 else ''} overdue"
        if days < 0
        else "due tomorrow"
        if days == 1
        else f"due in {days} days"
    )
    return f"- {action.title} (due {action.due_date:%d %b %Y}, {when})"


def action_alerts(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    """The core's alert source (2 queries): each owner's actions due in a week, tomorrow or
    overdue, batched into one message a day; and the escalation ladder of overdue ones."""
    reminders = [today + datetime.timedelta(days=d) for d in SOON_DAYS]
    actions = list(
        Action.objects.for_org(organisation)
        .filter(overdue_q(today) | Q(status__in=OUTSTANDING_STATUSES, due_date__in=reminders))
        .select_related("owner", "assigned_by")
        .order_by("owner_id", "due_date", "pk")
    )
    people: dict[int, User] = {a.owner_id: a.owner for a in actions}
    people |= {a.assigned_by.pk: a.assigned_by for a in actions if a.assigned_by is not None}
    for owner_id, group in groupby(actions, key=lambda a: a.owner_id):
        yield _due_digest(organisation, people[owner_id], list(group), today)
    overdue = [a for a in actions if a.is_overdue(today)]
    if overdue:
        yield from _escalations(organisation, overdue, people, today)


def _due_digest(
    organisation: Organisation, owner: User, actions: list[Action], today: datetime.date
) -> Alert:
    overdue = [a for a in actions if a.is_overdue(today)]
    soon = [a for a in actions if a not in overdue]
    parts = []
    if overdue:
        parts.append(f"{_plural(len(overdue), 'overdue action')}")
    if soon:
        parts.append(f"{_plural(len(soon), 'action')} due soon")
    sections = []
    if overdue:
        sections.append("Past their due date:\n" + "\n".join(_line(a, today) for a in overdue))
    if soon:
        sections.append("Coming up:\n" + "\n".join(_line(a, today) for a in soon))
    return Alert(
        recipient=owner,
        kind="actions_due",
        key="digest",
        subject=", ".join(parts),
        body=f"Your actions in {organisation}:\n\n" + "\n\n".join(sections) + "\n",
        url=reverse("my_actions"),
    )


def _escalations(
    organisation: Organisation,
    overdue: list[Action],
    people: dict[int, User],
    today: datetime.date,
) -> Iterator[Alert]:
    """Rung 1 (N days overdue): whoever assigned it, or the managers; rung 2 (M days): the
    leaders. Once per rung: the key names the rung and the due date (a new due date starts
    the ladder again) and the window is "once"."""
    first = organisation.escalate_to_assigner_after_days
    second = organisation.escalate_to_leaders_after_days
    late = [a for a in overdue if a.due_date and (today - a.due_date).days >= min(first, second)]
    if not late:
        return
    staff = list(
        Membership.objects.for_org(organisation)
        .filter(role__in=[Role.LEADER, Role.MANAGER], user__is_active=True)
        .select_related("user")
    )
    managers = [m.user for m in staff if m.role == Role.MANAGER]
    leaders = [m.user for m in staff if m.role == Role.LEADER]
    for action in late:
        assert action.due_date is not None
        days = (today - action.due_date).days
        owner = people[action.owner_id]
        assigner = people.get(action.assigned_by_id) if action.assigned_by_id else None
        rungs = []
        if days >= first:
            rungs.append((1, [assigner] if assigner and assigner != owner else managers))
        if days >= second:
            rungs.append((2, leaders))
        for rung, recipients in rungs:
            for recipient in recipients:
                if recipient == owner:
                    continue
                yield Alert(
                    recipient=recipient,
                    kind="action_escalated",
                    key=f"action:{action.pk}:due:{action.due_date}:rung:{rung}",
                    window="once",
                    subject=f"{owner} is {_plural(days, 'day')} late with “{action.title}”"[:200],
                    body=(
                        f"{owner} owns “{action.title}” in {organisation}, due on "
                        f"{action.due_date:%d %b %Y}: {_plural(days, 'day')} overdue and not "
                        "done. Ask what is in the way, help, or change the due date or owner.\n"
                    ),
                    url=reverse("action_detail", args=[action.pk]),
                )


registry.register("alerts", action_alerts, name="isova.actions")
