"""Writes of the risks app: the matrix, risks, reviews and treatment plans.

Every function is keyword-only and atomic, checks the caller's role through
`isova.tenancy` and raises `RiskError` (a `DomainError`) with a message fit to show.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from isova import records
from isova.accounts.tenancy import has_perm
from isova.actions import services as actions
from isova.errors import DomainError, NotAllowed
from isova.lessons import services as lessons
from isova.lessons.models import Lesson
from isova.models import Action, Membership, Organisation, RecordStatus, RecordVersion, User

from .models import (
    DEFAULT_BANDS,
    DEFAULT_IMPACT,
    DEFAULT_LIKELIHOOD,
    OPPORTUNITY_TREATMENTS,
    RISK_TREATMENTS,
    Assessment,
    AssessmentKind,
    Kind,
    Risk,
    RiskMatrix,
    Status,
    Treatment,
    validate_matrix,
)


class RiskError(DomainError):
    """A move the risks workflow does not allow."""


def _require(membership: Membership, perm: str, message: str) -> None:
    if not has_perm(membership, perm):
        raise NotAllowed(message)


# --- scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    likelihood: int
    impact: int
    score: int
    rank: int
    band: dict[str, Any]

    @property
    def band_name(self) -> str:
        return str(self.band["name"])


def score(matrix: RiskMatrix, likelihood: int, impact: int, what: str = "") -> Score:
    """Score a position on `matrix`; a level outside its scales is a RiskError."""
    rows, cols = matrix.size
    prefix = f"{what} " if what else ""
    if not 1 <= likelihood <= rows:
        raise RiskError(f"The {prefix}likelihood must be 1 to {rows} on this matrix.")
    if not 1 <= impact <= cols:
        raise RiskError(f"The {prefix}impact must be 1 to {cols} on this matrix.")
    product = likelihood * impact
    rank, band = matrix.band_for(product)
    return Score(likelihood, impact, product, rank, band)


# --- the matrix ---------------------------------------------------------------------------


def current_matrix(organisation: Organisation) -> RiskMatrix:
    """The matrix new scores are made on: the latest approved version, else version 1 (the
    default one is made the first time it is asked for)."""
    approved = (
        RecordVersion.objects.for_org(organisation)
        .filter(
            content_type__app_label="risks",
            content_type__model="riskmatrix",
            status=RecordStatus.APPROVED,
        )
        .order_by("-object_id")
        .values_list("object_id", flat=True)
        .first()
    )
    if approved is not None:
        return RiskMatrix.objects.get(pk=approved)
    matrix = RiskMatrix.objects.for_org(organisation).order_by("number").first()
    if matrix is None:
        matrix, _ = RiskMatrix.objects.get_or_create(
            organisation=organisation,
            number=1,
            defaults={
                "likelihood": DEFAULT_LIKELIHOOD,
                "impact": DEFAULT_IMPACT,
                "bands": DEFAULT_BANDS,
            },
        )
    return matrix


def latest_matrix(organisation: Organisation) -> RiskMatrix:
    """The newest version (perhaps a draft not yet in use)."""
    current = current_matrix(organisation)
    return RiskMatrix.objects.for_org(organisation).order_by("-number").first() or current


def _frozen(matrix: RiskMatrix) -> bool:
    """A version something was scored on, or that leaders saw, never changes again."""
    return (
        matrix.assessments.exists()
        or Risk.objects.filter(matrix=matrix).exists()
        or records.versions(matrix) != []
    )


@transaction.atomic
def matrix_update(
    *,
    membership: Membership,
    likelihood: list[dict],
    impact: list[dict],
    bands: list[dict],
) -> RiskMatrix:
    """Change the matrix: the newest version in place while nothing uses it, else a new one."""
    _require(membership, "risks.matrix.edit", "Only leaders and managers change the matrix.")
    problems = validate_matrix(likelihood, impact, bands)
    if problems:
        raise RiskError(" ".join(problems))
    organisation = membership.organisation
    latest = latest_matrix(organisation)
    RiskMatrix.objects.select_for_update().get(pk=latest.pk)
    if _frozen(latest):
        if (latest.likelihood, latest.impact, latest.bands) == (likelihood, impact, bands):
            raise RiskError("Nothing changed.")
        return RiskMatrix.objects.create(
            organisation=organisation,
            number=latest.number + 1,
            likelihood=likelihood,
            impact=impact,
            bands=bands,
            created_by=membership.user,
        )
    latest.likelihood, latest.impact, latest.bands = likelihood, impact, bands
    latest.save(update_fields=["likelihood", "impact", "bands"])
    return latest


# --- risks ---------------------------------------------------------------------------------

# What the risk is, and who owns it.
RISK_DESCRIPTION = (
    "kind",
    "title",
    "description",
    "category",
    "process",
    "cause",
    "consequence",
    "owner",
    "existing_controls",
)
# Its ratings before and after the controls, and the aim.
RISK_RATINGS = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
)
RISK_FIELDS = (
    *RISK_DESCRIPTION,
    *RISK_RATINGS,
    "treatment",
    "treatment_justification",
    "status",
    "review_every_days",
    "next_review_date",
)
REFERENCE_RE = re.compile(r"^[A-Za-z]{1,4}-?\d{1,6}$")


def next_reference(organisation: Organisation, kind: str = Kind.RISK) -> str:
    prefix = "O" if kind == Kind.OPPORTUNITY else "R"
    refs = Risk.objects.for_org(organisation).filter(reference__startswith=f"{prefix}-")
    numbers = [int(r[2:]) for r in refs.values_list("reference", flat=True) if r[2:].isdigit()]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def _check_fields(organisation: Organisation, fields: dict[str, Any]) -> None:
    owner = fields.get("owner")
    if owner is not None and not organisation.memberships.filter(user=owner).exists():
        raise RiskError("The owner must be a member of this organisation.")
    process = fields.get("process")
    if process is not None and process.organisation_id != organisation.pk:
        raise RiskError("Choose a process of this organisation.")
    allowed = OPPORTUNITY_TREATMENTS if fields.get("kind") == Kind.OPPORTUNITY else RISK_TREATMENTS
    if fields.get("treatment") not in allowed:
        labels = ", ".join(Treatment(t).label.lower() for t in allowed)
        raise RiskError(f"Treat a {fields.get('kind', 'risk')} by one of: {labels}.")
    if (fields.get("target_likelihood") is None) != (fields.get("target_impact") is None):
        raise RiskError("Give both the target likelihood and the target impact, or neither.")


def _apply_scores(risk: Risk, matrix: RiskMatrix) -> tuple[Score, Score]:
    """Score the risk on `matrix` and set its denormalised scores; returns (inherent, residual)."""
    inherent = score(matrix, risk.inherent_likelihood, risk.inherent_impact, "inherent")
    residual = score(matrix, risk.residual_likelihood, risk.residual_impact, "current")
    if risk.target_likelihood is not None and risk.target_impact is not None:
        score(matrix, risk.target_likelihood, risk.target_impact, "target")
    risk.matrix = matrix
    risk.inherent_score, risk.inherent_rank = inherent.score, inherent.rank
    risk.inherent_band = inherent.band_name
    risk.residual_score, risk.residual_rank = residual.score, residual.rank
    risk.residual_band = residual.band_name
    risk.needs_approval = (
        bool(inherent.band.get("approval"))
        or bool(residual.band.get("approval"))
        or risk.treatment == Treatment.ACCEPT
    )
    return inherent, residual


def review_interval(risk: Risk, band: dict[str, Any]) -> int:
    """Days until the next review: the risk's own frequency, else its band's."""
    return int(risk.review_every_days or band.get("review_days") or 365)


def _assess(
    risk: Risk, residual: Score, membership: Membership, kind: str, on: datetime.date, **extra: Any
) -> Assessment:
    return Assessment.objects.create(
        risk=risk,
        matrix=risk.matrix,
        kind=kind,
        assessed_on=on,
        assessed_by=membership.user,
        likelihood=residual.likelihood,
        impact=residual.impact,
        score=residual.score,
        band=residual.band_name,
        rank=residual.rank,
        **extra,
    )


@transaction.atomic
def risk_create(*, membership: Membership, reference: str = "", **fields: Any) -> Risk:
    """Raise a risk or opportunity, scored on the current matrix; its first assessment."""
    _require(membership, "risks.risk.edit", "Only leaders and managers raise risks.")
    organisation = membership.organisation
    objectives = fields.pop("objectives", None)
    findings = fields.pop("findings", None)
    _check_fields(organisation, fields)
    fields.setdefault("residual_likelihood", None)
    if fields["residual_likelihood"] is None or fields.get("residual_impact") is None:
        fields["residual_likelihood"] = fields["inherent_likelihood"]
        fields["residual_impact"] = fields["inherent_impact"]
    reference = reference.strip() or next_reference(organisation, fields.get("kind", Kind.RISK))
    if Risk.objects.for_org(organisation).filter(reference__iexact=reference).exists():
        raise RiskError(f"Reference {reference} is already used.")
    risk = Risk(
        organisation=organisation, reference=reference, created_by=membership.user, **fields
    )
    _, residual = _apply_scores(risk, current_matrix(organisation))
    today = organisation.today()
    if risk.next_review_date is None:
        risk.next_review_date = today + datetime.timedelta(
            days=review_interval(risk, residual.band)
        )
    try:
        with transaction.atomic():
            risk.save()
    except IntegrityError:
        raise RiskError(f"Reference {reference} is already used.") from None
    _set_links(risk, organisation, objectives, findings)
    _assess(risk, residual, membership, AssessmentKind.INITIAL, today)
    return risk


def _set_links(risk: Risk, organisation: Organisation, objectives: Any, findings: Any) -> None:
    if objectives is not None:
        if any(o.organisation_id != organisation.pk for o in objectives):
            raise RiskError("Choose objectives of this organisation.")
        risk.objectives.set(objectives)
    if findings is not None:
        if any(f.organisation_id != organisation.pk for f in findings):
            raise RiskError("Choose findings of this organisation.")
        risk.findings.set(findings)


@transaction.atomic
def risk_update(*, membership: Membership, risk: Risk, **fields: Any) -> Risk:
    """Edit a risk; a new position is a reassessment (on the current matrix) and a material
    change makes an approved plan stale."""
    _require(membership, "risks.risk.edit", "Only leaders and managers edit risks.")
    organisation = membership.organisation
    if risk.organisation_id != organisation.pk:
        raise NotAllowed("That risk belongs to another organisation.")
    current = Risk.objects.select_for_update().get(pk=risk.pk)
    objectives = fields.pop("objectives", None)
    findings = fields.pop("findings", None)
    merged = {f: getattr(current, f) for f in RISK_FIELDS} | fields
    _check_fields(organisation, merged)
    changed = [f for f, v in fields.items() if getattr(current, f) != v]
    for name, value in fields.items():
        setattr(current, name, value)
    scored = {*RISK_RATINGS, "treatment"}
    if set(changed) & scored:
        _, residual = _apply_scores(current, current_matrix(organisation))
        if {"residual_likelihood", "residual_impact"} & set(changed):
            _assess(current, residual, membership, AssessmentKind.REASSESSED, organisation.today())
    current.save()
    _set_links(current, organisation, objectives, findings)
    records.record_changed(obj=current, changed_fields=changed, user=membership.user)
    if "status" in changed and current.status != Status.OPEN and current.needs_approval:
        _check_approved(current)  # raising undoes the whole edit (atomic)
    return current


def _check_approved(risk: Risk) -> None:
    """A High or Critical risk's plan, or a decision to accept a risk, is carried out only
    once a leader approved it as it stands (an approval made stale by a change does not count)."""
    state = records.state(risk)
    if not state.is_approved:
        what = "accepting it" if risk.treatment == Treatment.ACCEPT else "its treatment plan"
        raise RiskError(
            f"A leader must approve {what} before its status moves on: "
            "submit it for approval first."
        )


@transaction.atomic
def risk_review_record(
    *,
    membership: Membership,
    risk: Risk,
    reviewed_on: datetime.date,
    likelihood: int,
    impact: int,
    controls_effective: bool | None,
    note: str = "",
    lesson: Lesson | None = None,
) -> Assessment:
    """A review: the current position on the current matrix, whether the controls work, and
    the next review date from the band's frequency (or the risk's own). With `lesson`, the
    review is the update that lesson became (recorded on it in this transaction)."""
    _require(membership, "risks.risk.review", "Only leaders and managers review risks.")
    organisation = membership.organisation
    if risk.organisation_id != organisation.pk:
        raise NotAllowed("That risk belongs to another organisation.")
    today = organisation.today()
    if reviewed_on > today:
        raise RiskError("A review cannot be dated in the future.")
    current = Risk.objects.select_for_update().get(pk=risk.pk)
    current.residual_likelihood, current.residual_impact = likelihood, impact
    _, residual = _apply_scores(current, current_matrix(organisation))
    current.next_review_date = reviewed_on + datetime.timedelta(
        days=review_interval(current, residual.band)
    )
    current.save()
    assessment = _assess(
        current,
        residual,
        membership,
        AssessmentKind.REVIEW,
        reviewed_on,
        controls_effective=controls_effective,
        note=note.strip(),
    )
    if lesson is not None:
        lessons.lesson_became(
            membership=membership,
            lesson=lesson,
            kind="risk",
            label=f"{current.reference} reassessed on {reviewed_on:%d %b %Y}: "
            f"score {residual.score} ({residual.band_name})",
            url=current.get_absolute_url(),
        )
    return assessment


@transaction.atomic
def plan_action_add(
    *,
    membership: Membership,
    risk: Risk,
    title: str,
    owner: User,
    due_date: datetime.date | None = None,
    description: str = "",
    priority: str = "medium",
) -> Action:
    """Add a treatment action to the risk's plan (an approved plan becomes stale)."""
    _require(membership, "risks.risk.edit", "Only leaders and managers plan treatments.")
    if risk.organisation_id != membership.organisation_id:
        raise NotAllowed("That risk belongs to another organisation.")
    try:
        action = actions.action_create(
            membership=membership,
            title=title,
            owner=owner,
            due_date=due_date,
            description=description,
            priority=priority,
            source=risk,
        )
    except actions.ActionError as error:
        raise RiskError(str(error)) from None
    records.record_changed(obj=risk, changed_fields=["plan"], user=membership.user)
    return action


def treatment_due(risk: Risk, today: datetime.date) -> datetime.date:
    """The default due date of a treatment action: today plus the band's treatment deadline."""
    band = risk.matrix.band_named(risk.inherent_band) or {}
    return today + datetime.timedelta(days=int(band.get("treatment_days") or 90))
