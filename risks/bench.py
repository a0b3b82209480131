"""Bench rows of the risks app: the default matrix (version 1), the register (R-001…, O-001…)
with monthly reviews as `Assessment` rows, treatment actions and the approved treatment
plans of the High and Critical risks (see bench/seeding.py for the contract)."""

from __future__ import annotations

import datetime
import sys
from typing import Any

from audits.models import Process
from isova.registry import registry
from objectives.models import add_months
from risks.models import (
    DEFAULT_BANDS,
    DEFAULT_IMPACT,
    DEFAULT_LIKELIHOOD,
    NO_PLAN_TREATMENTS,
    OPPORTUNITY_TREATMENTS,
    RISK_TREATMENTS,
    Assessment,
    AssessmentKind,
    Category,
    Kind,
    Risk,
    RiskMatrix,
    Status,
)

NAME = "risks"

PAGES = [
    ("risk register", "/risks/", "leader"),
    ("risk register page 20", "/risks/?page=20", "leader"),
    ("risk heat map", "/risks/heat-map/", "leader"),
]

MONTHS = 12  # reviews go back at most a year


def seed(ctx: Any) -> dict[str, int]:
    """A risk matrix, a register of risks and opportunities with a year of monthly reviews,
    the treatment actions and the approvals of the plans that need one."""
    from bench.seeding import bulk

    org = ctx.organisation
    leaders = ctx.with_role("leader")
    owners = leaders + ctx.with_role("manager")
    matrix = RiskMatrix.objects.create(
        organisation=org,
        number=1,
        likelihood=DEFAULT_LIKELIHOOD,
        impact=DEFAULT_IMPACT,
        bands=DEFAULT_BANDS,
        created_by=leaders[0],
    )
    processes: list[Process | None] = [*Process.objects.filter(organisation=org)] or [None]
    risks, histories = _register(ctx, matrix, processes, owners)
    risks = bulk(Risk, risks)
    assessments = bulk(Assessment, _assessments(ctx, matrix, risks, histories))
    treated = [r for r in risks if r.expects_plan and r.status != Status.CLOSED]
    actions = ctx.actions(ctx.n(1500), title="Risk treatment", sources=treated) if treated else []
    _approvals(ctx, [r for r in risks if r.needs_approval])
    return {
        "risks_riskmatrix": 1,
        "risks_risk": len(risks),
        "risks_assessment": len(assessments),
        "isova_action": len(actions),
    }


Position = tuple[datetime.date, tuple[int, int]]  # (assessed on, (likelihood, impact))


def _register(
    ctx: Any, matrix: RiskMatrix, processes: list[Process | None], owners: list[Any]
) -> tuple[list[Risk], list[list[Position]]]:
    """The register (unsaved), the last tenth opportunities; with each row's positions."""
    rng = ctx.rng
    count = ctx.n(2000)
    opportunities = count // 10
    risks, histories = [], []
    for i in range(count):
        kind = Kind.OPPORTUNITY if i >= count - opportunities else Kind.RISK
        number = i + 1 if kind == Kind.RISK else i - (count - opportunities) + 1
        inherent = (rng.randint(1, 5), rng.randint(1, 5))
        positions = _positions(ctx, inherent)
        process = processes[i % len(processes)]
        risks.append(_risk(ctx, matrix, kind, number, positions, process, owners))
        histories.append(positions)
    return risks, histories


def _positions(ctx: Any, inherent: tuple[int, int]) -> list[Position]:
    """Monthly reviews since the row was raised, the current position drifting down to the
    target; a fifth of the register stopped being reviewed some months ago."""
    rng, today = ctx.rng, ctx.today
    raised = add_months(today, -rng.randint(0, MONTHS))
    stopped = rng.randint(1, 6) if rng.random() < 0.2 else 0
    positions, on, position = [(raised, inherent)], add_months(raised, 1), inherent
    while add_months(on, stopped) <= today:
        position = (max(1, position[0] - (rng.random() < 0.3)), position[1])
        positions.append((on, position))
        on = add_months(on, 1)
    return positions


