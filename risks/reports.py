"""What the risks app reports to the core: the dashboard panel, the management-review input
(9.3.2 e) and the leadership evidence (5.1.1 d, 5.1.2 b); and the heat-map grid they share
with the heat-map page. Each runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from isova import records
from isova.models import Action, ActionQuerySet, Organisation, Role, SignOff
from isova.registry import Evidence, Gap, PanelContext

from .approved import as_approved
from .models import Assessment, Category, Kind, Risk, RiskMatrix, RiskQuerySet
from .services import current_matrix


def cell_url(basis: str, kind: str, likelihood: int, impact: int) -> str:
    """The register filtered to one heat-map cell (live risks of the kind at that position)."""
    query: dict[str, str | int] = {
        "kind": kind,
        "status": "live",
        "basis": basis,
        "likelihood": likelihood,
        "impact": impact,
    }
    return reverse("risks:index") + "?" + urlencode(query)


def heat_map(
    matrix: RiskMatrix, cells: dict[tuple[int, int], int], basis: str, kind: str
) -> list[dict[str, Any]]:
    """Rows of the grid, the most likely first; each cell with its count, band and link."""
    rows_n, cols_n = matrix.size
    grid = []
    for likelihood in range(rows_n, 0, -1):
        row = []
        for impact in range(1, cols_n + 1):
            rank, band = matrix.band_for(likelihood * impact)
            row.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": likelihood * impact,
                    "count": cells.get((likelihood, impact), 0),
                    "band": band["name"],
                    "colour": band.get("colour", "#ffffff"),
                    "rank": rank,
                    "url": cell_url(basis, kind, likelihood, impact),
                }
            )
        grid.append(
            {
                "likelihood": likelihood,
                "name": matrix.likelihood[likelihood - 1]["name"],
                "cells": row,
            }
        )
    return grid


def panel(ctx: PanelContext) -> dict[str, Any]:
    """The dashboard's "Risk status": 8 queries whatever the size of the register."""
    risks, plan_actions = _panel_scope(ctx)
    # 1–2: the current matrix (its approved version, then the row)
    matrix = current_matrix(ctx.organisation)
    # 3: counts per band, inherent and residual (one aggregate)
    counts = risks.filter(kind=Kind.RISK).band_counts([b["name"] for b in matrix.bands])
    # 4–7: the top risks and opportunities, reviews and treatment actions overdue
    figures = _panel_figures(risks, plan_actions, ctx.today)
    # The register behind each figure, narrowed as the panel is (same ids, same names).
    narrowed_by: dict[str, int] = {
        name: ctx.filters[name] for name in ("owner", "process") if name in ctx.filters
    }
    narrowing = urlencode(narrowed_by)
    # 8: residual heat-map cell counts
    grid = _residual_grid(matrix, risks, narrowing)
    return {
        "matrix": matrix,
        **_band_figures(matrix, counts, narrowing),
        **figures,
        **_overdue_urls(ctx, narrowing),
        "grid": grid,
        "impact_levels": matrix.impact,
    }


def _panel_scope(ctx: PanelContext) -> tuple[RiskQuerySet, ActionQuerySet]:
    """The organisation's risks and their treatment actions, narrowed by the dashboard's own
    filters (already validated ids) when it has them. No query."""
    risks = Risk.objects.for_org(ctx.organisation)
    if records.reads_approved_only(ctx.membership):  # staff: as last approved (issue 22.3)
        risks = risks.approved_reading()
    plan_actions = Action.objects.for_org(ctx.organisation).for_source_model(Risk)
    narrowed = {
        field: ctx.filters[name]
        for name, field in (("process", "process_id"), ("owner", "owner_id"))
        if ctx.filters.get(name)
    }
    if narrowed:
        risks = risks.filter(**narrowed)
        plan_actions = plan_actions.filter(source_id__in=risks.values("pk"))
    return risks, plan_actions


