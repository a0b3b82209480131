"""Alert scans: what is due, overdue, off track or stale, turned into notifications.

Every app registers its alert sources (`registry.register_alert_source(name, fn)`, each
yielding `isova.registry.Alert`s for one organisation and day) from its `AppConfig.ready()`;
the core registers its own (actions due soon and overdue, and the escalation ladder) in
`IsovaConfig.ready()`. `scan` runs them all and hands their alerts to
`notifications.notify_many`, whose unique (organisation, recipient, kind, key, window) makes
a scan that runs twice, or on two workers at once, send nothing twice. "Today" is each
organisation's own.

`crossings` serves sources that alert once per crossing into a bad state (an objective
turning red): it keeps the last state alerted about in `AlertState`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import notifications
from .models import (
    OUTSTANDING_STATUSES,
    Action,
    AlertState,
    Membership,
    Organisation,
    Role,
    User,
    overdue_q,
)
from .registry import Alert, registry

log = logging.getLogger(__name__)

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


# --- once per crossing -------------------------------------------------------------------------


def crossings(
    organisation: Organisation,
    kind: str,
    states: dict[str, str],
    bad: dict[str, int],
    today: datetime.date,
) -> dict[str, str]:
    """The subjects that crossed into a bad state since the last scan, with that state.

    `states` is every subject's state now; `bad` ranks the bad states (higher is worse). A
    subject alerts when it enters a bad state or a worse one; easing (red → amber) is
    recorded silently; recovering (into a state not in `bad`) forgets it, so that the next
    crossing alerts again. Three queries whatever the number of subjects; call inside the
    scan's transaction so that a crossing is recorded only with its notifications.
    """
    stored = {
        s.subject_key: s
        for s in AlertState.objects.filter(organisation=organisation, kind=kind).select_for_update()
    }
    crossed: dict[str, str] = {}
    changed: list[AlertState] = []
    for subject, state in states.items():
        before = stored.get(subject)
        if state not in bad:
            continue
        if before is None or before.state not in bad or bad[state] > bad[before.state]:
            crossed[subject] = state
        if before is None or before.state != state:
            changed.append(
                AlertState(
                    organisation=organisation,
                    subject_key=subject,
                    kind=kind,
                    state=state,
                    changed_on=today,
                )
            )
    AlertState.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["organisation", "subject_key", "kind"],
        update_fields=["state", "changed_on"],
    )
    recovered = [s for s, row in stored.items() if states.get(s) not in bad]
    AlertState.objects.filter(
        organisation=organisation, kind=kind, subject_key__in=recovered
    ).delete()
    return crossed


# --- the scan ----------------------------------------------------------------------------------


@transaction.atomic
def scan(organisation: Organisation, today: datetime.date | None = None) -> int:
    """Make today's notifications for one organisation and send the daily digests; returns
    how many notifications are new. One transaction: crossings are recorded only with the
    notifications they make."""
    today = today or organisation.today()
    alerts: list[Alert] = []
    for _name, source in registry.alert_sources():
        alerts.extend(source(organisation, today))
    made = notifications.notify_many(organisation, alerts, today)
    notifications.send_digests(organisation, today)
    return made


def scan_all() -> int:
    """Scan every organisation whose local time has reached ALERTS_LOCAL_HOUR today."""
    total = 0
    now = timezone.now()
    for organisation in Organisation.objects.all():
        if now.astimezone(organisation.tzinfo).hour < settings.ALERTS_LOCAL_HOUR:
            continue  # nobody wants yesterday's news at midnight; a later hourly run sends it
        try:
            total += scan(organisation)
        except Exception:
            # One organisation's bad data must not stop everybody else's alerts.
            log.exception("alert scan failed for organisation %s", organisation.pk)
    return total