def _risk(
    ctx: Any,
    matrix: RiskMatrix,
    kind: str,
    number: int,
    positions: list[Position],
    process: Process | None,
    owners: list[Any],
) -> Risk:
    """One risk or opportunity (unsaved): raised at its first position, now at its last,
    scored on the matrix and due for review as its band says."""
    rng = ctx.rng
    inherent = positions[0][1]
    treatments = OPPORTUNITY_TREATMENTS if kind == Kind.OPPORTUNITY else RISK_TREATMENTS
    treatment = rng.choice(treatments)
    risk = Risk(
        organisation=ctx.organisation,
        reference=f"{'O' if kind == Kind.OPPORTUNITY else 'R'}-{number:03d}",
        kind=kind,
        title=f"Bench {kind} {number}",
        description="What could happen, in a sentence or two.",
        category=rng.choice(Category.values),
        process=process,
        cause="The cause as people describe it.",
        consequence="What it would do to the customer.",
        owner=owners[rng.randrange(len(owners))],
        existing_controls="The checks already in place.",
        matrix=matrix,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=positions[-1][1][0],
        residual_impact=positions[-1][1][1],
        target_likelihood=1,
        target_impact=inherent[1],
        treatment=treatment,
        treatment_justification="Cheaper to live with than to treat."
        if treatment in NO_PLAN_TREATMENTS
        else "",
        status=rng.choices(list(Status), weights=(3, 4, 2, 1))[0],
        created_by=owners[0],
    )
    _scores(risk, matrix)
    last_band = matrix.band_for(risk.residual_score)[1]
    risk.next_review_date = positions[-1][0] + datetime.timedelta(days=last_band["review_days"])
    return risk


def _assessments(
    ctx: Any, matrix: RiskMatrix, risks: list[Risk], histories: list[list[Position]]
) -> list[Assessment]:
    """Each saved row's initial assessment and its reviews, one per position (unsaved)."""
    assessments = []
    for risk, positions in zip(risks, histories, strict=True):
        for n, (on, (likelihood, impact)) in enumerate(positions):
            product = likelihood * impact
            rank, band = matrix.band_for(product)
            assessments.append(
                Assessment(
                    risk=risk,
                    matrix=matrix,
                    kind=AssessmentKind.INITIAL if n == 0 else AssessmentKind.REVIEW,
                    assessed_on=on,
                    assessed_by=risk.owner,
                    likelihood=likelihood,
                    impact=impact,
                    score=product,
                    band=band["name"],
                    rank=rank,
                    controls_effective=None if n == 0 else ctx.rng.random() < 0.8,
                )
            )
    return assessments


def _scores(risk: Risk, matrix: RiskMatrix) -> None:
    """The denormalised scores, as `risks.services._apply_scores` sets them."""
    for basis in ("inherent", "residual"):
        product = getattr(risk, f"{basis}_likelihood") * getattr(risk, f"{basis}_impact")
        rank, band = matrix.band_for(product)
        setattr(risk, f"{basis}_score", product)
        setattr(risk, f"{basis}_rank", rank)
        setattr(risk, f"{basis}_band", band["name"])
    risk.needs_approval = (
        bool(matrix.band_for(risk.inherent_score)[1].get("approval"))
        or bool(matrix.band_for(risk.residual_score)[1].get("approval"))
        or risk.treatment == "accept"
    )


def _approvals(ctx: Any, risks: list[Risk]) -> None:
    """Half the risks that need approval have their treatment plan approved (as it stands)."""
    leaders = ctx.with_role("leader")
    for i, risk in enumerate(risks[::2]):
        ctx.sign(
            risk,
            1,
            meaning="approved",
            signer=leaders[i % len(leaders)],
            at=ctx.now_minus(30 + i % 300),
        )


registry.register("bench", sys.modules[__name__], name=NAME)
