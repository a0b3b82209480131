"""The decision register (ISO 9001 5.1): what leaders decided, why, and what carries it out.

A decision is an approvable record (`isova.records`): a leader signs it (approves the
submitted version with their password, bound to the snapshot shown, on the organisation's
hash chain), and revisiting a signed decision is an edit that supersedes the signature and
opens the next version as a draft (`records.record_changed`); the old version and its
sign-off stay. The actions that carry it out are `isova.Action`s with the decision as source.

Decisions taken in a management review are that review's outputs (`reviews.ReviewOutput`,
signed with the minutes): the register lists them beside these rows (`register_rows`), read
only, linking to the review, instead of copying them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from simple_history.models import HistoricalRecords

from isova.accounts.models import OrgChild, OrgQuerySet
from isova.models import ActionSource, Approvable, Organisation, RecordStatus, RecordVersion
from reviews.models import ReviewOutput, ReviewStatus

# How far ahead a review date counts as "due for review" on the dashboard and the register.
REVIEW_SOON_DAYS = 30


class Shown(models.TextChoices):
    """A register row's state as people read it (from the record versions, never stored)."""

    DRAFT = "draft", "Draft"
    AWAITING = "awaiting", "Awaiting sign-off"
    SIGNED = "signed", "Signed"
    REJECTED = "rejected", "Sent back"
    REVISITING = "revisiting", "Being revisited"
    # Outputs of management reviews (read-only rows of the register):
    MINUTES_SIGNED = "minutes_signed", "Signed with the minutes"
    MINUTES_OPEN = "minutes_open", "Minutes not yet signed"


def _versions() -> models.QuerySet[RecordVersion]:
    """A decision's record versions, newest first (inside a subquery of decisions). The content
    type is named by join, so no lookup of its own runs before the query (a cold cache cost
    the dashboard panel a query)."""
    return RecordVersion.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        content_type__app_label=Decision._meta.app_label,
        content_type__model=Decision._meta.model_name,
        object_id=OuterRef("pk"),
    ).order_by("-number")


