"""The core's briefing section on actions: open and overdue now, escalated since the last
briefing."""

from __future__ import annotations

import datetime

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.actions.models import Action
from isova.notifications.models import Notification
from isova.registry import BriefingSection, registry


def actions_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    """Open and overdue actions now, and those escalated since the last briefing (3 queries)."""
    actions = Action.objects.for_org(organisation)
    open_ = actions.outstanding().count()
    overdue = actions.overdue(today).count()
    escalated = (
        Notification.objects.for_org(organisation)
        .filter(kind="action_escalated", day__gt=since, day__lte=today)
        .values("key")
        .distinct()
        .count()
    )
    return [
        f"{open_} open, {overdue} overdue ({reverse('action_list')}?overdue=on)",
        f"{escalated} escalation{'s' if escalated != 1 else ''} since "
        f"{organisation.format_date(since)}",
    ]


SECTIONS = (BriefingSection("isova.actions", "Actions", 40, actions_section),)


for section in SECTIONS:
    registry.register("briefing", section)
