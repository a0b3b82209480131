"""The objectives' groups of the dashboard's "At a glance" block: open objectives by state,
and the trends of those furthest behind plan as sparklines. Both read the panels' own data
(`memo.panel_data`); the states' change since last week is the one query of their own."""

from __future__ import annotations

import datetime

from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, PanelContext, registry

from .dashboard import dashboard_objectives
from .models import Rag

# The states a leader acts on, in the words of the list's "Progress" filter.
STATES = {Rag.GREEN: "good", Rag.AMBER: "warn", Rag.RED: "bad"}
SPARKLINES = 4
SPARKLINE_POINTS = 12


def _change(now: int, before: int, since: str) -> str:
    if now == before:
        return f"none since {since}"
    return f"{now - before:+d} since {since}".replace("-", "−")


def objective_states(ctx: PanelContext) -> list[GlanceFigure]:
    """Open objectives on track, slightly behind and off track, each linked to the list of
    open objectives in that state (the objectives panel's counts and links), and the change
    since a week ago: the same count on the values of periods begun by then (1 query)."""
    data = memo.panel_data(ctx, "objectives")
    if data is None or not data["open_total"]:
        return []
    week_ago = ctx.today - datetime.timedelta(days=7)
    before = dashboard_objectives(ctx).rag_counts(week_ago, values_until=week_ago)
    since = f"{week_ago.day} {week_ago:%b}"
    return [
        GlanceFigure(
            label=str(state.label).lower(),
            value=count,
            url=url,
            tone=STATES[state],
            change=_change(count, before[state], since),
        )
        for state, count, url in data["rag"]
        if state in STATES
    ]


def _reading(behind: float | None) -> str:
    if behind is None:
        return "no values yet"
    if abs(behind) < 0.05:
        return "on plan"
    return f"{abs(behind):.0f}% {'behind' if behind > 0 else 'ahead of'} plan"


def trends(ctx: PanelContext) -> list[GlanceFigure]:
    """The active objectives furthest behind plan (the trends panel's first few), each its
    recent values as a sparkline, how far behind plan in words, linked to the objective."""
    data = memo.panel_data(ctx, "trends")
    if data is None:
        return []
    shown = zip(data["top"], data["payload"]["objectives"], strict=True)
    return [
        GlanceFigure(
            label=objective.title,
            value=_reading(entry["behind"]),
            url=objective.get_absolute_url(),
            tone=STATES.get(entry["rag"], ""),
            points=tuple(entry["actual"]["y"][-SPARKLINE_POINTS:]),
        )
        for objective, entry in list(shown)[:SPARKLINES]
    ]


registry.register(
    "glance", Glance(name="objectives", title="Objectives", order=10, build=objective_states)
)
registry.register(
    "glance", Glance(name="trends", title="Performance trends", order=60, build=trends)
)
