"""Alert scans: what is due, overdue, off track or stale, turned into notifications.

Every app registers its alert sources (`registry.register("alerts", fn, name=...)`, each
yielding `isova.registry.Alert`s for one organisation and day) from its alerts.py; the core
its own (actions due soon and overdue, and the escalation ladder) from
isova/actions/alerts.py. `scan` runs them all and hands their alerts to
`notifications.notify_many`, whose unique (organisation, recipient, kind, key, window) makes
a scan that runs twice, or on two workers at once, send nothing twice. "Today" is each
organisation's own.

`crossings` serves sources that alert once per crossing into a bad state (an objective
turning red): it keeps the last state alerted about in `AlertState`.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from isova.accounts.models import Organisation
from isova.notifications import services as notifications
from isova.notifications.briefing import weekly_briefing
from isova.notifications.models import AlertState
from isova.registry import Alert, registry

log = logging.getLogger(__name__)

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


# The leaders' weekly briefing goes out through the alert scan (on Mondays).
registry.register("alerts", weekly_briefing, name="isova.briefing")
