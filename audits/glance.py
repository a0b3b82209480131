"""Outstanding audit actions in the dashboard's "At a glance" block: the audits panel's own
counts and links (`memo.panel_data`), so no query of its own on the dashboard."""

from __future__ import annotations

from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, PanelContext, registry


def audit_actions(ctx: PanelContext) -> list[GlanceFigure]:
    """Outstanding actions raised on audit findings, and how many of them are overdue."""
    data = memo.panel_data(ctx, "audits")
    if data is None:
        return []
    outstanding, overdue = data["actions"]["count"], data["actions"]["overdue"]
    return [
        GlanceFigure(label="outstanding", value=outstanding, url=data["urls"]["count"]),
        GlanceFigure(
            label="overdue",
            value=overdue,
            url=data["urls"]["overdue"],
            tone="bad" if overdue else "good",
        ),
    ]


registry.register(
    "glance", Glance(name="audits", title="Audit actions", order=20, build=audit_actions)
)
