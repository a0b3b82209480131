"""The risk register in and out: the import kind (risks and opportunities, from any register's
columns) and the export (the register, its assessments and treatment actions)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import QueryDict

from audits.imports import processes
from isova.imports.building import fill
from isova.imports.exporting import register_sheet
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.models import Action, Organisation
from isova.registry import registry

from . import services
from .forms import FilterForm
from .models import (
    OPPORTUNITY_TREATMENTS,
    RISK_TREATMENTS,
    Assessment,
    AssessmentKind,
    Category,
    Kind,
    Risk,
    Status,
    Treatment,
)

KINDS = (
    Choice(Kind.RISK, "Risk", ("threat", "negative", "r", "downside")),
    Choice(Kind.OPPORTUNITY, "Opportunity", ("opp", "o", "positive", "upside", "benefit")),
)
CATEGORY_WORDS = {
    Category.CUSTOMER: ("client", "clients", "customers", "market"),
    Category.SUPPLIER: (
        "suppliers",
        "supply chain",
        "vendor",
        "vendors",
        "external provider",
        "procurement",
        "purchasing",
    ),
    Category.PEOPLE: ("hr", "staff", "human resources", "competence", "personnel", "training"),
    Category.PROCESS: ("operational", "operations", "production", "quality", "processes"),
    Category.REGULATORY: ("compliance", "legal", "statutory", "regulation", "legislation"),
    Category.FINANCIAL: ("finance", "commercial", "financial risk", "cost"),
    Category.INFRASTRUCTURE: (
        "it",
        "it systems",
        "equipment",
        "facilities",
        "technology",
        "infrastructure",
        "systems",
        "cyber",
    ),
    Category.ENVIRONMENT: ("environmental", "health and safety", "h s", "safety"),
    Category.STRATEGIC: ("strategy", "business", "reputation", "reputational"),
}
STATUS_WORDS = {
    Status.OPEN: ("new", "active", "identified", "raised", "live", "not started"),
    Status.TREATING: ("in progress", "being treated", "ongoing", "in treatment", "treatment"),
    Status.MONITORING: (
        "mitigated",
        "accepted",
        "controlled",
        "tolerated",
        "under review",
        "monitor",
        "watch",
        "managed",
    ),
    Status.CLOSED: (
        "retired",
        "done",
        "complete",
        "completed",
        "resolved",
        "eliminated",
        "no longer relevant",
        "realised",
        "archived",
    ),
}
TREATMENT_WORDS = {
    Treatment.REDUCE: ("mitigate", "treat", "control", "reduce", "modify"),
    Treatment.ACCEPT: ("tolerate", "retain", "accepted"),
    Treatment.AVOID: ("terminate", "eliminate"),
    Treatment.TRANSFER: ("insure", "transfer", "outsource"),
    Treatment.PURSUE: ("exploit", "take"),
    Treatment.ENHANCE: ("increase",),
    Treatment.SHARE: ("partner",),
    Treatment.IGNORE: ("pass", "no action"),
}


def _choices(enum: Any, words: dict[Any, tuple[str, ...]]) -> tuple[Choice, ...]:
    return tuple(Choice(str(v), str(label), words.get(v, ())) for v, label in enum.choices)


def _scale(axis: str) -> Any:
    def choices(ctx: Context) -> list[Choice]:
        matrix = services.current_matrix(ctx.organisation)
        levels = getattr(matrix, axis)
        return [Choice(str(i), level["name"]) for i, level in enumerate(levels, start=1)]

    return choices


def _level(name: str, label: str, axis: str, required: bool = False, *words: str) -> Field:
    return Field(name, label, "level", required, words, _scale(axis))


FIELDS = (
    Field(
        "title",
        "Title",
        "text",
        True,
        (
            "risk",
            "risk title",
            "name",
            "risk name",
            "hazard",
            "issue",
            "summary",
            "risk opportunity",
            "short description",
        ),
        max_length=200,
    ),
    Field(
        "kind",
        "Risk or opportunity",
        "choice",
        False,
        ("kind", "type", "r o", "risk type", "threat or opportunity", "risk opportunity type"),
        KINDS,
    ),
    Field("description", "Description", "text", False, ("details", "risk description", "detail")),
    Field(
        "category",
        "Category",
        "choice",
        False,
        ("risk category", "area", "source"),
        _choices(Category, CATEGORY_WORDS),
    ),
    Field("process", "Process", "lookup", False, ("department", "process area"), processes),
    Field("cause", "Cause", "text", False, ("causes", "root cause", "trigger")),
    Field("consequence", "Consequence", "text", False, ("consequences", "effect", "effects")),
    Field(
        "owner",
        "Owner",
        "person",
        True,
        (
            "risk owner",
            "responsible",
            "owner email",
            "owner e mail",
            "assigned to",
            "owned by",
            "accountable",
            "responsible person",
        ),
    ),
    Field(
        "existing_controls",
        "Existing controls",
        "text",
        False,
        (
            "controls",
            "current controls",
            "mitigation",
            "mitigations",
            "mitigating actions",
            "control measures",
            "mitigation in place",
            "controls in place",
        ),
    ),
    _level(
        "inherent_likelihood",
        "Inherent likelihood",
        "likelihood",
        True,
        "likelihood",
        "probability",
        "l",
        "initial likelihood",
        "gross likelihood",
        "inherent probability",
    ),
    _level(
        "inherent_impact",
        "Inherent impact",
        "impact",
        True,
        "impact",
        "severity",
        "i",
        "s",
        "initial impact",
        "gross impact",
        "inherent severity",
        "consequence rating",
    ),
    _level(
        "residual_likelihood",
        "Current likelihood",
        "likelihood",
        False,
        "residual likelihood",
        "net likelihood",
        "residual probability",
    ),
    _level(
        "residual_impact",
        "Current impact",
        "impact",
        False,
        "residual impact",
        "net impact",
        "residual severity",
    ),
    _level("target_likelihood", "Target likelihood", "likelihood"),
    _level("target_impact", "Target impact", "impact"),
    Field(
        "treatment",
        "Treatment",
        "choice",
        False,
        ("response", "risk response", "strategy", "treatment option", "approach"),
        _choices(Treatment, TREATMENT_WORDS),
    ),
    Field(
        "treatment_justification",
        "Treatment justification",
        "text",
        False,
        ("justification", "rationale", "reason"),
    ),
    Field(
        "status",
        "Status",
        "choice",
        False,
        ("risk status", "state"),
        _choices(Status, STATUS_WORDS),
    ),
    Field("review_every_days", "Review every (days)", "int", False, ("review frequency days",)),
    Field(
        "next_review_date",
        "Next review date",
        "date",
        False,
        ("review date", "next review", "review by", "review due"),
    ),
)

UPDATE_FIELDS = tuple(f.name for f in FIELDS) + (
    "matrix",
    "inherent_score",
    "inherent_band",
    "inherent_rank",
    "residual_score",
    "residual_band",
    "residual_rank",
    "needs_approval",
)


def prepare(ctx: Context) -> None:
    ctx.cache["matrix"] = services.current_matrix(ctx.organisation)
    processes(ctx)
    numbers: dict[str, int] = {"R": 0, "O": 0}
    for ref in Risk.objects.for_org(ctx.organisation).values_list("reference", flat=True):
        prefix, _, n = ref.partition("-")
        if prefix in numbers and n.isdigit():
            numbers[prefix] = max(numbers[prefix], int(n))
    ctx.cache["numbers"] = numbers


def build(ctx: Context, risk: Risk | None, values: dict[str, Any]) -> tuple[Risk, list[str]]:
    warnings: list[str] = []
    if "process" in values:
        values["process"] = ctx.cache["processes"][values["process"]]
    if risk is None:
        kind = values.get("kind", Kind.RISK)
        prefix = "O" if kind == Kind.OPPORTUNITY else "R"
        ctx.cache["numbers"][prefix] += 1
        risk = Risk(
            organisation=ctx.organisation,
            created_by=ctx.membership.user,
            reference=f"{prefix}-{ctx.cache['numbers'][prefix]:03d}",
            kind=kind,
            category=Category.PROCESS,
            status=Status.OPEN,
        )
        if "category" not in values:
            warnings.append("No category: filed under Process.")
    fill(risk, values)
    if "residual_likelihood" not in values and risk.residual_likelihood is None:
        risk.residual_likelihood = risk.inherent_likelihood
    if "residual_impact" not in values and risk.residual_impact is None:
        risk.residual_impact = risk.inherent_impact
    if (risk.target_likelihood is None) != (risk.target_impact is None):
        raise RowProblem("target_impact", "Give both the target likelihood and impact, or neither.")
    allowed = OPPORTUNITY_TREATMENTS if risk.kind == Kind.OPPORTUNITY else RISK_TREATMENTS
    if "treatment" not in values and risk.treatment not in allowed:
        risk.treatment = allowed[0] if risk.kind == Kind.OPPORTUNITY else Treatment.REDUCE
    if risk.treatment not in allowed:
        labels = ", ".join(Treatment(t).label.lower() for t in allowed)
        raise RowProblem("treatment", f"A {risk.kind} is treated by one of: {labels}.")
    try:
        _, residual = services._apply_scores(risk, ctx.cache["matrix"])
    except services.RiskError as error:
        raise RowProblem("inherent_likelihood", str(error)) from None
    if risk.next_review_date is None:
        risk.next_review_date = ctx.today + datetime.timedelta(
            days=services.review_interval(risk, residual.band)
        )
    risk._import_residual = residual  # type: ignore[attr-defined]
    return risk, warnings


def after_create(ctx: Context, risks: list[Risk]) -> None:
    """Each new risk's first assessment, as `risk_create` writes it (one insert per batch)."""
    Assessment.objects.bulk_create(
        Assessment(
            risk=r,
            matrix=r.matrix,
            kind=AssessmentKind.INITIAL,
            assessed_on=ctx.today,
            assessed_by=ctx.membership.user,
            likelihood=r.residual_likelihood,
            impact=r.residual_impact,
            score=r.residual_score,
            band=r.residual_band,
            rank=r.residual_rank,
            note="Imported.",
        )
        for r in risks
    )


