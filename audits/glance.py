"""Audits in the dashboard's "At a glance" block: outstanding audit actions and the overdue
ones, the audits panel's own counts and links (`memo.panel_data`), so no query of its own on
the dashboard."""

from __future__ import annotations

from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, PanelContext, registry


def _tone(n: int) -> str:
    return "bad" if n else "good"


def audit_actions(ctx: PanelContext) -> list[GlanceFigure]:
    """Outstanding actions raised on audit findings, and how many of them are overdue. Under
    the process or period filter (a finding's, which the actions list cannot narrow by) the
    unresolved findings and those past their response date instead, whose register can."""
    data = memo.panel_data(ctx, "audits")
    if data is None:
        return []
    urls = data["urls"]
    if "process" in ctx.filters or "since" in ctx.filters:
        unresolved, late = data["findings"]["total"], data["findings"]["past_due"]
        return [
            GlanceFigure(
                label="unresolved finding" if unresolved == 1 else "unresolved findings",
                value=unresolved,
                url=urls["register"],
            ),
            GlanceFigure(
                label="finding past its response date"
                if late == 1
                else "findings past their response date",
                value=late,
                url=urls["past_due"],
                tone=_tone(late),
            ),
        ]
    outstanding, overdue = data["actions"]["count"], data["actions"]["overdue"]
    return [
        GlanceFigure(
            label="outstanding action" if outstanding == 1 else "outstanding actions",
            value=outstanding,
            url=urls["count"],
        ),
        GlanceFigure(
            label="overdue action" if overdue == 1 else "overdue actions",
            value=overdue,
            url=urls["overdue"],
            tone=_tone(overdue),
        ),
    ]


registry.register("glance", Glance(name="audits", title="Audits", order=20, build=audit_actions))
