"""The dashboard panel "Lessons for you to capture": the member's own prompts, oldest first."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Window

from isova.registry import Panel, PanelContext, registry

from .models import Lesson


def to_capture(ctx: PanelContext) -> dict[str, Any]:
    """The five oldest lessons this member is asked for, with the total (1 query)."""
    waiting = (
        Lesson.objects.for_org(ctx.organisation)
        .to_capture()
        .filter(owner=ctx.request.user)
        .order_by("prompted_on", "pk")
    )
    # the total rides along with the first five (a window count), not a second query
    shown = list(waiting.annotate(total=Window(Count("pk")))[:5])
    return {"waiting": shown, "waiting_count": shown[0].total if shown else 0}


PANEL = Panel(
    name="lessons",
    title="Lessons for you to capture",
    order=15,
    template="lessons/_panel.html",
    build=to_capture,
    max_queries=1,
)

registry.register("panels", PANEL)
