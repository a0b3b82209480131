"""Alert scans: what is overdue, off track or stale, turned into notifications.

Each app's `alerts.py` has a `due(organisation, today)` generator of `notify` keyword arguments;
this module adds the core's own (a daily digest of each person's overdue actions) and hands
them all to `isova.notifications.notify`, whose unique (recipient, kind, key, day) makes a
scan that runs twice on one day send nothing twice. "Today" is each organisation's own.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import notifications
from .models import Action, Organisation

log = logging.getLogger(__name__)

APPS_WITH_ALERTS = ("objectives", "audits", "risks", "reviews")


def overdue_action_digests(
    organisation: Organisation, today: datetime.date
) -> Iterator[dict[str, Any]]:
    """One alert per person who owns overdue actions, listing them all (1 query)."""
    overdue = (
        Action.objects.for_org(organisation)
        .overdue(today)
        .select_related("owner")
        .order_by("owner_id", "due_date", "pk")
    )
    for owner, group in groupby(overdue, key=lambda action: action.owner):
        actions = list(group)
        lines = "\n".join(
            f"- {a.title} (due {a.due_date:%d %b %Y}, {(today - a.due_date).days} days ago)"
            for a in actions
            if a.due_date is not None  # always set: overdue() filters on it
        )
        count = len(actions)
        yield {
            "recipient": owner,
            "kind": "actions_overdue",
            "key": "digest",
            "subject": f"{count} overdue action{'s' if count > 1 else ''}",
            "body": f"Your actions in {organisation} that are past their due date:\n\n{lines}\n",
            "url": reverse("my_actions"),
        }


def _app_alerts(organisation: Organisation, today: datetime.date) -> Iterable[dict[str, Any]]:
    for app in APPS_WITH_ALERTS:
        try:
            module = importlib.import_module(f"{app}.alerts")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.alerts":
                raise
            continue
        yield from module.due(organisation, today)


def scan(organisation: Organisation, today: datetime.date | None = None) -> int:
    """Make today's notifications for one organisation; returns how many are new."""
    today = today or organisation.today()
    alerts = [*overdue_action_digests(organisation, today), *_app_alerts(organisation, today)]
    # In one statement, not one transaction per notification (a commit each: 135 a second
    # at bench scale 1, see bench/); duplicates of today's are skipped as before.
    return notifications.notify_many(organisation=organisation, alerts=alerts)


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