class DecisionQuerySet(OrgQuerySet, models.QuerySet["Decision"]):
    def with_state(self) -> DecisionQuerySet:
        """Annotate `shown` (a `Shown` value, from the latest record version), `version_number`
        and `signed_at` (when the last signature was given): three subqueries, one query."""
        if "shown" in self.query.annotations:
            return self
        latest = _versions().annotate(
            shown=Case(
                When(status=RecordStatus.SUBMITTED, then=Value(Shown.AWAITING)),
                When(status=RecordStatus.APPROVED, then=Value(Shown.SIGNED)),
                When(status=RecordStatus.REJECTED, then=Value(Shown.REJECTED)),
                When(status=RecordStatus.DRAFT, number__gt=1, then=Value(Shown.REVISITING)),
                default=Value(Shown.DRAFT),
                output_field=CharField(),
            )
        )
        signed = _versions().filter(status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED))
        return self.annotate(
            shown=Coalesce(Subquery(latest.values("shown")[:1]), Value(Shown.DRAFT)),
            version_number=Coalesce(
                Subquery(_versions().values("number")[:1]),
                Value(1),
                output_field=IntegerField(),
            ),
            signed_at=Subquery(signed.values("decided_at")[:1]),
        )

    def with_signed_snapshot(self) -> DecisionQuerySet:
        """Annotate `signed_snapshot` and `signed_number`: the last signed version's snapshot
        and number (None for a decision never signed), what staff read (issue 22.3)."""
        from isova.records.approved import last_approved_snapshot

        return self.annotate(
            signed_snapshot=last_approved_snapshot(self.model),
            signed_number=last_approved_snapshot(self.model, "number"),
        )

    def in_state(self, *states: str) -> DecisionQuerySet:
        """Those whose `shown` state is one of `states` (annotates it)."""
        # `shown` is an annotation the type checker cannot see: passed by name.
        return self.with_state().filter(**{"shown__in": states})

    def awaiting_signature(self) -> DecisionQuerySet:
        return self.in_state(Shown.AWAITING)

    def due_for_review(self, today: datetime.date) -> DecisionQuerySet:
        """Signed decisions whose review date is past or within REVIEW_SOON_DAYS."""
        soon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
        return self.in_state(Shown.SIGNED).filter(review_date__lte=soon)

    def in_register(
        self,
        *,
        search: str = "",
        shown: str = "",
        source: str = "",
        today: datetime.date | None = None,
    ) -> DecisionQuerySet:
        """The decisions the register's filters keep (see `register_rows`): text in any of
        their words, a `Shown` state or "due", and `source` ("review" keeps none)."""
        if source == "review":
            return self.none()
        decisions: DecisionQuerySet = self
        if search:
            decisions = decisions.filter(
                Q(title__icontains=search) | Q(decision__icontains=search)
                | Q(rationale__icontains=search) | Q(context__icontains=search)
                | Q(affects_customers__icontains=search)
            )  # fmt: skip
        if shown == "due" and today is not None:
            decisions = decisions.due_for_review(today)
        elif shown in (Shown.MINUTES_SIGNED, Shown.MINUTES_OPEN):
            decisions = decisions.none()
        elif shown in Shown.values:
            decisions = decisions.in_state(shown)
        return decisions

    def panel_counts(self, today: datetime.date) -> dict[str, int]:
        """How many await a signature, are due for review (soon or overdue), are drafts: one
        query."""
        soon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
        signed = Q(shown=Shown.SIGNED)
        return self.with_state().aggregate(
            awaiting=Count("pk", filter=Q(shown=Shown.AWAITING)),
            due=Count("pk", filter=signed & Q(review_date__lte=soon)),
            overdue=Count("pk", filter=signed & Q(review_date__lt=today)),
            drafts=Count("pk", filter=Q(shown__in=(Shown.DRAFT, Shown.REVISITING, Shown.REJECTED))),
        )

    def needing_attention(self, today: datetime.date, limit: int = 10) -> DecisionQuerySet:
        """Awaiting a signature (oldest decided first), then signed and due for review
        (soonest first), `limit` in all: what the dashboard panel lists, in one query."""
        soon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
        awaiting = Q(shown=Shown.AWAITING)
        return (
            self.in_state(Shown.AWAITING, Shown.SIGNED)
            .filter(awaiting | Q(review_date__lte=soon))
            .annotate(first=Case(When(awaiting, then=Value(0)), default=Value(1)))
            .order_by("first", "review_date", "decided_on", "pk")[:limit]
        )


