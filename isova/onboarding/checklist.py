"""The first-run checklist: a dashboard panel shown to leaders and managers of an
organisation until every step is done or a leader puts it away.

Steps are registered (hooks.register_checklist_item): the core's (quality policy, invite the
team, import registers) and the apps' (first objectives, plan the first review and audit).
The panel runs one query for the state and one per step, whatever the data size.
"""

from __future__ import annotations

from typing import Any

from isova.models import Membership, Role
from isova.registry import Panel, PanelContext

from .hooks import checklist_items
from .models import Checklist


def build(ctx: PanelContext) -> dict[str, Any]:
    state = Checklist.objects.filter(organisation=ctx.organisation).first()
    if state is not None and state.dismissed_at:
        return {"show": False, "steps": []}
    marked = set(state.marked_done if state else [])
    steps = [
        {
            "key": item.key,
            "title": item.title,
            "url": item.url(),
            "done": item.key in marked or item.done(ctx.organisation),
            "can_mark_done": item.can_mark_done,
        }
        for item in checklist_items()
    ]
    remaining = sum(1 for s in steps if not s["done"])
    return {
        "show": remaining > 0,
        "steps": steps,
        "remaining": remaining,
        "can_manage": ctx.membership.role == Role.LEADER,
    }


def _planners(membership: Membership) -> bool:
    return membership.role in (Role.LEADER, Role.MANAGER)


PANEL = Panel(
    name="getting_started",
    title="Getting started",
    order=1,
    template="onboarding/_checklist_panel.html",
    build=build,
    visible=_planners,
    max_queries=8,  # the state, then one per registered step (six today)
)
