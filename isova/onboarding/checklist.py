"""The first-run checklist: a dashboard panel shown to leaders and managers of an
organisation until every step is done or a leader puts it away.

Steps are registered (hooks.register_checklist_item): the core's (quality policy, invite the
team, import registers) and the apps' (first objectives, plan the first review and audit).
The panel asks everything in one query (an EXISTS per step and the checklist's state),
whatever the number of steps or the size of the data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from isova.accounts.tenancy import leader_or_manager
from isova.models import Organisation, Role
from isova.registry import Panel, PanelContext

from .hooks import checklist_items
from .models import Checklist


def steps(organisation: Organisation) -> tuple[list[dict[str, Any]], bool]:
    """Every step with whether it is done, and whether a leader put the list away."""
    items = checklist_items()
    state = Checklist.objects.filter(organisation=OuterRef("pk"))
    found = {
        f"step_{i}": Exists(item.evidence(organisation))
        for i, item in enumerate(items)
        if item.evidence is not None
    }
    row = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            marked=Subquery(state.values("marked_done")[:1]),
            dismissed=Subquery(state.values("dismissed_at")[:1]),
            **found,
        )
        .values("marked", "dismissed", *found)
        .get()
    )
    marked = set(row["marked"] or [])
    listed = [
        {
            "key": item.key,
            "title": item.title,
            "url": item.url(),
            "done": item.key in marked or bool(row.get(f"step_{i}")),
            "can_mark_done": item.evidence is None,
        }
        for i, item in enumerate(items)
    ]
    return listed, row["dismissed"] is not None


def build(ctx: PanelContext) -> dict[str, Any]:
    listed, dismissed = steps(ctx.organisation)
    remaining = sum(1 for s in listed if not s["done"])
    return {
        "show": remaining > 0 and not dismissed,
        "steps": listed,
        "remaining": remaining,
        "can_manage": ctx.membership.role == Role.LEADER,
    }


PANEL = Panel(
    name="getting_started",
    title="Getting started",
    order=1,
    template="onboarding/_checklist_panel.html",
    build=build,
    visible=leader_or_manager,
    max_queries=1,
)
