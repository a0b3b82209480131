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
from isova.records.panel import reads_approved_only
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
    approved: Callable[[Any], QuerySet[Any]] | None = None,
) -> UpcomingSource:
    """An "upcoming" source: the organisation's `rows` whose date field `day` falls in the
    window, soonest first (one query), as items of `kind` naming the `person` field. The
    dashboard's owner filter applies to `person`, and its process filter too when the rows
    have a process (`by_process`). For a member who reads approved versions only (the
    `APPROVED_ONLY` filter, issue 22.3), `approved` narrows the rows to those ever approved
    and annotates their `approved_snapshot`, whose title and person (`{"id", "name"}`) the
    item shows."""

    def items(
        organisation: Organisation,
        start: datetime.date,
        end: datetime.date,
        filters: dict[str, Any],
    ) -> Iterator[UpcomingItem]:
        found = rows(organisation).filter(**{f"{day}__range": (start, end)})
        if approved is not None and filters.get(APPROVED_ONLY):
            found = approved(found)
        found = found.select_related(person).order_by(day, "pk")
        if filters.get("owner"):
            found = found.filter(**{f"{person}_id": filters["owner"]})
        if by_process and filters.get("process"):
            found = found.filter(process_id=filters["process"])
        for row in found[:UPCOMING_LIMIT]:
            snap = getattr(row, "approved_snapshot", None)
            snap = snap if isinstance(snap, dict) else {}
            who = snap.get(person)
            yield UpcomingItem(
                day=getattr(row, day),
                kind=kind,
                title=str(snap.get("title") or title(row)),
                url=url(row),
                who=str(who["name"])
                if isinstance(who, dict) and "name" in who
                else getattr(row, person).get_full_name(),
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


# The key of the sources' `filters` that says the member reads approved versions only.
APPROVED_ONLY = "approved_only"


def upcoming_panel(ctx: PanelContext) -> dict[str, Any]:
    """Everything the sources yield for the next DAYS days, by date (one query per source);
    staff's as last approved (`dated_source`'s `approved`)."""
    end = ctx.today + datetime.timedelta(days=DAYS)
    filters = ctx.filters
    if reads_approved_only(ctx.membership):
        filters = filters | {APPROVED_ONLY: True}
    items = [
        item
        for _, source in registry.upcoming_sources()
        for item in source(ctx.organisation, ctx.today, end, filters)
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