def _panel_figures(
    risks: RiskQuerySet, plan_actions: ActionQuerySet, today: datetime.date
) -> dict[str, Any]:
    """The panel's lists and overdue counts (4 queries)."""
    # the five highest residual scores, with their owners (risks only: an opportunity's
    # high score is good news, never a risk's), then the three best opportunities
    by_score = ("-residual_score", "-inherent_score", "reference")
    top = _as_read(risks.live().filter(kind=Kind.RISK).for_list().order_by(*by_score)[:5])
    top_opportunities = _as_read(
        risks.live().filter(kind=Kind.OPPORTUNITY).for_list().order_by(*by_score)[:3]
    )
    # reviews overdue, risks and opportunities apart (one aggregate)
    overdue = risks.review_overdue(today).aggregate(
        risks=Count("pk", filter=Q(kind=Kind.RISK)),
        opportunities=Count("pk", filter=Q(kind=Kind.OPPORTUNITY)),
    )
    return {
        "top": top,
        "top_opportunities": top_opportunities,
        "overdue_reviews": overdue["risks"],
        "overdue_opportunity_reviews": overdue["opportunities"],
        "overdue_actions": plan_actions.overdue(today).count(),
    }


def _as_read(risks: RiskQuerySet) -> list[Risk]:
    """The rows, each approved one as last approved when `approved_reading` annotated the
    snapshot (staff); no query beyond the rows'."""
    rows = [(r, getattr(r, "approved_snapshot", None)) for r in risks]
    return [as_approved(r, [], snap)[0] if snap else r for r, snap in rows]


def _residual_grid(matrix: RiskMatrix, risks: RiskQuerySet, narrowing: str) -> list[dict[str, Any]]:
    """The residual heat map of the risks, each cell's link narrowed as the panel is (1 query)."""
    grid = heat_map(matrix, risks.filter(kind=Kind.RISK).cells("residual"), "residual", "risk")
    if narrowing:
        for row in grid:
            for cell in row["cells"]:
                cell["url"] += "&" + narrowing
    return grid


def _band_figures(
    matrix: RiskMatrix, counts: dict[str, dict[str, int]], narrowing: str
) -> dict[str, Any]:
    """Each band's inherent and residual counts, and the live risks above the appetite."""
    register = reverse("risks:index") + "?"
    and_narrowed = "&" + narrowing if narrowing else ""
    return {
        "band_rows": [
            {
                "name": b["name"],
                "colour": b.get("colour", ""),
                "inherent": counts["inherent"][b["name"]],
                "residual": counts["residual"][b["name"]],
                "residual_url": register
                + urlencode({"kind": Kind.RISK, "status": "live", "band": b["name"]})
                + and_narrowed,
            }
            for b in matrix.bands
        ],
        # the band counts' residual figures of the bands above the appetite: the same
        # live risks as `RiskQuerySet.above_appetite` (the register's "Above the appetite")
        "above_appetite": sum(counts["residual"][name] for name in matrix.appetite_bands),
        "above_appetite_url": register
        + urlencode({"kind": Kind.RISK, "status": "live", "appetite": "on"})
        + and_narrowed,
        "appetite_bands": matrix.appetite_bands,
    }


def _overdue_urls(ctx: PanelContext, narrowing: str) -> dict[str, str]:
    """The register's overdue reviews (risks, opportunities) and the overdue treatments."""
    register = reverse("risks:index") + "?"
    and_narrowed = "&" + narrowing if narrowing else ""
    return {
        "overdue_reviews_url": register + "kind=risk&review_overdue=on" + and_narrowed,
        "overdue_opportunity_reviews_url": register
        + "kind=opportunity&review_overdue=on"
        + and_narrowed,
        "overdue_actions_url": _treatment_actions_url(ctx),
    }


def _treatment_actions_url(ctx: PanelContext) -> str:
    """Overdue treatment actions in "All actions" (owner kept); that list cannot narrow by a
    risk's process, so under the process filter the register's overdue reviews stand in."""
    if "process" in ctx.filters:
        query: dict[str, Any] = {"process": ctx.filters["process"], "status": "live"}
        if "owner" in ctx.filters:
            query["owner"] = ctx.filters["owner"]
        return reverse("risks:index") + "?" + urlencode(query)
    query = {"source": "risks.risk", "status": "outstanding", "overdue": "on"}
    if "owner" in ctx.filters:
        query["owner"] = ctx.filters["owner"]
    return reverse("action_list") + "?" + urlencode(query)


