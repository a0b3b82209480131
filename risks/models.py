"""The risk and opportunity log (ISO 9001 6.1): the matrix, the register, its assessments.

Scores are denormalised on the risk (score, band name and band rank, inherent and residual)
so that lists, the heat map and the dashboard filter and count in SQL; every `Assessment`
keeps the matrix version it was scored on, and a matrix version that scored anything is
never edited again (an edit opens the next version), so an old score keeps its meaning.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from isova.accounts.models import OrgChild, OrgChildQuerySet, OrgQuerySet
from isova.models import ActionSource, Approvable, Organisation
from isova.resources.models import ResourcePlan

# --- the matrix -----------------------------------------------------------------------

DEFAULT_LIKELIHOOD = [
    {
        "name": "Rare",
        "description": "Only in exceptional circumstances (less than once in 10 years).",
    },
    {"name": "Unlikely", "description": "Could happen, not expected (once in 5–10 years)."},
    {"name": "Possible", "description": "Might happen (once in 1–5 years)."},
    {"name": "Likely", "description": "Will probably happen (about once a year)."},
    {"name": "Almost certain", "description": "Expected to happen (several times a year)."},
]
DEFAULT_IMPACT = [
    {"name": "Negligible", "description": "No customer effect; fixed in the day."},
    {"name": "Minor", "description": "Small delay or rework; one customer notices."},
    {"name": "Moderate", "description": "Late or nonconforming delivery; a complaint."},
    {"name": "Major", "description": "Lost order, regulatory finding or injury needing treatment."},
    {"name": "Severe", "description": "Lost customer or certificate, serious harm, prosecution."},
]
# Low 1–4, Medium 5–9, High 10–16, Critical 20–25 (no product of 1–5 × 1–5 lies in 17–19).
DEFAULT_BANDS = [
    {"name": "Low", "min": 1, "max": 4, "colour": "#2da44e", "review_days": 365,
     "treatment_days": 180, "approval": False},
    {"name": "Medium", "min": 5, "max": 9, "colour": "#d4a72c", "review_days": 180,
     "treatment_days": 90, "approval": False},
    {"name": "High", "min": 10, "max": 16, "colour": "#e16f24", "review_days": 90,
     "treatment_days": 30, "approval": True},
    {"name": "Critical", "min": 20, "max": 25, "colour": "#cf222e", "review_days": 30,
     "treatment_days": 14, "approval": True},
]  # fmt: skip


class MatrixQuerySet(OrgQuerySet, models.QuerySet["RiskMatrix"]):
    pass


class RiskMatrix(Approvable):
    """One version of an organisation's risk matrix: scales, bands and what each band implies.

    Rows are versions (number 1, 2, …). A version some assessment was scored on is frozen:
    `services.matrix_update` opens the next number instead of editing it.
    """

    APPROVAL_NAME = "risk matrix"
    MATERIAL_FIELDS = ("likelihood", "impact", "bands")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="risk_matrices"
    )
    number = models.PositiveIntegerField(default=1)
    # [{"name", "description"}, …], level 1 first.
    likelihood = models.JSONField(default=list)
    impact = models.JSONField(default=list)
    # [{"name", "min", "max", "colour", "review_days", "treatment_days", "approval"}, …]
    bands = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MatrixQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "number"]
        verbose_name_plural = "risk matrices"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="one_matrix_number_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"Risk matrix v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("risks:matrix") + f"?version={self.number}"

    def approval_snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "likelihood": self.likelihood,
            "impact": self.impact,
            "bands": self.bands,
        }

    @property
    def size(self) -> tuple[int, int]:
        return len(self.likelihood), len(self.impact)

    def band_for(self, score: int) -> tuple[int, dict[str, Any]]:
        """(rank, band) of a score: rank 1 is the lowest band. Scores in a gap between two
        bands (17–19 on the default 5 × 5) take the lower band; validation keeps every
        reachable score inside a band, so that only happens on hand-made data."""
        found = (1, self.bands[0])
        for rank, band in enumerate(self.bands, start=1):
            if band["min"] <= score:
                found = (rank, band)
        return found

    def band_named(self, name: str) -> dict[str, Any] | None:
        return next((b for b in self.bands if b["name"] == name), None)

    @property
    def appetite_bands(self) -> list[str]:
        """The bands above the organisation's risk appetite: those whose plans leaders must
        approve (the band's "approval")."""
        return [b["name"] for b in self.bands if b.get("approval")]


def validate_matrix(likelihood: list[dict], impact: list[dict], bands: list[dict]) -> list[str]:
    """Everything wrong with a matrix definition (empty: fine)."""
    problems = []
    for label, scale in (("likelihood", likelihood), ("impact", impact)):
        if not 2 <= len(scale) <= 10:
            problems.append(f"The {label} scale needs 2 to 10 levels.")
        names = [level["name"].strip().lower() for level in scale]
        if len(set(names)) != len(names) or not all(names):
            problems.append(f"Each {label} level needs its own name.")
    if not bands:
        return [*problems, "Define at least one band."]
    ordered = sorted(bands, key=lambda b: b["min"])
    if ordered != bands:
        problems.append("List the bands from the lowest scores to the highest.")
    for band in bands:
        if band["min"] > band["max"]:
            problems.append(f"Band {band['name']}: the lowest score is above the highest.")
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if upper["min"] <= lower["max"]:
            problems.append(f"Bands {lower['name']} and {upper['name']} overlap.")
    names = [b["name"].strip().lower() for b in bands]
    if len(set(names)) != len(names):
        problems.append("Each band needs its own name.")
    if problems:
        return problems
    scores = {li * im for li in range(1, len(likelihood) + 1) for im in range(1, len(impact) + 1)}
    outside = sorted(s for s in scores if not any(b["min"] <= s <= b["max"] for b in bands))
    if outside:
        problems.append(
            "Every possible score must fall in a band; these do not: "
            + ", ".join(str(s) for s in outside)
            + "."
        )
    return problems


# --- the register ----------------------------------------------------------------------


class Kind(models.TextChoices):
    RISK = "risk", "Risk"
    OPPORTUNITY = "opportunity", "Opportunity"


class Category(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SUPPLIER = "supplier", "Supplier"
    PEOPLE = "people", "People"
    PROCESS = "process", "Process"
    REGULATORY = "regulatory", "Regulatory"
    FINANCIAL = "financial", "Financial"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and IT"
    ENVIRONMENT = "environment", "Environment"
    STRATEGIC = "strategic", "Strategic"


class Treatment(models.TextChoices):
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    TRANSFER = "transfer", "Transfer or share"
    ACCEPT = "accept", "Accept"
    PURSUE = "pursue", "Pursue"
    ENHANCE = "enhance", "Enhance"
    SHARE = "share", "Share"
    IGNORE = "ignore", "Ignore"


RISK_TREATMENTS = (Treatment.AVOID, Treatment.REDUCE, Treatment.TRANSFER, Treatment.ACCEPT)
OPPORTUNITY_TREATMENTS = (Treatment.PURSUE, Treatment.ENHANCE, Treatment.SHARE, Treatment.IGNORE)
# Treatments that leave things as they are: no plan of actions is expected.
NO_PLAN_TREATMENTS = (Treatment.ACCEPT, Treatment.IGNORE)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    TREATING = "treating", "Treating"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


class RiskQuerySet(OrgQuerySet, models.QuerySet["Risk"]):
    def with_approved_snapshot(self) -> RiskQuerySet:
        """Annotate `approved_snapshot`: the last approved version's snapshot (None for a risk
        whose plan was never approved), what staff read (issue 22.3)."""
        from isova.records.approved import last_approved_snapshot

        return self.annotate(approved_snapshot=last_approved_snapshot(self.model))

    def approved_reading(self) -> RiskQuerySet:
        """What staff read (issue 22.3): the risks whose plan needed no approval or was
        approved at least once (one awaiting its first approval left out), with
        `approved_snapshot` and `approved_inherent_band`, the inherent band as approved
        (`band_counts` counts it). The current (residual) score is a review's reading, not
        part of the approval: it stays live, as on the register. No query of its own."""
        inherent = "approved_snapshot__inherent__"
        level = models.PositiveSmallIntegerField()
        return (
            self.with_approved_snapshot()
            .annotate(
                approved_inherent_band=Coalesce(
                    KT(inherent + "band"), F("inherent_band"), output_field=models.CharField()
                ),
                approved_inherent_likelihood=Coalesce(
                    Cast(KT(inherent + "likelihood"), level), F("inherent_likelihood")
                ),
                approved_inherent_impact=Coalesce(
                    Cast(KT(inherent + "impact"), level), F("inherent_impact")
                ),
            )
            .filter(Q(needs_approval=False) | Q(approved_snapshot__isnull=False))
        )

    def inherent_field(self, name: str) -> str:
        """`inherent_<name>`, or its approved value on staff's reading (`approved_reading`)."""
        approved = f"approved_inherent_{name}"
        return approved if approved in self.query.annotations else f"inherent_{name}"

    def live(self) -> RiskQuerySet:
        """Every risk that is not closed."""
        return self.exclude(status=Status.CLOSED)

    def review_overdue(self, today: datetime.date) -> RiskQuerySet:
        """Live risks whose next review date is before `today`."""
        return self.live().filter(next_review_date__lt=today)

    def above_appetite(self, matrix: RiskMatrix) -> RiskQuerySet:
        """Live risks (not opportunities) whose current (residual) band is above the
        appetite (`RiskMatrix.appetite_bands`)."""
        return self.live().filter(kind=Kind.RISK, residual_band__in=matrix.appetite_bands)

    def with_flags(self, today: datetime.date) -> RiskQuerySet:
        """Annotates `overdue` (review date passed) so lists, panels and alerts agree."""
        return self.annotate(
            overdue=Q(next_review_date__lt=today) & ~Q(status=Status.CLOSED),
        )

    def with_trend(self) -> RiskQuerySet:
        """Annotates `previous_score`: the score of the assessment before the latest one (how
        the risk moved at its last review; None with a single assessment), in the same query."""
        earlier = Assessment.objects.filter(risk=OuterRef("pk")).order_by("-assessed_on", "-pk")
        return self.annotate(previous_score=Subquery(earlier.values("score")[1:2]))

    def for_list(self) -> RiskQuerySet:
        """Everything a register row shows, in one query."""
        return self.select_related("owner", "process")

    def band_counts(self, bands: list[str]) -> dict[str, dict[str, int]]:
        """{"inherent": {band: n}, "residual": {band: n}} of live risks: one query."""
        # staff's reading counts the inherent band as approved (`approved_reading`)
        field = {"inherent": self.inherent_field("band"), "residual": "residual_band"}
        keys = {
            f"{basis}_{i}": Count("pk", filter=Q(**{field[basis]: band}))
            for basis in ("inherent", "residual")
            for i, band in enumerate(bands)
        }
        row = self.live().aggregate(**keys) if keys else {}
        return {
            basis: {band: row[f"{basis}_{i}"] for i, band in enumerate(bands)}
            for basis in ("inherent", "residual")
        }

    def cells(self, basis: str) -> dict[tuple[int, int], int]:
        """{(likelihood, impact): count} of live risks, inherent or residual: one query."""
        lk, im = f"{basis}_likelihood", f"{basis}_impact"
        if basis == "inherent":  # as approved on staff's reading (`approved_reading`)
            lk, im = self.inherent_field("likelihood"), self.inherent_field("impact")
        rows = self.live().values(lk, im).annotate(n=Count("pk")).order_by()
        return {(r[lk], r[im]): r["n"] for r in rows}

    def rising_and_falling(self) -> RiskQuerySet:
        """Annotates `fell` (residual score below the inherent one)."""
        return self.annotate(fell=Q(residual_score__lt=F("inherent_score")))


class Risk(Approvable, ActionSource, ResourcePlan):
    """One risk or opportunity of the register, with its treatment plan for approval."""

    APPROVAL_NAME = "risk treatment plan"
    # Changing these after approval asks for approval again; the plan's actions (children
    # of the snapshot) always count. The current (residual) score moves with every review
    # and is not part of what the leader approves.
    MATERIAL_FIELDS = (
        "title",
        "owner",
        "inherent_likelihood",
        "inherent_impact",
        "target_likelihood",
        "target_impact",
        "treatment",
        "treatment_justification",
    )
    # A step started or done is progress on the approved plan, not a change to it: only its
    # title, owner and due date (what leaders approved) ask for a new approval (issue 28.8).
    PROGRESS_FIELDS = {"plan": ("status",)}
    # Set by RiskQuerySet.with_flags (an annotation, not a field).
    overdue: bool

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20)
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.PROCESS)
    process = models.ForeignKey(
        "audits.Process",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name="process affected",
    )
    cause = models.TextField(blank=True)
    consequence = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks"
    )
    existing_controls = models.TextField(blank=True)

    matrix = models.ForeignKey(
        RiskMatrix,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The matrix version the current scores were made on.",
    )
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_score = models.PositiveSmallIntegerField(editable=False)
    inherent_band = models.CharField(max_length=40, editable=False)
    inherent_rank = models.PositiveSmallIntegerField(editable=False)
    residual_likelihood = models.PositiveSmallIntegerField("current likelihood")
    residual_impact = models.PositiveSmallIntegerField("current impact")
    residual_score = models.PositiveSmallIntegerField(editable=False)
    residual_band = models.CharField(max_length=40, editable=False)
    residual_rank = models.PositiveSmallIntegerField(editable=False)
    target_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    target_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    needs_approval = models.BooleanField(
        default=False,
        editable=False,
        help_text="High or Critical (a band that asks for approval), or accepted.",
    )

    treatment = models.CharField(max_length=12, choices=Treatment.choices, default=Treatment.REDUCE)
    treatment_justification = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    review_every_days = models.PositiveSmallIntegerField(
        "review every (days)",
        null=True,
        blank=True,
        help_text="Leave empty to follow the band's review frequency.",
    )
    next_review_date = models.DateField(null=True, blank=True)

    objectives = models.ManyToManyField(
        "objectives.Objective",
        through="RiskObjective",
        blank=True,
        related_name="risks",
        verbose_name="objectives",
    )
    findings = models.ManyToManyField(
        "audits.Finding", through="RiskFinding", blank=True, related_name="risks"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="one_risk_reference_per_org"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "residual_score"]),
            models.Index(fields=["organisation", "next_review_date"]),
            # The dashboard's five highest residual scores: an index walk that stops at five,
            # not a sort of the whole register joined to every user and process.
            models.Index(
                F("organisation"),
                F("residual_score").desc(),
                F("inherent_score").desc(),
                F("reference"),
                name="risk_org_top_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", args=[self.pk])

    def resource_reference(self) -> str:
        return self.reference

    @property
    def is_opportunity(self) -> bool:
        return self.kind == Kind.OPPORTUNITY

    @property
    def expects_plan(self) -> bool:
        return self.treatment not in NO_PLAN_TREATMENTS

    def approval_snapshot(self) -> dict[str, Any]:
        """The risk, its scores and its plan as a leader approves them."""
        from isova.models import Action

        plan = Action.objects.for_source(self).live().select_related("owner").order_by("pk")
        return {
            "reference": self.reference,
            "kind": self.kind,
            "title": self.title,
            "owner": {"id": self.owner_id, "name": self.owner.get_full_name()},
            "matrix_version": self.matrix.number,
            "inherent": {
                "likelihood": self.inherent_likelihood,
                "impact": self.inherent_impact,
                "score": self.inherent_score,
                "band": self.inherent_band,
            },
            "target": {"likelihood": self.target_likelihood, "impact": self.target_impact},
            "treatment": self.treatment,
            "treatment_justification": self.treatment_justification,
            "plan": [
                {
                    "id": a.pk,
                    "title": a.title,
                    "owner": a.owner.get_full_name(),
                    "due_date": a.due_date,
                    "status": a.status,
                }
                for a in plan
            ],
            # People, tools and budget allocated (isova.resources): approved with the plan.
            **self.resources_snapshot(),
        }

    def approval_problems(self) -> list[str]:
        from isova.models import Action

        problems = []
        if self.treatment == Treatment.ACCEPT and not self.treatment_justification.strip():
            problems.append("the reason for accepting it (justification)")
        elif self.expects_plan and not Action.objects.for_source(self).live().exists():
            problems.append("a treatment plan (at least one action)")
        return problems


