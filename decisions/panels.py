"""The decision register's dashboard panel: what waits for a signature, what is due for review."""

from __future__ import annotations

from typing import Any

from isova import records
from isova.models import Membership
from isova.registry import Panel, PanelContext, registry

from .models import Decision, Shown


def build(ctx: PanelContext) -> dict[str, Any]:
    """Counts, and up to five of each list (2 queries). Decisions are a standing position
    with no process: the owner filter applies (the accountable person), the others do not."""
    decisions = Decision.objects.for_org(ctx.organisation)
    owner = ctx.filters.get("owner")
    if owner is not None:
        decisions = decisions.filter(owner_id=owner)
    rows = list(decisions.needing_attention(ctx.today).select_related("owner"))
    return {
        "today": ctx.today,
        "counts": decisions.panel_counts(ctx.today),
        "awaiting": [d for d in rows if d.shown == Shown.AWAITING][:5],
        "due": [d for d in rows if d.shown == Shown.SIGNED][:5],
    }


def visible(membership: Membership) -> bool:
    """Not for staff, who read decisions as last signed and nothing else (issue 22.3): what
    waits for a signature is not theirs to read, and the register shows them every signed
    decision as signed, so its counts would not match."""
    return not records.reads_approved_only(membership)


registry.register(
    "panels",
    Panel(
        name="decisions",
        title="Decisions",
        order=55,
        template="decisions/_dashboard_panel.html",
        build=build,
        visible=visible,
        max_queries=2,  # the counts; the decisions awaiting a signature or due for review
    ),
)
