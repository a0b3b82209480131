"""Alert scans: what is due, overdue, off track or stale, turned into notifications.

Every app registers its alert sources (`registry.register("alerts", fn, name=...)`, each
yielding `isova.registry.Alert`s for one organisation and day) from its alerts.py; the core
its own (actions due soon and overdue, and the escalation ladder) from
isova/actions/alerts.py. `scan` runs them all and hands their alerts to
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
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from isova.accounts.models import Organisation
from isova.notifications import digests
from isova.notifications import services as notifications
from isova.notifications.briefing import weekly_briefing
from isova.notifications.models import AlertState
from isova.registry import Alert, registry

log = logging.getLogger(__name__)

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
        before = _state_before(row, today)
        if before is None:
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
    _save_states(organisation, kind, rows, keep=list(states))
    return changed


def _state_before(row: AlertState | None, today: datetime.date) -> str | None:
    """A subject's state before `today` ("" when first seen), None when its state was
    recorded on a later day."""
    if row is None:
        return ""
    if row.changed_on == today:
        return row.previous
    if row.changed_on < today:
        return row.state
    return None


def _save_states(
    organisation: Organisation, kind: str, rows: list[AlertState], *, keep: list[str]
) -> None:
    """Write the changed states (one upsert) and forget the subjects not in `keep`."""
    AlertState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organisation", "subject_key", "kind"],
        update_fields=["state", "previous", "changed_on"],
    )
    AlertState.objects.filter(organisation=organisation, kind=kind).exclude(
        subject_key__in=keep
    ).delete()


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


# The leaders' weekly briefing goes out through the alert scan (on Mondays).
registry.register("alerts", weekly_briefing, name="isova.briefing")
