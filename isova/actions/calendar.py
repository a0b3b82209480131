"""The core's calendar entries: a person's outstanding actions on their due dates."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from isova.accounts.models import Membership
from isova.actions.models import Action
from isova.registry import CalendarEvent, registry


def action_events(membership: Membership) -> Iterator[CalendarEvent]:
    """The person's outstanding actions that have a due date (one query)."""
    actions = (
        Action.objects.for_org(membership.organisation)
        .outstanding()
        .filter(owner_id=membership.user_id, due_date__isnull=False)
        .order_by("due_date", "pk")
    )
    for action in actions:
        assert action.due_date is not None
        yield CalendarEvent(
            uid=f"action-{action.pk}",
            day=action.due_date,
            summary=f"Due: {action.title}",
            url=reverse("action_detail", args=[action.pk]),
            description=action.description,
        )


registry.register("calendar", action_events, name="isova.actions")
