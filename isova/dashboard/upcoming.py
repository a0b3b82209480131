"""The dashboard's "Upcoming" panel: what falls due or is planned in the next 30 days.

The core gathers it through `registry.register("upcoming", ...)`: its own due actions here,
and each app's items (objective reviews, audits, management reviews, risk reviews) from the
app's `upcoming.py`. One query per source, so the panel's cost does not grow with the data.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.actions.models import Action
from isova.registry import UPCOMING_LIMIT, Panel, PanelContext, UpcomingItem, registry

DAYS = 30


def action_items(
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date,
    filters: dict[str, Any],
) -> Iterator[UpcomingItem]:
    """Outstanding actions due in the window, soonest first (one query)."""
    actions = (
        Action.objects.for_org(organisation)
        .outstanding()
        .filter(due_date__range=(start, end))
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    if filters.get("owner"):
        actions = actions.filter(owner_id=filters["owner"])
    for action in actions[:UPCOMING_LIMIT]:
        assert action.due_date is not None
        yield UpcomingItem(
            day=action.due_date,
            kind="Action due",
            title=action.title,
            url=reverse("action_detail", args=[action.pk]),
            who=action.owner.get_full_name(),
        )


def upcoming_panel(ctx: PanelContext) -> dict[str, Any]:
    """Everything the sources yield for the next DAYS days, by date (one query per source)."""
    end = ctx.today + datetime.timedelta(days=DAYS)
    items = [
        item
        for _, source in registry.upcoming_sources()
        for item in source(ctx.organisation, ctx.today, end, ctx.filters)
    ]
    items.sort(key=lambda i: (i.day, i.kind, i.title))
    return {
        "items": items,
        "kinds": sorted(Counter(i.kind for i in items).items()),
        "end": end,
        "days": DAYS,
        "limit": UPCOMING_LIMIT,
        "actions_url": reverse("action_list") + f"?due_from={ctx.today}&due_to={end}",
    }


PANEL = Panel(
    name="upcoming",
    title="Upcoming",
    order=30,
    template="isova/dashboard/_upcoming.html",
    build=upcoming_panel,
    max_queries=6,  # one per registered upcoming source (5) and the template's none
)


registry.register("upcoming", action_items, name="isova.actions")
