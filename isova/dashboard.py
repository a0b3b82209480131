"""The leadership dashboard: the panels apps register (`isova.registry`), in order.

The core keeps its own panels (approvals, actions) and registers them from
`IsovaConfig.ready()` like any app does; objectives and audits register theirs. The page
renders every visible panel at once (it works without JavaScript); each panel also has its
own URL so HTMX refreshes it in place every few minutes. Each builder runs a fixed number of
queries, so the whole page does too, whatever the size of the organisation
(tests/isova/test_dashboard.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render

from .models import OUTSTANDING_STATUSES, Action, ActionStatus, RecordVersion
from .registry import Panel, PanelContext, registry
from .tenancy import OrgRequest, has_perm, member_required

REFRESH_SECONDS = 300


def actions_panel(ctx: PanelContext) -> dict[str, Any]:
    """Every action of the organisation: outstanding, overdue, awaiting verification (1 query)."""
    outstanding = Q(status__in=OUTSTANDING_STATUSES)
    return Action.objects.for_org(ctx.organisation).aggregate(
        outstanding=Count("pk", filter=outstanding),
        overdue=Count("pk", filter=outstanding & Q(due_date__lt=ctx.today)),
        awaiting_verification=Count("pk", filter=Q(status=ActionStatus.DONE)),
        mine=Count("pk", filter=outstanding & Q(owner=ctx.request.user)),
    )


def approvals_panel(ctx: PanelContext) -> dict[str, Any]:
    """What waits for this leader's decision, oldest first (2 queries + 1 per kind of record)."""
    if not has_perm(ctx.membership, "isova.record.approve"):
        return {"can_approve": False, "waiting": [], "waiting_count": 0}
    waiting = (
        RecordVersion.objects.for_org(ctx.organisation)
        .awaiting_decision()
        .exclude(submitted_by=ctx.request.user)
    )
    return {
        "can_approve": True,
        "waiting": list(waiting.for_inbox()[:5]),
        "waiting_count": waiting.count(),
    }


CORE_PANELS = (
    Panel(
        name="approvals",
        title="Waiting for your approval",
        order=10,
        template="isova/dashboard/_approvals.html",
        build=approvals_panel,
    ),
    Panel(
        name="actions",
        title="All actions",
        order=90,
        template="isova/dashboard/_actions.html",
        build=actions_panel,
    ),
)


def _context(request: OrgRequest) -> PanelContext:
    organisation = request.organisation
    return PanelContext(
        request=request,
        organisation=organisation,
        membership=request.membership,
        today=organisation.today(),
    )


@member_required
def dashboard(request: OrgRequest) -> HttpResponse:
    ctx = _context(request)
    panels = [p for p in registry.panels() if p.visible(request.membership)]
    # Each panel's data sits under its name, which is what its partial reads.
    context: dict[str, Any] = {p.name: p.build(ctx) for p in panels}
    # A panel's scripts (Plotly for a chart) load only when it has something to draw.
    scripts = [s for p in panels if context[p.name].get("draws", True) for s in p.scripts]
    context.update(panels=panels, refresh_seconds=REFRESH_SECONDS, panel_scripts=scripts)
    return render(request, "isova/dashboard.html", context)


@member_required
def panel(request: OrgRequest, name: str) -> HttpResponse:
    """One panel alone: what HTMX polls to keep the dashboard current."""
    found = registry.panel(name)
    if found is None or not found.visible(request.membership):
        raise Http404("No such dashboard panel.")
    context = {
        found.name: found.build(_context(request)),
        "panel": found,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, found.template, context)
