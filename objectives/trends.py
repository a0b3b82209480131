"""The performance trends panel of the leadership dashboard (registered in apps.py).

Small multiples of the active objectives furthest off track (by `with_progress`'s `behind`),
each value against its planned path and target over the last TREND_MONTHS months, drawn by
one Plotly chart from one `json_script` payload (static/js/trends.js); `?trend=<id>` shows
one objective larger. A fixed 3 queries (4 with a chosen objective outside the twelve).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import CharField, F
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.urls import reverse

from isova import records
from isova.registry import Panel, PanelContext

from . import charts
from .dashboard import as_read, dashboard_objectives
from .models import Measurement, Objective, ObjectiveQuerySet, Status, add_months

SHOWN = 12
TREND_MONTHS = 24


def _chosen_id(ctx: PanelContext) -> int | None:
    text = ctx.request.GET.get("trend", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _active(ctx: PanelContext) -> ObjectiveQuerySet:
    """The active objectives, staff's as last approved (`dashboard_objectives`)."""
    return dashboard_objectives(ctx).filter(status=Status.ACTIVE)


LABEL_CHARS = 24  # a small multiple's title fits its cell at two columns on a phone


def chart_label(objective: Objective) -> str:
    """A small multiple's title: the objective's title cut to LABEL_CHARS (so neighbouring
    titles never overlap) and the measure's unit, "On-time delivery (%)"; escaped."""
    title = objective.title.strip()
    if len(title) > LABEL_CHARS:
        title = title[: LABEL_CHARS - 1].rstrip() + "…"
    unit = objective.unit.strip()
    return charts.plotly_text(f"{title} ({unit})" if unit else title)


def _entry(objective: Objective, measurements: list[Measurement]) -> dict[str, Any]:
    data = charts.series(objective, measurements)
    behind = getattr(objective, "behind", None)
    data.update(
        id=objective.pk,
        title=charts.plotly_text(objective.title),
        label=chart_label(objective),
        url=objective.get_absolute_url(),
        behind=None if behind is None else round(behind, 1),
        rag=getattr(objective, "rag", ""),
    )
    return data


def trends_panel(ctx: PanelContext) -> dict[str, Any]:
    """The twelve active objectives furthest behind plan and their values (3–4 queries)."""
    active = _active(ctx)
    # 1 query: staff read the approved titles (`as_approved` gives them to the rows below)
    titled = active.annotate(
        shown_title=Coalesce(KT("approved_snapshot__title"), F("title"), output_field=CharField())
        if records.reads_approved_only(ctx.membership)
        else F("title")
    )
    choices = list(titled.order_by("shown_title", "pk").values_list("pk", "shown_title"))
    progress = active.with_progress(ctx.today).select_related("goal")  # as_read reads the goal
    behind_first = progress.order_by(F("behind").desc(nulls_last=True), "title", "pk")
    top = as_read(ctx, list(behind_first[:SHOWN]))  # 1 query
    wanted = _chosen_id(ctx)
    chosen = next((o for o in top if o.pk == wanted), None)
    if wanted is not None and chosen is None and any(pk == wanted for pk, _ in choices):
        # 1 query, only for one outside the twelve
        chosen = as_read(ctx, [progress.get(pk=wanted)])[0]
    since = ctx.filters.get("since") or add_months(ctx.today, -TREND_MONTHS)
    shown = top + ([chosen] if chosen is not None and chosen not in top else [])
    values: dict[int, list[Measurement]] = defaultdict(list)
    for m in Measurement.objects.filter(  # 1 query: the values of every shown objective
        objective__in=[o.pk for o in shown], period__gte=since
    ).order_by("objective_id", "period"):
        values[m.objective_id].append(m)
    for objective in shown:
        for m in values[objective.pk]:
            m.objective = objective  # period labels read the objective's frequency
    payload = {
        "objectives": [_entry(o, values[o.pk]) for o in top],
        "chosen": None if chosen is None else _entry(chosen, values[chosen.pk]),
    }
    all_url = reverse("objectives:index") + "?status=active"
    if ctx.filters.get("owner"):
        all_url += f"&owner={ctx.filters['owner']}"
    return {
        "draws": bool(top),  # no active objective, no chart: the dashboard loads no Plotly
        "top": top,
        "total": len(choices),
        "choices": choices,
        "chosen": chosen,
        "payload": payload,
        "all_url": all_url,
    }


PANEL = Panel(
    name="trends",
    title="Performance trends",
    order=25,
    template="objectives/_trends_panel.html",
    build=trends_panel,
    scripts=("vendor/plotly/plotly-cartesian.min.js", "js/trends.js"),
    # objectives for the select, the twelve furthest behind, their values, a chosen one
    max_queries=4,
)
