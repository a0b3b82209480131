"""The objectives panel of the leadership dashboard (registered in `ObjectivesConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from isova import records
from isova.accounts.tenancy import has_perm
from isova.dashboard import memo
from isova.registry import Panel, PanelContext

from .approved import as_approved
from .models import Objective, ObjectiveQuerySet, Rag, review_overdue_count


def dashboard_objectives(ctx: PanelContext) -> ObjectiveQuerySet:
    """The objectives the dashboard counts: the organisation's, of the owner filter's person
    when there is one; for staff, as last approved (issue 22.3: those ever approved, judged
    against the approved terms, as their objectives list reads them)."""
    objectives = Objective.objects.for_org(ctx.organisation)
    if records.reads_approved_only(ctx.membership):
        objectives = objectives.approved_reading()
    owner = ctx.filters.get("owner")
    return objectives.filter(owner_id=owner) if owner is not None else objectives


def as_read(ctx: PanelContext, objectives: list[Objective]) -> list[Objective]:
    """The objectives as the member reads them: staff, each as last approved (its title,
    target and figures; the rows must come from `dashboard_objectives`). No query."""
    if not records.reads_approved_only(ctx.membership):
        return objectives
    return [as_approved(o) for o in objectives]


OFF_TRACK_SHOWN = 5


def objectives_panel(ctx: PanelContext) -> dict[str, Any]:
    """Open objectives by RAG state, those whose review is overdue (3 queries), and the off-track
    ones furthest behind plan, each offering "New action": the trends panel's own twelve
    (`memo.panel_data`: no query on the dashboard, its 3 when this panel refreshes alone).
    Honours the owner filter; objectives have no process, and their states are a standing
    position, not things raised in a period, so process and period do not apply."""
    objectives = dashboard_objectives(ctx)
    owner = ctx.filters.get("owner")
    rag = objectives.rag_counts(ctx.today)
    list_url = reverse("objectives:index") + "?"
    owned = {"owner": owner} if owner is not None else {}
    overdue = objectives.review_overdue(ctx.today).order_by("next_review_date")
    # unfiltered, the count leadership health shows too: one query for both panels (active
    # objectives only: staff's reading, which leaves out drafts never approved, is the same)
    overdue_count = (
        overdue.count()
        if owner is not None
        else review_overdue_count(objectives, ctx.organisation, ctx.today)
    )
    trends = memo.panel_data(ctx, "trends") or {}
    off_track = [o for o in trends.get("top", []) if getattr(o, "rag", "") == Rag.RED]
    return {
        "off_track": off_track[:OFF_TRACK_SHOWN],
        "can_create_action": has_perm(ctx.membership, "isova.action.create"),
        "rag": [
            (Rag(state), count, list_url + urlencode({"status": "open", "rag": state} | owned))
            for state, count in rag.items()
        ],
        "not_applied": [f for f in ("process", "since") if f in ctx.filters],
        "open_total": sum(rag.values()),
        "review_overdue": as_read(ctx, list(overdue.select_related("owner", "goal")[:5])),
        "review_overdue_count": overdue_count,
    }


PANEL = Panel(
    name="objectives",
    title="Quality objectives",
    order=20,
    template="objectives/_dashboard_panel.html",
    build=objectives_panel,
    # RAG counts, review-overdue list, its count; refreshed alone, the trends panel's 3 (the
    # off-track objectives); on the dashboard those are the trends panel's own, read once
    max_queries=6,
)