class RiskObjective(OrgChild):
    """An objective a risk threatens or serves (the risk's `objectives`)."""

    ORG_PARENT = "risk"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "risks_risk_objectives"  # made for `objectives` before it had a model
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "risk", "objective"], name="one_link_per_risk_objective"
            )
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} → objective {self.objective_id}"


class RiskFinding(OrgChild):
    """An audit finding a risk came from (the risk's `findings`)."""

    ORG_PARENT = "risk"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="+")
    finding = models.ForeignKey("audits.Finding", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "risks_risk_findings"  # made for `findings` before it had a model
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "risk", "finding"], name="one_link_per_risk_finding"
            )
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} → finding {self.finding_id}"


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", "Initial assessment"
    REASSESSED = "reassessed", "Reassessed"
    REVIEW = "review", "Review"


class AssessmentQuerySet(OrgChildQuerySet):
    def reviews(self) -> AssessmentQuerySet:
        return self.filter(kind=AssessmentKind.REVIEW)


class Assessment(OrgChild):
    """One scoring of a risk's current position: the first one, an edit, or a review.

    Keeps the matrix version it was scored on with the band name and rank it had then.
    """

    ORG_PARENT = "risk"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=12, choices=AssessmentKind.choices)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=40)
    rank = models.PositiveSmallIntegerField()
    controls_effective = models.BooleanField("controls effective", null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager

    class Meta:
        ordering = ["risk", "assessed_on", "pk"]
        indexes = [models.Index(fields=["organisation", "risk", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.risk.reference} {self.assessed_on}: {self.score} ({self.band})"