def review_input(org: Organisation, since: datetime.date, until: datetime.date) -> dict[str, Any]:
    """9.3.2 e): did the treatments work? Risks whose residual score fell below the inherent
    one and those that did not, counts per band, reviews held and overdue: 4 queries."""
    matrix = current_matrix(org)  # 1–2
    bands = [b["name"] for b in matrix.bands]
    live = Risk.objects.for_org(org).live()
    treated: list[dict[str, Any]] = [
        {
            "reference": r.reference,
            "title": r.title,
            "kind": r.kind,
            "inherent": r.inherent_score,
            "inherent_band": r.inherent_band,
            "residual": r.residual_score,
            "residual_band": r.residual_band,
            "url": r.get_absolute_url(),
        }
        for r in live.exclude(treatment__in=("accept", "ignore")).order_by(
            "-inherent_score", "reference"
        )  # 3
    ]
    counts = live.filter(kind=Kind.RISK).band_counts(bands)  # 4
    reviews = Assessment.objects.for_org(org).reviews()
    held = reviews.filter(assessed_on__gte=since, assessed_on__lte=until).count()  # 5
    overdue = list(
        live.review_overdue(until)
        .order_by("next_review_date")
        .values_list("reference", "title", "next_review_date")
    )  # 6
    if not treated and not held and not overdue:
        return {}
    return {
        "fell": [r for r in treated if r["residual"] < r["inherent"]],
        "not_fell": [r for r in treated if r["residual"] >= r["inherent"]],
        "bands": [
            {
                "name": name,
                "inherent": counts["inherent"][name],
                "residual": counts["residual"][name],
            }
            for name in bands
        ],
        "reviews_held": held,
        "overdue_reviews": [
            {"reference": ref, "title": title, "due": due.isoformat() if due else ""}
            for ref, title, due in overdue
        ],
        "since": since.isoformat(),
        "until": until.isoformat(),
    }


def evidence(
    org: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[Evidence | Gap]:
    """5.1.1 d) risk-based thinking: leaders reviewing risks and approving plans; 5.1.2 b)
    customer-related risks reviewed. A gap when no leader reviewed or approved a risk."""
    leaders = {
        m.user_id: m.user.get_full_name()
        for m in org.memberships.filter(role=Role.LEADER).select_related("user")
    }
    reviews = list(
        Assessment.objects.for_org(org)
        .reviews()
        .filter(assessed_on__gte=start, assessed_on__lte=end)
        .select_related("risk")
        .order_by("assessed_on")
    )
    approvals = list(
        SignOff.objects.filter(
            organisation=org,
            content_type=ContentType.objects.get_for_model(Risk),
            meaning="approved",
            signed_at__date__gte=start,
            signed_at__date__lte=end,
        ).order_by("signed_at")
    )
    register = reverse("risks:index")
    yield from _leaders_on_risks(leaders, reviews, approvals, register)
    yield _customer_risks(reviews, register)


def _leaders_on_risks(
    leaders: dict[int, str], reviews: list[Assessment], approvals: list[SignOff], register: str
) -> Iterator[Evidence | Gap]:
    """5.1.1 d: risk assessments leaders reviewed and treatment plans they approved, or the
    gap of neither."""
    by_leaders = [a for a in reviews if a.assessed_by_id in leaders]
    if by_leaders:
        yield Evidence(
            clause="5.1.1 d",
            summary=f"Leaders reviewed {len(by_leaders)} risk assessment(s) in the period.",
            count=len(by_leaders),
            last_date=by_leaders[-1].assessed_on,
            people=tuple(sorted({leaders[a.assessed_by_id] for a in by_leaders})),
            url=register,
        )
    if approvals:
        yield Evidence(
            clause="5.1.1 d",
            summary=f"Leaders approved {len(approvals)} risk treatment plan(s) in the period.",
            count=len(approvals),
            last_date=approvals[-1].signed_at.date(),
            people=tuple(sorted({s.signer_name for s in approvals})),
            url=register,
        )
    if not by_leaders and not approvals:
        yield Gap(
            clause="5.1.1 d",
            summary="No leader reviewed a risk or approved a treatment plan in the period.",
            severity=2,
            url=register,
        )


def _customer_risks(reviews: list[Assessment], register: str) -> Evidence | Gap:
    """5.1.2 b: reviews of customer-related risks in the period, or the gap of none."""
    customer = [a for a in reviews if a.risk.category == Category.CUSTOMER]
    if customer:
        return Evidence(
            clause="5.1.2 b",
            summary=f"Customer-related risks reviewed {len(customer)} time(s) in the period.",
            count=len(customer),
            last_date=customer[-1].assessed_on,
            url=register + "?category=customer",
        )
    return Gap(
        clause="5.1.2 b",
        summary="No customer-related risk or opportunity was reviewed in the period.",
        url=register + "?category=customer",
    )
