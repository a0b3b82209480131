"""The objectives app's sections of the management-review inputs pack (ISO 9001 9.3.2 c, d).

Same JSON shape as reviews/review_inputs.py documents (figures, bars, table); the template is the
reviews app's generic section template, named by path only (no import of that app).
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum

from isova.humanise import day, decimals_of, figure
from isova.models import Action, Organisation
from isova.registry import ReviewInput, registry

from .models import Decision, Objective, Rag, Review, Status

SECTION_TEMPLATE = "reviews/inputs/_section.html"
# Fields and with_progress() annotations the sections read (as dicts: annotations are untyped).
FIELDS = (
    "title", "measure_name", "unit", "status", "baseline", "target", "target_date",
    "progress", "rag", "last_value", "last_period", "forecast",
)  # fmt: skip


def _number(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{float(value):.6g}"


def objectives_met(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """c2) How far the quality objectives were met: status, RAG and closures (2 queries)."""
    objectives = list(
        Objective.objects.for_org(org)
        .exclude(status__in=(Status.DRAFT, Status.WITHDRAWN))
        .with_progress(until)
        .order_by("title")
        .values(*FIELDS, "owner__full_name", "owner__email")
    )
    if not objectives:
        return {}
    closed = Review.objects.filter(
        objective__organisation=org, reviewed_on__gte=since, reviewed_on__lte=until
    ).aggregate(
        achieved=Count("pk", filter=Q(decision=Decision.ACHIEVED)),
        missed=Count("pk", filter=Q(decision=Decision.MISSED)),
    )
    active = [o for o in objectives if o["status"] == Status.ACTIVE]
    rag_counts = Counter(Rag(o["rag"]).label for o in active)
    return {
        "figures": [
            ["Active objectives", len(active)],
            ["Closed as achieved in the period", closed["achieved"]],
            ["Closed as missed in the period", closed["missed"]],
        ],
        "bars": {"title": "Active objectives by progress", "items": sorted(rag_counts.items())},
        "table": {
            "columns": ["Objective", "Owner", "Status", "Progress", "Target", "Target date"],
            "rows": [
                [
                    o["title"],
                    o["owner__full_name"] or o["owner__email"],
                    Status(o["status"]).label,
                    f"{o['progress']:.0f}% · {Rag(o['rag']).label}"
                    if o["progress"] is not None
                    else Rag(o["rag"]).label,
                    f"{_number(o['target'])} {o['unit']}",
                    o["target_date"].isoformat(),
                ]
                for o in objectives
            ],
        },
    }


def _performance_row(o: dict) -> list[str]:
    """One measure, each figure to the measure's own decimals (those of its baseline and
    target), the period as a date people read."""
    places = decimals_of(o["baseline"], o["target"])
    return [
        o["measure_name"] or o["title"],
        f"{figure(o['last_value'], places)} {o['unit']}".strip(),
        day(o["last_period"]),
        figure(o["baseline"], places),
        figure(o["target"], places),
        figure(o["forecast"], places),
    ]


def process_performance(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """c3/c5) Process performance: latest value of each active measure (1 query)."""
    objectives = list(
        Objective.objects.for_org(org)
        .filter(status=Status.ACTIVE)
        .with_progress(until)
        .order_by("measure_name", "title")
        .values(*FIELDS)
    )
    measured = [o for o in objectives if o["last_value"] is not None]
    if not measured:
        return {}
    return {
        "figures": [
            ["Measures followed", len(objectives)],
            ["With a value in the period", sum(o["last_period"] >= since for o in measured)],
        ],
        "table": {
            "columns": ["Measure", "Latest value", "Period", "Baseline", "Target", "Forecast"],
            "rows": [_performance_row(o) for o in measured],
        },
    }


def resources(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """d) Adequacy of resources: effort and cost asked for by actions and objectives (2 queries)."""
    actions = Action.objects.for_org(org).filter(
        created_at__date__gte=since, created_at__date__lte=until
    )
    asked = actions.live().aggregate(
        count=Count(
            "pk", filter=Q(estimated_effort_hours__isnull=False) | Q(estimated_cost__isnull=False)
        ),
        hours=Sum("estimated_effort_hours"),
        cost=Sum("estimated_cost"),
        done_hours=Sum("estimated_effort_hours", filter=Q(status__in=("done", "verified"))),
    )
    budgets = list(
        Objective.objects.for_org(org)
        .exclude(status__in=(Status.DRAFT, Status.WITHDRAWN))
        .filter(Q(budget__isnull=False) | ~Q(resources=""))
        .values_list("title", "resources", "budget", "status")
        .order_by("title")
    )
    if not asked["count"] and not budgets:
        return {}
    return {
        "figures": [
            ["Actions asking for effort or money", asked["count"]],
            ["Effort asked (hours)", _number(asked["hours"])],
            ["Of which delivered (hours)", _number(asked["done_hours"])],
            ["Cost asked", _number(asked["cost"])],
        ],
        "table": {
            "columns": ["Objective", "Resources planned", "Budget", "Status"],
            "rows": [
                [title, text, _number(budget), Status(status).label]
                for title, text, budget, status in budgets
            ],
        },
    }


for section in (
    ReviewInput("objectives_met", "c2", "Extent to which quality objectives have been met",
                32, SECTION_TEMPLATE, objectives_met),
    ReviewInput("objectives_processes", "c3", "Process performance and monitoring results",
                33, SECTION_TEMPLATE, process_performance),
    ReviewInput("objectives_resources", "d", "Adequacy of resources", 40,
                SECTION_TEMPLATE, resources),
):  # fmt: skip
    registry.register("review_inputs", section)