class Decision(Approvable, ActionSource):
    """One decision of the leaders: context, options, the decision, why, whom it affects."""

    APPROVAL_NAME = "decision"
    # Everything a leader signs: a change to any of it after signing is a revisit (a new
    # version to sign). The links (risks, objectives, findings, feedback, processes) are
    # children of the snapshot and always count. The actions that carry it out are not part
    # of it: they follow the signature and must not ask for a new one.
    MATERIAL_FIELDS = (
        "title",
        "context",
        "options",
        "decision",
        "rationale",
        "affects_customers",
        "owner",
        "decided_on",
        "review_date",
        "revisit_reason",
    )
    # What it rests on: the rows it links, one relation each.
    LINKS = ("processes", "risks", "objectives", "findings", "feedback")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    context = models.TextField(
        "context", blank=True, help_text="What prompted it: the situation, the facts, the risk."
    )
    options = models.TextField(
        "options considered", blank=True, help_text="The alternatives weighed, one per line."
    )
    decision = models.TextField("the decision", help_text="What was decided, in plain words.")
    rationale = models.TextField("rationale", help_text="Why this option and not the others.")
    affects_customers = models.TextField(
        "customers affected",
        blank=True,
        help_text="Which customers or clients it affects, and how (empty: none).",
    )
    processes = models.ManyToManyField(
        "audits.Process",
        through="DecisionProcess",
        blank=True,
        related_name="+",
        verbose_name="processes affected",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="accountable",
        help_text="Who sees it carried out.",
    )
    decided_on = models.DateField("decided on")
    review_date = models.DateField(
        "review by", null=True, blank=True, help_text="When to look again at whether it holds."
    )
    revisit_reason = models.TextField(
        "why it is revisited",
        blank=True,
        help_text="When revisiting a signed decision: what changed.",
    )
    risks = models.ManyToManyField(
        "risks.Risk", through="DecisionRisk", blank=True, related_name="decisions"
    )
    objectives = models.ManyToManyField(
        "objectives.Objective", through="DecisionObjective", blank=True, related_name="decisions"
    )
    findings = models.ManyToManyField(
        "audits.Finding",
        through="DecisionFinding",
        blank=True,
        related_name="decisions",
        verbose_name="audit findings",
    )
    feedback = models.ManyToManyField(
        "reviews.Feedback",
        through="DecisionFeedback",
        blank=True,
        related_name="decisions",
        verbose_name="feedback",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DecisionQuerySet.as_manager()

    # Set by DecisionQuerySet.with_state (annotations, not fields).
    shown: str
    version_number: int
    signed_at: datetime.datetime | None

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "decided_on"]),
            models.Index(fields=["organisation", "review_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", args=[self.pk])

    @property
    def shown_label(self) -> str:
        return Shown(self.shown).label

    @property
    def affects_clients(self) -> bool:
        return bool(self.affects_customers.strip())

    def approval_problems(self) -> list[str]:
        missing = []
        if not self.decision.strip():
            missing.append("the decision")
        if not self.rationale.strip():
            missing.append("its rationale")
        if not self.review_date:
            missing.append("a review date")
        return missing

    def approval_snapshot(self) -> dict[str, Any]:
        """The decision and what it rests on, as a leader signs it."""

        def named(rows: Any, label: Any) -> list[dict[str, Any]]:
            return [{"id": row.pk, "name": label(row)} for row in rows]

        return {
            "title": self.title,
            "context": self.context,
            "options": self.options,
            "decision": self.decision,
            "rationale": self.rationale,
            "affects_customers": self.affects_customers,
            "processes": named(self.processes.order_by("pk"), str),
            "owner": {"id": self.owner_id, "name": self.owner.get_full_name()},
            "decided_on": self.decided_on,
            "review_date": self.review_date,
            "revisit_reason": self.revisit_reason,
            "risks": named(self.risks.order_by("pk"), str),
            "objectives": named(self.objectives.order_by("pk"), str),
            "findings": named(
                self.findings.select_related("audit").order_by("pk"), lambda f: f.reference
            ),
            "feedback": named(self.feedback.order_by("pk"), str),
        }


# --- one register: decisions and the outputs of management reviews --------------------------

REGISTER_FIELDS = ("source", "pk", "title", "day", "shown", "review_id")


def register_rows(
    organisation: Organisation,
    *,
    search: str = "",
    shown: str = "",
    source: str = "",
    today: datetime.date | None = None,
    signed_only: bool = False,
) -> models.QuerySet[Any]:
    """The register as one list (one query per page): the organisation's decisions and the
    outputs of its held management reviews, newest first, as dicts with REGISTER_FIELDS.

    `shown` filters by a `Shown` value or "due" (signed, review date within
    REVIEW_SOON_DAYS of `today`); `source` is "register", "review" or "" (both).
    `signed_only` (what staff read, issue 22.3): decisions signed at least once and outputs
    of signed minutes, nothing awaiting or in draft; their titles as signed come from
    `signed_titles`.
    """
    left = _decision_rows(
        organisation,
        search=search,
        shown=shown,
        source=source,
        today=today,
        signed_only=signed_only,
    )
    right = _output_rows(
        organisation,
        search=search,
        shown=shown,
        source=source,
        today=today,
        signed_only=signed_only,
    )
    # SQLite refuses an ORDER BY inside a part of a UNION: the parts drop their Meta ordering.
    return left.order_by().union(right.order_by(), all=True).order_by("-day", "-pk")


# What `shown` may ask for of the signed register: anything else shows nothing there.
_SIGNED_SHOWN = ("", "due", Shown.SIGNED, Shown.MINUTES_SIGNED)


def _decision_rows(
    organisation: Organisation,
    *,
    search: str,
    shown: str,
    source: str,
    today: datetime.date | None,
    signed_only: bool,
) -> models.QuerySet[Any]:
    """The decisions `register_rows` lists, its filters applied, as register rows."""
    decisions = (
        Decision.objects.for_org(organisation)
        .with_state()
        .in_register(search=search, shown=shown, source=source, today=today)
    )
    if signed_only:
        decisions = decisions.exclude(**{"signed_at": None})  # an annotation, named
        if shown not in _SIGNED_SHOWN:
            decisions = decisions.none()
    return decisions.annotate(
        source=Value("register", output_field=CharField()),
        day=F("decided_on"),
        review_id=Value(None, output_field=IntegerField()),
    ).values(*REGISTER_FIELDS)


def _output_rows(
    organisation: Organisation,
    *,
    search: str,
    shown: str,
    source: str,
    today: datetime.date | None,
    signed_only: bool,
) -> models.QuerySet[Any]:
    """The outputs of held management reviews `register_rows` lists, its filters applied,
    as register rows."""
    outputs = ReviewOutput.objects.for_org(organisation).exclude(
        review__status=ReviewStatus.PLANNED
    )
    if signed_only:
        outputs = outputs.filter(review__status=ReviewStatus.CLOSED)
        if shown not in _SIGNED_SHOWN:
            outputs = outputs.none()
    if search:
        outputs = outputs.filter(decision__icontains=search)
    if shown in (Shown.MINUTES_SIGNED, Shown.MINUTES_OPEN):
        closed = shown == Shown.MINUTES_SIGNED
        outputs = (
            outputs.filter(review__status=ReviewStatus.CLOSED)
            if closed
            else outputs.exclude(review__status=ReviewStatus.CLOSED)
        )
    elif (shown == "due" and today is not None) or shown in Shown.values:
        outputs = outputs.none()
    if source == "register":
        outputs = outputs.none()
    return outputs.annotate(
        source=Value("review", output_field=CharField()),
        title=Substr("decision", 1, 200, output_field=CharField()),
        day=F("review__meeting_date"),
        shown=Case(
            When(review__status=ReviewStatus.CLOSED, then=Value(Shown.MINUTES_SIGNED)),
            default=Value(Shown.MINUTES_OPEN),
            output_field=CharField(),
        ),
    ).values(*REGISTER_FIELDS)


def signed_titles(organisation: Organisation, pks: list[int]) -> dict[int, str]:
    """The titles the decisions `pks` had when last signed (one query): staff read those."""
    versions = RecordVersion.objects.filter(
        organisation=organisation,
        content_type__app_label=Decision._meta.app_label,
        content_type__model=Decision._meta.model_name,
        object_id__in=pks,
        status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED),
    ).order_by("object_id", "number")
    titles: dict[int, str] = {}
    for object_id, snapshot in versions.values_list("object_id", "snapshot"):
        if isinstance(snapshot, dict) and snapshot.get("title"):
            titles[object_id] = str(snapshot["title"])  # the last signed wins
    return titles


# --- what a decision rests on and affects: link rows that carry the organisation ----------


class DecisionLink(OrgChild):
    """Abstract: one link of a decision to a row of another register, in the decision's
    organisation (every table carries it: README, "Beyond one database")."""

    ORG_PARENT = "decision"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


def _one_link(target: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            fields=["organisation", "decision", target], name=f"one_decision_link_per_{target}"
        )
    ]


class DecisionProcess(DecisionLink):
    process = models.ForeignKey("audits.Process", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = _one_link("process")


class DecisionRisk(DecisionLink):
    risk = models.ForeignKey("risks.Risk", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = _one_link("risk")


class DecisionObjective(DecisionLink):
    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = _one_link("objective")


class DecisionFinding(DecisionLink):
    finding = models.ForeignKey("audits.Finding", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = _one_link("finding")


class DecisionFeedback(DecisionLink):
    feedback = models.ForeignKey("reviews.Feedback", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = _one_link("feedback")
