"""The decision register's dashboard panel: what waits for a signature, what is due for review."""

from __future__ import annotations

from typing import Any

from isova.registry import Panel, PanelContext, registry

from .models import Decision


def build(ctx: PanelContext) -> dict[str, Any]:
    """Counts, and the first five of each list (3 queries). Decisions are a standing position
    with no process: the owner filter applies (the accountable person), the others do not."""
    decisions = Decision.objects.for_org(ctx.organisation)
    owner = ctx.filters.get("owner")
    if owner is not None:
        decisions = decisions.filter(owner_id=owner)
    return {
        "today": ctx.today,
        "counts": decisions.panel_counts(ctx.today),
        "awaiting": list(
            decisions.awaiting_signature().select_related("owner").order_by("decided_on", "pk")[:5]
        ),
        "due": list(decisions.due_for_review(ctx.today).order_by("review_date", "pk")[:5]),
    }


registry.register(
    "panels",
    Panel(
        name="decisions",
        title="Decisions",
        order=55,
        template="decisions/_dashboard_panel.html",
        build=build,
        max_queries=3,  # counts, waiting for sign-off (with owners), due for review
    ),
)
