"""The dashboard's "Upcoming" panel: what falls due or is planned in the next 30 days.

The core gathers it through `registry.register("upcoming", ...)`: its own due actions here,
and each app's items (objective reviews, audits, management reviews, risk reviews) from the
app's `upcoming.py`. One query per source, so the panel's cost does not grow with the data.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from operator import attrgetter, methodcaller
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from isova.accounts.models import Organisation
from isova.actions.models import Action
from isova.registry import (
    UPCOMING_LIMIT,
    Panel,
    PanelContext,
    UpcomingItem,
    UpcomingSource,
    registry,
)

DAYS = 30


def dated_source(
    rows: Callable[[Organisation], QuerySet[Any]],
    *,
    day: str,
    person: str,
    kind: str,
    title: Callable[[Any], str] = attrgetter("title"),
    url: Callable[[Any], str] = methodcaller("get_absolute_url"),
    by_process: bool = False,
) -> UpcomingSource:
    """An "upcoming" source: the organisation's `rows` whose date field `day` falls in the
    window, soonest first (one query), as items of `kind` naming the `person` field. The
    dashboard's owner filter applies to `person`, and its process filter too when the rows
    have a process (`by_process`)."""

    def items(
        organisation: Organisation,
        start: datetime.date,
        end: datetime.date,
        filters: dict[str, Any],
    ) -> Iterator[UpcomingItem]:
        found = rows(organisation).filter(**{f"{day}__range": (start, end)})
        found = found.select_related(person).order_by(day, "pk")
        if filters.get("owner"):
            found = found.filter(**{f"{person}_id": filters["owner"]})
        if by_process and filters.get("process"):
            found = found.filter(process_id=filters["process"])
        for row in found[:UPCOMING_LIMIT]:
            yield UpcomingItem(
                day=getattr(row, day),
                kind=kind,
                title=title(row),
                url=url(row),
                who=getattr(row, person).get_full_name(),
            )

    return items


# Outstanding actions due in the window, soonest first.
action_items = dated_source(
    lambda organisation: Action.objects.for_org(organisation).outstanding(),
    day="due_date",
    person="owner",
    kind="Action due",
    url=lambda action: reverse("action_detail", args=[action.pk]),
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
