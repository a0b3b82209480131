"""Leadership health in the "At a glance" block: one line, a word and a colour per figure,
read from the health panel's own reading (no query of its own)."""

from __future__ import annotations

from isova.dashboard import memo
from isova.health.services import PANEL
from isova.registry import Glance, GlanceFigure, PanelContext, registry

TONE = {"green": "good", "amber": "warn", "red": "bad", "grey": ""}


def health_line(ctx: PanelContext) -> list[GlanceFigure]:
    """Each health figure's worst colour, linked to where its worst reading is put right."""
    health = memo.panel_data(ctx, PANEL.name)
    if health is None:
        return []
    figures = []
    for row in health["rows"]:
        worst = next((r for r, c in row["readings"] if c == row["colour"]), None)
        figures.append(
            GlanceFigure(
                label=row["figure"].short or row["figure"].title,
                value=row["colour"],
                url=worst.url if worst is not None else "",
                tone=TONE.get(row["colour"], ""),
                note=worst.text if worst is not None else "",
            )
        )
    return figures


registry.register(
    "glance",
    Glance(
        name="health",
        title="Leadership health",
        order=50,
        build=health_line,
        visible=PANEL.visible,
    ),
)