# The export's columns isova computes (ignored on re-import), and where each is read.
DERIVED = {
    "Inherent score": "inherent_score",
    "Inherent band": "inherent_band",
    "Current score": "residual_score",
    "Current band": "residual_band",
}

KIND = ImportKind(
    name="risks",
    label="Risks and opportunities",
    order=10,
    permission="risks.risk.import",
    fields=FIELDS,
    model=Risk,
    build=build,
    notes_field="description",
    update_fields=UPDATE_FIELDS,
    prepare=prepare,
    after_create=after_create,
    derived=tuple(DERIVED),
    list_url="risks:index",
    description="A risk register: one row per risk or opportunity.",
)


# --- export ----------------------------------------------------------------------------------


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    today = organisation.today()
    matrix = services.current_matrix(organisation)
    form = FilterForm(params or None, organisation=organisation, matrix=matrix)
    risks = list(
        form.filter(Risk.objects.for_org(organisation).with_flags(today).for_list(), today)
    )
    by_pk = {r.pk: r for r in risks}
    return [
        register_sheet("Risks", FIELDS, risks, lambda r: r.external_ref or r.reference, DERIVED),
        _assessments_sheet(by_pk),
        _treatment_sheet(organisation, by_pk),
    ]


def _assessments_sheet(by_pk: dict[int, Risk]) -> Sheet:
    assessments = (
        Assessment.objects.filter(risk__in=by_pk)
        .select_related("assessed_by")
        .order_by("risk__reference", "assessed_on", "pk")
    )
    return Sheet(
        "Assessments",
        [
            "Risk",
            "Date",
            "Kind",
            "Likelihood",
            "Impact",
            "Score",
            "Band",
            "Controls effective",
            "Note",
            "Assessed by",
        ],
        [
            [
                by_pk[a.risk_id].reference,
                a.assessed_on,
                a.get_kind_display(),
                a.likelihood,
                a.impact,
                a.score,
                a.band,
                a.controls_effective,
                a.note,
                a.assessed_by.email if a.assessed_by else "",
            ]
            for a in assessments
        ],
    )


def _treatment_sheet(organisation: Organisation, by_pk: dict[Any, Risk]) -> Sheet:
    actions = (
        Action.objects.for_org(organisation)
        .filter(
            source_type__app_label="risks", source_type__model="risk", source_id__in=list(by_pk)
        )
        .select_related("owner")
    )
    return Sheet(
        "Treatment actions",
        ["Risk", "Action", "Owner", "Due date", "Status", "Priority"],
        [
            [
                by_pk[a.source_id].reference,
                a.title,
                a.owner.email if a.owner else "",
                a.due_date,
                a.get_status_display(),
                a.get_priority_display(),
            ]
            for a in actions
        ],
    )


EXPORT = ExportKind(
    "risks", "Risks and opportunities", 10, "risks.risk.view", sheets, unapproved=True
)


registry.register("imports", KIND)
registry.register("exports", EXPORT)
