"""The dashboard's "At a glance" block, and the core's own group of it ("Waiting for you").

The block answers "how are we doing, and what needs me?" on the first screen: each group is
a `Glance` contribution (`registry.register("glance", ...)` from an app's glance.py) whose
figures come from the panels below through `memo.panel_data`, so a figure is the very number
its panel shows, behind the very link, and the page runs its queries once. Every count is a
link to the list of exactly those items (tests/isova/test_dashboard_glance.py follows them).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from isova.accounts.models import Role
from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, Panel, PanelContext, registry
from isova.sparklines import sparkline


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def waiting_for_you(ctx: PanelContext) -> list[GlanceFigure]:
    """Approvals waiting for this person's decision, overdue actions the escalation ladder
    has brought to the leaders (leaders only), and this person's own outstanding actions:
    the approvals and actions panels' figures (no query of its own)."""
    figures = []
    approvals = memo.panel_data(ctx, "approvals")
    if approvals is not None and approvals["can_approve"]:
        n = approvals["waiting_count"]
        figures.append(
            GlanceFigure(
                label=_plural(n, "approval waiting for you", "approvals waiting for you"),
                value=n,
                url=reverse("approvals"),
                tone="warn" if n else "good",
            )
        )
    actions = memo.panel_data(ctx, "actions")
    if actions is None:
        return figures
    if ctx.membership.role == Role.LEADER:
        n = actions["escalated"]
        days = actions["escalated_after_days"]
        figures.append(
            GlanceFigure(
                label=_plural(n, "action escalated to you", "actions escalated to you"),
                value=n,
                url=actions["urls"]["escalated"],
                tone="bad" if n else "good",
                note=f"overdue {days} days or more: escalated to the leaders",
            )
        )
    n = actions["mine"]
    figures.append(
        GlanceFigure(
            label=_plural(n, "outstanding action of yours", "outstanding actions of yours"),
            value=n,
            url=actions["urls"]["mine"],
        )
    )
    return figures


WAITING = Glance(name="waiting", title="Waiting for you", order=40, build=waiting_for_you)


def glance_panel(ctx: PanelContext) -> dict[str, Any]:
    """Every visible group with its figures (groups without figures left out); the queries
    are the panels' (shared through `memo`), plus those of any panel hidden below."""
    groups = []
    for group in registry.glance_groups():
        if not group.visible(ctx.membership):
            continue
        figures = group.build(ctx)
        if figures:
            drawn = [(f, sparkline(f.points, label=f"Recent values of {f.label}")) for f in figures]
            groups.append({"group": group, "figures": drawn})
    return {"groups": groups}


PANEL = Panel(
    name="glance",
    title="At a glance",
    order=0,
    template="isova/dashboard/_glance.html",
    build=glance_panel,
    # Alone (its HTMX refresh) it builds the panels it reads, within their budgets:
    # approvals 4, actions 1, objectives 3, audits 3, risks 13, trends 4, health 11 (27
    # measured), and the objectives' states a week ago (1). On the dashboard the panels'
    # answers are shared with the panels below: the block adds that one query
    # (tests/isova/test_dashboard_glance.py).
    max_queries=40,
)

registry.register("glance", WAITING)
