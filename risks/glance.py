"""Risk status in the dashboard's "At a glance" block: risks above the appetite, reviews due
and overdue treatment actions, from the risks panel's own counts and links
(`memo.panel_data`), so no query of its own on the dashboard."""

from __future__ import annotations

from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, PanelContext, registry


def _tone(n: int) -> str:
    return "bad" if n else "good"


def risk_status(ctx: PanelContext) -> list[GlanceFigure]:
    """Live risks above the appetite, risk reviews overdue, treatment actions overdue (not
    under the process filter: their list cannot narrow by a risk's process)."""
    data = memo.panel_data(ctx, "risks")
    if data is None:
        return []
    above, reviews, actions = (
        data["above_appetite"],
        data["overdue_reviews"],
        data["overdue_actions"],
    )
    bands = " or ".join(data["appetite_bands"])
    figures = [
        GlanceFigure(
            label="risk above the appetite" if above == 1 else "risks above the appetite",
            value=above,
            url=data["above_appetite_url"],
            tone=_tone(above),
            note=f"band {bands}" if bands else "",
        ),
        GlanceFigure(
            label="review overdue" if reviews == 1 else "reviews overdue",
            value=reviews,
            url=data["overdue_reviews_url"],
            tone=_tone(reviews),
        ),
    ]
    if "process" in ctx.filters:  # the actions list cannot narrow by a risk's process
        return figures
    return [
        *figures,
        GlanceFigure(
            label="treatment action overdue" if actions == 1 else "treatment actions overdue",
            value=actions,
            url=data["overdue_actions_url"],
            tone=_tone(actions),
        ),
    ]


registry.register("glance", Glance(name="risks", title="Risks", order=30, build=risk_status))
