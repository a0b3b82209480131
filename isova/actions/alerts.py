"""The core's alert source for actions: to each owner, their actions overdue (daily) and due
within a week or by tomorrow (once per stage); and the escalation ladder of overdue ones."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse

from isova.accounts.models import Membership, Organisation, Role, User
from isova.actions.models import Action, escalated_to_leaders_by
from isova.registry import Alert, registry

log = logging.getLogger(__name__)

SOON_DAYS = (7, 1)  # reminders a week before and the day before the due date


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _when(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    if days < 0:
        return f"{_plural(-days, 'day')} overdue"
    return "due today" if days == 0 else "due tomorrow" if days == 1 else f"due in {days} days"


def action_alerts(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    """The core's alert source (2 queries): to each owner, their actions overdue (daily) and
    due within a week or by tomorrow (once per stage); and the escalation ladder.

    A reminder stage is keyed by the owner and the due date, not sent on one exact day: an
    owner assigned after the week's reminder went out gets it at the next scan, and a new due
    date reminds again."""
    horizon = today + datetime.timedelta(days=max(SOON_DAYS))
    actions = list(
        Action.objects.for_org(organisation)
        .outstanding()
        # due today is neither: its owner heard "due tomorrow" yesterday
        .filter(Q(due_date__lt=today) | Q(due_date__gt=today, due_date__lte=horizon))
        .select_related("owner", "assigned_by")
        .order_by("owner_id", "due_date", "pk")
    )
    people: dict[int, User] = {a.owner_id: a.owner for a in actions}
    people |= {a.assigned_by.pk: a.assigned_by for a in actions if a.assigned_by is not None}
    for action in actions:
        yield _owner_alert(organisation, people[action.owner_id], action, today)
    overdue = [a for a in actions if a.is_overdue(today)]
    if overdue:
        yield from _escalations(organisation, overdue, people, today)


def _owner_alert(
    organisation: Organisation, owner: User, action: Action, today: datetime.date
) -> Alert:
    assert action.due_date is not None  # every action selected here has one
    when = _when(action.due_date, today)
    if action.due_date < today:
        key, window = f"action:{action.pk}:overdue", ""
    else:
        stage = min(d for d in SOON_DAYS if (action.due_date - today).days <= d)
        key, window = f"action:{action.pk}:due:{action.due_date}:within:{stage}", "once"
    return Alert(
        recipient=owner,
        kind="actions_due",
        key=key,
        window=window,
        subject=f"“{action.title}” is {when}"[:200],
        body=(
            f"Your action “{action.title}” in {organisation} is {when} "
            f"(due {organisation.format_date(action.due_date)}).\n"
        ),
        url=reverse("action_detail", args=[action.pk]),
    )


def _escalations(
    organisation: Organisation,
    overdue: list[Action],
    people: dict[int, User],
    today: datetime.date,
) -> Iterator[Alert]:
    """Rung 1 (N days overdue): whoever assigned it, or the managers; rung 2 (M days): the
    leaders. Once per rung: the key names the rung and the due date (a new due date starts
    the ladder again) and the window is "once". A person on both rungs (a leader who
    assigned it) hears once, at the higher rung."""
    first = organisation.escalate_to_assigner_after_days
    second = organisation.escalate_to_leaders_after_days
    late = [a for a in overdue if a.due_date and (today - a.due_date).days >= min(first, second)]
    # the longest overdue first: the digest keeps this order within its "to chase" section
    late.sort(key=lambda a: (a.due_date or today, a.pk))
    if not late:
        return
    managers, leaders = _managers_and_leaders(organisation)
    for action in late:
        assert action.due_date is not None
        days = (today - action.due_date).days
        owner = people[action.owner_id]
        assigner = people.get(action.assigned_by_id) if action.assigned_by_id else None
        rung_of: dict[User, int] = {}
        if days >= first:
            for person in [assigner] if assigner and assigner != owner else managers:
                rung_of[person] = 1
        if action.due_date <= escalated_to_leaders_by(organisation, today):
            for person in leaders:
                rung_of[person] = 2
        for recipient, rung in rung_of.items():
            if recipient == owner:
                continue
            yield _escalation(organisation, action, owner, days, recipient, rung)


def _managers_and_leaders(organisation: Organisation) -> tuple[list[User], list[User]]:
    """The organisation's active managers and leaders (1 query)."""
    staff = list(
        Membership.objects.for_org(organisation)
        .filter(role__in=[Role.LEADER, Role.MANAGER], user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    managers = [m.user for m in staff if m.role == Role.MANAGER]
    leaders = [m.user for m in staff if m.role == Role.LEADER]
    return managers, leaders


def _escalation(
    organisation: Organisation, action: Action, owner: User, days: int, recipient: User, rung: int
) -> Alert:
    """Tell `recipient` (on `rung` of the ladder) that `owner` is `days` late with `action`."""
    assert action.due_date is not None
    return Alert(
        recipient=recipient,
        kind="action_escalated",
        key=f"action:{action.pk}:due:{action.due_date}:rung:{rung}",
        window="once",
        subject=f"{owner} is {_plural(days, 'day')} late with “{action.title}”"[:200],
        body=(
            f"{owner} owns “{action.title}” in {organisation}, due on "
            f"{organisation.format_date(action.due_date)}: {_plural(days, 'day')} "
            "overdue and not done. Ask what is in the way, help, or change the due date "
            "or owner.\n"
        ),
        url=reverse("action_detail", args=[action.pk]),
    )


registry.register("alerts", action_alerts, name="isova.actions")
