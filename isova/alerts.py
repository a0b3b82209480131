"""Alert scans: what is due, overdue, off track or stale, turned into notifications.

Every app registers its alert sources (`registry.register_alert_source(name, fn)`, each
yielding `isova.registry.Alert`s for one organisation and day) from its `AppConfig.ready()`;
the core registers its own (actions due soon and overdue, and the escalation ladder) in
`IsovaConfig.ready()`. `scan` runs them all and hands their alerts to
`notifications.notify_many`, whose unique (organisation, recipient, kind, key, window) makes
a scan that runs twice, or on two workers at once, send nothing twice. "Today" is each
organisation's own.

`state_changes` serves sources that alert on a change of state (an objective turning red,
and back): it keeps each subject's last state in `AlertState`.

A scan sends each person at most one e-mail a day: `digests.one_per_subject` keeps the
strongest reason per person and subject, the rows go to the daily digest (the default for
every scanned kind), and the first scan after a gap (go-live, alerts stopped) sends each
person one summary of what is outstanding.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator, Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from . import digests, notifications
from .models import Action, AlertState, Membership, Organisation, Role, User
from .registry import Alert, registry

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
    overdue = [a for a in actions if a.due_date is not None and a.due_date < today]
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
    if not late:
        return
    staff = list(
        Membership.objects.for_org(organisation)
        .filter(role__in=[Role.LEADER, Role.MANAGER], user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    managers = [m.user for m in staff if m.role == Role.MANAGER]
    leaders = [m.user for m in staff if m.role == Role.LEADER]
    for action in late:
        assert action.due_date is not None
        days = (today - action.due_date).days
        owner = people[action.owner_id]
        assigner = people.get(action.assigned_by_id) if action.assigned_by_id else None
        rung_of: dict[User, int] = {}
        if days >= first:
            for person in [assigner] if assigner and assigner != owner else managers:
                rung_of[person] = 1
        if days >= second:
            for person in leaders:
                rung_of[person] = 2
        for recipient, rung in rung_of.items():
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
                    f"{organisation.format_date(action.due_date)}: {_plural(days, 'day')} "
                    "overdue and not done. Ask what is in the way, help, or change the due date "
                    "or owner.\n"
                ),
                url=reverse("action_detail", args=[action.pk]),
            )


# --- changes of state --------------------------------------------------------------------------


def state_changes(
    organisation: Organisation,
    kind: str,
    states: Mapping[str, str] | Callable[[dict[str, str]], Mapping[str, str]],
    today: datetime.date,
) -> dict[str, tuple[str, str]]:
    """Each subject whose state changed today: subject → (state before today, state now).

    `states` is every subject's state now, or a function that works it out from the states
    recorded so far (for hysteresis). A subject seen for the first time has "" before.
    The state before today is kept (`AlertState.previous`) so that a second scan on the same
    day reports the same changes: the same data and day make the same notifications, even
    after the day's notifications were deleted. Subjects no longer in `states` (closed) are
    forgotten. Three queries whatever the number of subjects; call inside the scan's
    transaction so that a change is recorded only with its notifications.
    """
    stored = {
        s.subject_key: s
        for s in AlertState.objects.filter(organisation=organisation, kind=kind).select_for_update()
    }
    if callable(states):
        states = states({key: row.state for key, row in stored.items()})
    changed: dict[str, tuple[str, str]] = {}
    rows: list[AlertState] = []
    for subject, state in sorted(states.items()):
        row = stored.get(subject)
        if row is None:
            before = ""
        elif row.changed_on == today:
            before = row.previous
        elif row.changed_on < today:
            before = row.state
        else:
            continue  # a scan of an earlier day (run_alerts --date) never rewrites later history
        if before != state:
            changed[subject] = (before, state)
        if row is None or row.state != state:
            rows.append(
                AlertState(
                    organisation=organisation,
                    subject_key=subject,
                    kind=kind,
                    state=state,
                    previous=before,
                    changed_on=today,
                )
            )
    AlertState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organisation", "subject_key", "kind"],
        update_fields=["state", "previous", "changed_on"],
    )
    AlertState.objects.filter(organisation=organisation, kind=kind).exclude(
        subject_key__in=list(states)
    ).delete()
    return changed


# --- the scan ----------------------------------------------------------------------------------


@transaction.atomic
def scan(organisation: Organisation, today: datetime.date | None = None) -> int:
    """Make today's notifications for one organisation and send the daily digests; returns
    how many notifications are new. One transaction: changes of state are recorded only with
    the notifications they make."""
    today = today or organisation.today()
    catch_up = catching_up(organisation, today)
    alerts: list[Alert] = []
    for _name, source in registry.alert_sources():
        alerts.extend(source(organisation, today))
    made = notifications.notify_many(
        organisation, digests.one_per_subject(alerts), today, catch_up=catch_up
    )
    notifications.send_digests(organisation, today, catch_up=catch_up)
    _scanned(organisation, today, catch_up)
    return made


def catching_up(organisation: Organisation, today: datetime.date) -> bool:
    """The first scan of an organisation, or the first after ALERTS_PAUSE_DAYS without one
    (alerts were stopped): everything outstanding goes into one summary per person. The
    rest of that day counts as the same catch-up, so a scan repeated that day agrees."""
    last = organisation.alerts_scanned_on
    if organisation.alerts_caught_up_on == today:
        return True
    return last is None or (today - last).days > settings.ALERTS_PAUSE_DAYS


def _scanned(organisation: Organisation, today: datetime.date, catch_up: bool) -> None:
    last = Greatest(Coalesce(F("alerts_scanned_on"), Value(today)), Value(today))
    caught_up = Value(today) if catch_up else F("alerts_caught_up_on")
    Organisation.objects.filter(pk=organisation.pk).update(
        alerts_scanned_on=last, alerts_caught_up_on=caught_up
    )
    organisation.alerts_scanned_on = max(organisation.alerts_scanned_on or today, today)
    if catch_up:
        organisation.alerts_caught_up_on = today


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
