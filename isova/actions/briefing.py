"""The core's briefing section on actions: those overdue and escalated this week."""

from __future__ import annotations

import datetime

from isova.accounts.models import Organisation
from isova.actions.models import Action
from isova.notifications.models import Notification
from isova.registry import BriefingSection, registry


def actions_section(
    organisation: Organisation, since: datetime.date, today: datetime.date
) -> list[str]:
    overdue = Action.objects.for_org(organisation).overdue(today).count()
    escalated = (
        Notification.objects.for_org(organisation)
        .filter(kind="action_escalated", day__gt=since)
        .values("key")
        .distinct()
        .count()
    )
    lines = [f"{overdue} overdue (/actions/?overdue=on)"] if overdue else []
    if escalated:
        lines.append(f"{escalated} escalation{'s' if escalated != 1 else ''} this week")
    return lines


SECTIONS = (BriefingSection("isova.actions", "Actions", 40, actions_section),)


for section in SECTIONS:
    registry.register("briefing", section)
