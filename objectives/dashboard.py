"""The objectives panel of the leadership dashboard (registered in `ObjectivesConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from isova.registry import Panel, PanelContext

from .models import Objective, Rag


def objectives_panel(ctx: PanelContext) -> dict[str, Any]:
    """Open objectives by RAG state, and those whose review is overdue (3 queries)."""
    objectives = Objective.objects.for_org(ctx.organisation)
    rag = objectives.rag_counts(ctx.today)
    overdue = objectives.review_overdue(ctx.today).order_by("next_review_date")
    return {
        "rag": [(Rag(state), count) for state, count in rag.items()],
        "open_total": sum(rag.values()),
        "review_overdue": list(overdue.select_related("owner")[:5]),
        "review_overdue_count": overdue.count(),
    }


PANEL = Panel(
    name="objectives",
    title="Quality objectives",
    order=20,
    template="objectives/_dashboard_panel.html",
    build=objectives_panel,
)
