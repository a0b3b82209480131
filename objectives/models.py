"""Quality objectives (ISO 9001 6.2): strategic goals, objectives, measurements and reviews.

Progress, RAG status and forecast are computed by `ObjectiveQuerySet.with_progress()` in
the database, so a list of 500 objectives costs the same number of queries as a list of 10.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf
from django.urls import reverse
from simple_history.models import HistoricalRecords

from isova.accounts.models import OrgChild, OrgQuerySet
from isova.dashboard import memo
from isova.models import ActionSource, Approvable, Organisation, RecordStatus, RecordVersion
from isova.resources.models import ResourcePlan

FORECAST_POINTS = 6  # the forecast is a least-squares line through the last N values
SPARKLINE_POINTS = 12


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


# A value is "stale" when the latest one is older than one period plus this grace.
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.MONTHLY: 31, Frequency.QUARTERLY: 92}
GRACE_DAYS = {Frequency.WEEKLY: 7, Frequency.MONTHLY: 14, Frequency.QUARTERLY: 30}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_STATUSES = (Status.ACHIEVED, Status.MISSED, Status.WITHDRAWN)


class Rag(models.TextChoices):
    GREEN = "green", "On track"
    AMBER = "amber", "Slightly behind"
    RED = "red", "Off track"
    STALE = "stale", "Stale"
    NO_DATA = "no_data", "No data yet"


class ReviewEvery(models.IntegerChoices):
    MONTH = 1, "Every month"
    QUARTER = 3, "Every quarter"
    HALF_YEAR = 6, "Every six months"
    YEAR = 12, "Every year"


class Decision(models.TextChoices):
    CONTINUE = "continue", "Continue as planned"
    CHANGE_TARGET = "change_target", "Change the target"
    ACHIEVED = "achieved", "Close as achieved"
    MISSED = "missed", "Close as missed"


# --- periods ---------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, clipped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(day: datetime.date, frequency: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of the week (Monday–Sunday), month or quarter containing `day`."""
    if frequency == Frequency.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if frequency == Frequency.QUARTERLY:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        start = day.replace(day=1)
    months = 3 if frequency == Frequency.QUARTERLY else 1
    return start, add_months(start, months) - datetime.timedelta(days=1)


def period_label(start: datetime.date, frequency: str) -> str:
    if frequency == Frequency.WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == Frequency.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


_PERIOD_HINT = {
    Frequency.WEEKLY: "a week such as 2025-W07 or a date such as 2025-02-14",
    Frequency.MONTHLY: "a month such as 2025-02 or a date such as 2025-02-14",
    Frequency.QUARTERLY: "a quarter such as 2025-Q1, a month such as 2025-02 or a date",
}


def parse_period(text: str, frequency: str) -> datetime.date:
    """The first day of the period that `text` names; ValueError with a readable message."""
    text = (text or "").strip().upper()
    hint = _PERIOD_HINT[Frequency(frequency)]
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
        elif len(text) == 7 and text[4] == "-" and text[5] == "Q" and frequency == "quarterly":
            day = datetime.date(int(text[:4]), (int(text[6]) - 1) * 3 + 1, 1)
        elif len(text) == 8 and text[4:6] == "-W" and frequency == Frequency.WEEKLY:
            day = datetime.date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
        elif len(text) == 7 and text[4] == "-" and frequency != Frequency.WEEKLY:
            day = datetime.date(int(text[:4]), int(text[5:]), 1)
        else:
            raise ValueError
        # Inside the try: the period's end can fall past year 9999 (9999-12, 9999-W52).
        start, _ = period_bounds(day, frequency)
    except (ValueError, OverflowError):
        raise ValueError(f"“{text}” is not a period; give {hint}.") from None
    return start


# --- database arithmetic ---------------------------------------------------------------


class DaysBetween(models.Func):
    """Whole days from the second date to the first, on PostgreSQL and SQLite alike."""

    arity = 2
    output_field = models.IntegerField()

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date - date is an integer number of days.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _float(expression: Any) -> Cast:
    return Cast(expression, models.FloatField())


def _planned(day: Any, terms: str = "") -> Any:
    """The planned value on `day`: a straight line from baseline (start) to target (target
    date); `terms` the prefix of the terms judged against ("approved_": `approved_reading`)."""
    baseline, target = _float(F(terms + "baseline")), _float(F(terms + "target"))
    duration = NullIf(
        _float(DaysBetween(F(terms + "target_date"), F(terms + "start_date"))), Value(0.0)
    )
    elapsed = _float(DaysBetween(day, F(terms + "start_date")))
    share = Least(Greatest(elapsed / duration, Value(0.0)), Value(1.0))
    return baseline + (target - baseline) * share


def _span(terms: str = "") -> Any:
    return NullIf(_float(F(terms + "target")) - _float(F(terms + "baseline")), Value(0.0))


# The terms an objective's progress and state are judged against (`with_progress`), and the
# database type each is read back as from an approved snapshot (dates and decimals are
# strings there): `ObjectiveQuerySet.approved_reading` judges staff's reading against them.
JUDGED_TERMS: dict[str, models.Field] = {
    "baseline": models.FloatField(),
    "target": models.FloatField(),
    "amber_tolerance": models.FloatField(),
    "red_tolerance": models.FloatField(),
    "start_date": models.DateField(),
    "target_date": models.DateField(),
    "frequency": models.CharField(),
}
APPROVED = "approved_"


def _forecast(values: Any, begun: Q, terms: str = "") -> Subquery:
    """The value at the target date on the least-squares line through the last
    FORECAST_POINTS of `values` (x = days since start); None with fewer than two. `terms`
    as `_planned`'s."""
    # The last FORECAST_POINTS values: those from the N-th latest period on.
    nth_latest = Measurement.objects.filter(begun, objective=OuterRef(OuterRef("pk"))).order_by(
        "-period"
    )[FORECAST_POINTS - 1 : FORECAST_POINTS]
    window = values.filter(
        period__gte=Coalesce(Subquery(nth_latest.values("period")), Value(datetime.date.min))
    )
    x = _float(DaysBetween(F("period_end"), OuterRef(terms + "start_date")))
    y = _float(F("value"))
    n = _float(Count("pk"))
    sx, sy = models.Sum(x), models.Sum(y)
    sxy, sxx = models.Sum(x * y), models.Sum(x * x)
    slope = (n * sxy - sx * sy) / NullIf(n * sxx - sx * sx, Value(0.0))
    # On the fitted line: y(x_t) = mean(y) + slope · (x_t − mean(x)), where x_t is the
    # target date; x_t − mean(x) is written mean(x_t − x) so that it stays an aggregate
    # of this subquery (an aggregate of outer columns alone belongs to the outer query).
    to_target = _float(DaysBetween(OuterRef(terms + "target_date"), F("period_end")))
    fitted = models.Avg(y) + slope * models.Avg(to_target)
    return Subquery(
        window.order_by().values("objective").annotate(f=fitted).values("f"),
        output_field=models.FloatField(),
    )


def _stale_before(today: datetime.date, terms: str = "") -> Case:
    """The day before which an objective's latest period end makes it stale: one period
    of its frequency plus grace before `today`."""
    return Case(
        *[
            When(
                Q(**{terms + "frequency": f}),
                then=Value(today - datetime.timedelta(FREQUENCY_DAYS[f] + g)),
            )
            for f, g in GRACE_DAYS.items()
        ],
        output_field=models.DateField(),
    )


def _rag(terms: str = "") -> Case:
    """The RAG state from `with_progress`'s annotations: no_data, stale, then green / amber /
    red by `behind` against the amber and red tolerances."""
    return Case(
        When(points=0, then=Value(Rag.NO_DATA)),
        When(
            Q(status=Status.ACTIVE, last_period_end__lt=F("stale_before")),
            then=Value(Rag.STALE),
        ),
        When(behind__lte=_float(F(terms + "amber_tolerance")), then=Value(Rag.GREEN)),
        When(behind__lte=_float(F(terms + "red_tolerance")), then=Value(Rag.AMBER)),
        When(behind__isnull=False, then=Value(Rag.RED)),
        default=Value(Rag.NO_DATA),
        output_field=models.CharField(),
    )


# --- querysets -------------------------------------------------------------------------


class StrategicGoalQuerySet(OrgQuerySet, models.QuerySet["StrategicGoal"]):
    def with_counts(self) -> StrategicGoalQuerySet:
        """Annotate `objective_count` and `open_count` (objectives not closed)."""
        return self.annotate(
            objective_count=Count("objectives"),
            open_count=Count("objectives", filter=~Q(objectives__status__in=CLOSED_STATUSES)),
        )


class ObjectiveQuerySet(OrgQuerySet, models.QuerySet["Objective"]):
    def open(self) -> ObjectiveQuerySet:
        """Objectives not yet closed (achieved, missed) or withdrawn."""
        return self.exclude(status__in=CLOSED_STATUSES)

    def for_list(self) -> ObjectiveQuerySet:
        """Owner and goal joined, the shown status, and the latest SPARKLINE_POINTS values
        prefetched (1 query)."""
        recent = Measurement.objects.order_by("-period")[:SPARKLINE_POINTS]
        return (
            self.with_shown_status()
            .select_related("owner", "goal")
            .prefetch_related(
                models.Prefetch("measurements", queryset=recent, to_attr="recent_measurements")
            )
        )

    def with_approved_snapshot(self) -> ObjectiveQuerySet:
        """Annotate `approved_snapshot`: the last approved version's snapshot (None when the
        objective was never approved); `Objective.approved_terms` reads it."""
        from isova.records.approved import last_approved_snapshot

        return self.annotate(approved_snapshot=last_approved_snapshot(self.model))

    def approved_reading(self) -> ObjectiveQuerySet:
        """What staff read (issue 22.3), in the database: the objectives ever approved (a
        draft never approved left out; an active one without an approval, imported or older
        than the workflow, stands as it is), with `approved_snapshot` and the terms progress
        is judged against as last approved (`approved_<term>`, the row's when the snapshot
        lacks it), which `with_progress` called after this uses: states, counts, filters and
        order agree with `approved.as_approved`'s copies. No query of its own."""
        annotated = self.with_approved_snapshot().annotate(
            **{
                APPROVED + name: Coalesce(
                    Cast(KT(f"approved_snapshot__{name}"), output_field=field),
                    Cast(F(name), output_field=field),
                )
                for name, field in JUDGED_TERMS.items()
            }
        )
        return annotated.filter(Q(approved_snapshot__isnull=False) | ~Q(status=Status.DRAFT))

    def with_shown_status(self) -> ObjectiveQuerySet:
        """Annotate `shown_status`: the stored status, except "submitted" for a draft whose
        latest version awaits approval. Whether it is submitted is read from the record
        versions alone (isova.records), never stored on the objective."""
        if "shown_status" in self.query.annotations:
            return self
        awaiting = RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(Objective),
            object_id=OuterRef("pk"),
            status=RecordStatus.SUBMITTED,
        )
        return self.annotate(
            shown_status=Case(
                When(Q(status=Status.DRAFT) & Exists(awaiting), then=Value(Status.SUBMITTED)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def with_progress(
        self, today: datetime.date, *, values_until: datetime.date | None = None
    ) -> ObjectiveQuerySet:
        """Annotate progress, RAG and forecast, all computed by the database.

        `values_until`: judge only the values of periods that had begun by that day, as the
        list would have shown them then (with `today` that day: the dashboard's change since
        last week; a value recorded late for an earlier period counts as if known then).

        - `points`, `last_value`, `last_period`, `last_period_end`: the recorded values.
        - `progress`: percent of the way from baseline to target of the latest value.
        - `reference_date`: the one date the latest value is judged at: the end of its period,
          or today when that period is not over yet (today without values).
        - `planned_now`: where the planned path (straight line baseline → target) is on the
          reference date; the page shows it as "Planned by <reference date>".
        - `behind`: how far the latest value trails `planned_now`, in percent of the whole
          baseline → target distance (negative: ahead). The same date for both, so a value
          below the planned figure shown is never called "ahead". The division by
          (target − baseline) makes this right for lower-is-better too.
        - `forecast`: the value at the target date on the least-squares line through the
          last FORECAST_POINTS values (x = days since start), None with fewer than two;
          `forecast_progress`: that forecast in percent of the way to the target;
          `forecast_misses`: the forecast falls short of the target (flagged even while the
          RAG is green, i.e. within tolerance).
        - `rag`: no_data (nothing recorded), stale (an active objective whose latest value
          is older than one period plus grace), then green / amber / red by `behind`
          against the objective's amber and red tolerances.
        """
        # judged against the approved terms when `approved_reading` annotated them
        terms = APPROVED if APPROVED + "target" in self.query.annotations else ""
        begun = Q(period__lte=values_until) if values_until is not None else Q()
        qs = self._with_recorded_values(today, begun, terms)
        today_value = Value(today, output_field=models.DateField())
        qs = qs.annotate(
            reference_date=Coalesce(Least(F("last_period_end"), today_value), today_value)
        ).annotate(planned_now=_planned(F("reference_date"), terms))
        return qs._with_judgement(terms)

    def _with_recorded_values(
        self, today: datetime.date, begun: Q, terms: str = ""
    ) -> ObjectiveQuerySet:
        """`with_progress`'s first step: `points`, `last_value`, `last_period`,
        `last_period_end`, `forecast` and `stale_before`, from the values matching `begun`."""
        values = Measurement.objects.filter(begun, objective=OuterRef("pk"))
        latest = values.order_by("-period")
        return self.annotate(
            points=Coalesce(
                Subquery(
                    values.order_by().values("objective").annotate(c=Count("pk")).values("c"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            last_value=Subquery(latest.values("value")[:1]),
            last_period=Subquery(latest.values("period")[:1]),
            last_period_end=Subquery(latest.values("period_end")[:1]),
            forecast=_forecast(values, begun, terms),
            stale_before=_stale_before(today, terms),
        )

    def _with_judgement(self, terms: str = "") -> ObjectiveQuerySet:
        """`with_progress`'s last step, on the recorded values and `planned_now`: `behind`,
        `forecast_progress`, `progress`, `forecast_misses` and `rag`."""
        qs = self.annotate(
            behind=(F("planned_now") - _float(F("last_value"))) / _span(terms) * Value(100.0),
            forecast_progress=(F("forecast") - _float(F(terms + "baseline")))
            / _span(terms)
            * Value(100.0),
        )
        return qs.annotate(
            progress=(_float(F("last_value")) - _float(F(terms + "baseline")))
            / _span(terms)
            * Value(100.0),
            # Short of the target by more than rounding: 94.1 when 95 is the target.
            forecast_misses=Case(
                When(forecast_progress__lt=Value(99.999), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            rag=_rag(terms),
        )

    def review_overdue(self, today: datetime.date) -> ObjectiveQuerySet:
        """Active objectives whose next review date has passed (the organisation's today)."""
        return self.filter(status=Status.ACTIVE, next_review_date__lt=today)

    def stale(self, today: datetime.date) -> ObjectiveQuerySet:
        # django-stubs cannot see the annotations with_progress adds, such as `rag`.
        return self.with_progress(today).filter(rag=Rag.STALE)  # type: ignore[misc]

    def rag_counts(
        self, today: datetime.date, *, values_until: datetime.date | None = None
    ) -> dict[str, int]:
        """How many open objectives are in each RAG state, every state present (1 query);
        `values_until` as `with_progress`'s."""
        counts = dict(
            self.open()
            .with_progress(today, values_until=values_until)
            .order_by()
            .values_list("rag")  # type: ignore[misc]  # annotated by with_progress
            .annotate(n=Count("pk"))
            .values_list("rag", "n")
        )
        return {rag: counts.get(rag, 0) for rag in Rag.values}

    def rag_counts_by_goal(self, today: datetime.date) -> dict[int | None, dict[str, int]]:
        """Per strategic goal, how many open objectives are in each RAG state, and how many
        forecast to miss their target (`"forecast_misses"`): one query."""
        rows = (
            self.open()
            .with_progress(today)
            .order_by()
            .values_list("goal_id", "rag")  # type: ignore[misc]  # annotated by with_progress
            .annotate(n=Count("pk"), misses=Count("pk", filter=Q(forecast_misses=True)))
            .values_list("goal_id", "rag", "n", "misses")
        )
        by_goal: dict[int | None, dict[str, int]] = {}
        for goal_id, rag, n, misses in rows:
            counts = by_goal.setdefault(goal_id, {"forecast_misses": 0})
            counts[rag] = n
            counts["forecast_misses"] += misses
        return by_goal

    def status_counts(self) -> dict[str, int]:
        """How many objectives have each status, every status present (1 query)."""
        # shown_status is annotated by with_shown_status (django-stubs cannot see it).
        shown = self.with_shown_status().order_by().values_list("shown_status")  # type: ignore[misc]
        counts = dict(shown.annotate(n=Count("pk")))
        return {status: counts.get(status, 0) for status in Status.values}

    def trend_series(self, *, since: datetime.date | None = None) -> list[dict[str, Any]]:
        """Per objective, its values as percent of the way to target over time (1 query).

        `[{"id", "title", "periods": [...], "progress": [...]}, ...]`, ready for a chart.
        """
        rows = (
            Measurement.objects.filter(objective__in=self)
            .filter(**({"period__gte": since} if since else {}))
            .annotate(
                pct=(_float(F("value")) - _float(F("objective__baseline")))
                / NullIf(
                    _float(F("objective__target")) - _float(F("objective__baseline")),
                    Value(0.0),
                )
                * Value(100.0)
            )
            .order_by("objective__title", "objective_id", "period")
            .values_list("objective_id", "objective__title", "period", "pct")
        )
        series: dict[int, dict[str, Any]] = {}
        for objective_id, title, period, pct in rows:
            entry = series.setdefault(
                objective_id, {"id": objective_id, "title": title, "periods": [], "progress": []}
            )
            entry["periods"].append(period.isoformat())
            entry["progress"].append(None if pct is None else round(pct, 1))
        return list(series.values())


# --- models ----------------------------------------------------------------------------


class StrategicGoal(models.Model):
    """A business goal that quality objectives serve, e.g. "On-time delivery"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="strategic_goals"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StrategicGoalQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="goal_title_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class Objective(ActionSource, Approvable, ResourcePlan):
    """A quality objective: what, by whom, with what, by when and how it is judged (6.2.2)."""

    APPROVAL_NAME = "objective"
    # Set on objects from ObjectiveQuerySet.with_progress (an annotation, not a field).
    last_period_end: datetime.date | None
    # Set by ObjectiveQuerySet.with_shown_status: the status as people read it.
    shown_status: str
    # A change to any of these after approval asks for approval again (records.record_changed).
    # "plan" stands for the objective's plan actions (their title, owner, due date).
    # The measure: what is measured, in what unit, which way is better, from what to what,
    # between which dates.
    MEASURE_FIELDS = (
        "measure_name",
        "unit",
        "direction",
        "baseline",
        "target",
        "start_date",
        "target_date",
    )
    MATERIAL_FIELDS = (
        "title",
        "goal",
        "owner",
        *MEASURE_FIELDS,
        "resources",
        "budget",
        "evaluation",
        "plan",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    goal = models.ForeignKey(
        StrategicGoal,
        on_delete=models.PROTECT,
        related_name="objectives",
        null=True,
        blank=True,
        verbose_name="strategic goal",
        help_text="The business goal this objective serves.",
    )
    why = models.TextField(
        "why it matters", blank=True, help_text="In plain words: what it does for the business."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_objectives"
    )
    measure_name = models.CharField(
        "what is measured", max_length=120, help_text="e.g. “Orders delivered on time”."
    )
    unit = models.CharField(max_length=30, help_text="e.g. %, days, complaints per month.")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(
        max_digits=14, decimal_places=4, help_text="Where we are at the start."
    )
    target = models.DecimalField(max_digits=14, decimal_places=4)
    start_date = models.DateField()
    target_date = models.DateField()
    frequency = models.CharField(
        "measured",
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        help_text="How often a value is recorded.",
    )
    amber_tolerance = models.DecimalField(
        "amber when behind plan by more than (%)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("5"),
        validators=[MinValueValidator(0)],
        help_text="In percent of the whole planned improvement from baseline to target.",
    )
    red_tolerance = models.DecimalField(
        "red when behind plan by more than (%)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("15"),
        validators=[MinValueValidator(0)],
    )
    resources = models.TextField(
        "resources needed", blank=True, help_text="People, tools, time and budget it needs."
    )
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    evaluation = models.TextField(
        "how results are evaluated",
        blank=True,
        help_text="Who looks at the values, how often, and what counts as success.",
    )
    review_every = models.PositiveSmallIntegerField(
        "reviewed", choices=ReviewEvery.choices, default=ReviewEvery.QUARTER
    )
    next_review_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["target_date", "title", "pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("objectives:detail", args=[self.pk])

    def resource_reference(self) -> str:
        """As the objectives export names it: its external reference, else OBJ-<id>."""
        return self.external_ref or f"OBJ-{self.pk}"

    @classmethod
    def action_source_choices(cls, organisation: Organisation) -> ObjectiveQuerySet:
        """Objectives not yet closed (achieved, missed or withdrawn)."""
        return cls.objects.filter(organisation=organisation).exclude(status__in=CLOSED_STATUSES)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.target_date and self.target_date <= self.start_date:
            errors["target_date"] = "The target date must come after the start date."
        if self.baseline is not None and self.target is not None:
            if self.target == self.baseline:
                errors["target"] = "The target must differ from the baseline."
            elif self.direction == Direction.HIGHER and self.target < self.baseline:
                errors["target"] = "Higher is better: the target must be above the baseline."
            elif self.direction == Direction.LOWER and self.target > self.baseline:
                errors["target"] = "Lower is better: the target must be below the baseline."
        amber, red = self.amber_tolerance, self.red_tolerance
        if amber is not None and red is not None and red < amber:
            errors["red_tolerance"] = "The red tolerance cannot be smaller than the amber one."
        if errors:
            raise ValidationError(errors)

    def approval_snapshot(self) -> dict[str, Any]:
        """The objective and its plan as a leader approves them (records.submit/approve).

        Plan steps carry title, owner and due date but not their status: a step being done
        is progress on the plan, not a change to it, and must not ask for re-approval.
        Cancelled steps drop out of the plan.
        """
        steps = self.actions.live().select_related("owner").order_by("due_date", "pk")
        return {
            "title": self.title,
            "goal": self.goal.title if self.goal else None,
            "why": self.why,
            "owner": {"id": self.owner_id, "name": self.owner.get_full_name()},
            "measure_name": self.measure_name,
            "unit": self.unit,
            "direction": self.direction,
            "baseline": self.baseline,
            "target": self.target,
            "start_date": self.start_date,
            "target_date": self.target_date,
            "frequency": self.frequency,
            "amber_tolerance": self.amber_tolerance,
            "red_tolerance": self.red_tolerance,
            "resources": self.resources,
            "budget": self.budget,
            "evaluation": self.evaluation,
            "review_every": self.review_every,
            "plan": [
                {
                    "id": step.pk,
                    "title": step.title,
                    "owner": step.owner_id,
                    "owner_name": step.owner.get_full_name(),
                    "due_date": step.due_date,
                }
                for step in steps
            ],
            # People, tools and budget allocated (isova.resources): approved with the plan.
            **self.resources_snapshot(),
        }

    def approval_problems(self) -> list[str]:
        """What stops submission (records.submit asks, whichever page submits)."""
        if self.is_closed:
            return ["an open status: a closed or withdrawn objective is not submitted"]
        return self.missing_elements(plan_steps=self.actions.live().count())

    def approval_submit_url(self) -> str:
        """The objective's own submit page names the missing 6.2.2 elements one by one."""
        return reverse("objectives:submit", args=[self.pk])

    def on_approval_decided(self, decision: str, signoff: Any) -> None:
        """Approved: the objective is active. Rejected: a draft stays a draft and an active
        objective whose change was rejected stays active. ("Submitted" is never stored: it is
        the record versions' state, see `ObjectiveQuerySet.with_shown_status`.)
        """
        if decision != "approved":
            return
        self.status = Status.ACTIVE
        self._change_reason = f"{decision} by {signoff.signer_name}"
        self.save(update_fields=["status", "updated_at"])

    @property
    def decimals(self) -> int:
        """The decimals the measure is written with: the most of its baseline and target
        (isova.humanise.decimals_of); computed figures (planned, forecast) round to it."""
        from isova.humanise import decimals_of

        return decimals_of(self.baseline, self.target)

    # True on the read-only copy objectives/approved.py:as_approved makes for staff.
    shows_approved = False

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.shows_approved:
            raise RuntimeError("A copy showing the approved terms is never saved.")
        super().save(*args, **kwargs)

    @property
    def approved_terms(self) -> Any:
        """What the leaders last approved (objectives/approved.py), for pages every member
        reads; needs `with_approved_snapshot()`."""
        from .approved import approved_terms

        return approved_terms(self)

    @property
    def shown_status_label(self) -> str:
        """The label of `shown_status` (annotated by `with_shown_status`)."""
        return Status(self.shown_status).label

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def missing_elements(self, *, plan_steps: int) -> list[str]:
        """What ISO 9001 6.2.2 asks for that this objective still lacks (empty: complete)."""
        missing = []
        if not self.goal_id:
            missing.append("the strategic goal it serves")
        if not self.why.strip():
            missing.append("why it matters")
        if plan_steps == 0:
            missing.append("what will be done: at least one plan step (6.2.2 a)")
        if not self.resources.strip():
            missing.append("the resources needed (6.2.2 b)")
        if not self.evaluation.strip():
            missing.append("how results are evaluated (6.2.2 e)")
        if not self.next_review_date:
            missing.append("the next review date")
        return missing

    def period_bounds(self, day: datetime.date) -> tuple[datetime.date, datetime.date]:
        return period_bounds(day, self.frequency)

    def period_label(self, start: datetime.date) -> str:
        return period_label(start, self.frequency)


class Measurement(OrgChild):
    """The value of an objective's measure for one period (one value per period)."""

    ORG_PARENT = "objective"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(help_text="First day of the week, month or quarter.")
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    comment = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "objective", "period"], name="one_value_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.value} ({self.period})"

    @property
    def label(self) -> str:
        return period_label(self.period, self.objective.frequency)


class Review(OrgChild):
    """A leader's or owner's review of an objective and what they decided."""

    ORG_PARENT = "objective"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    new_target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.objective} on {self.reviewed_on}"


def review_overdue_count(
    objectives: ObjectiveQuerySet, organisation: Organisation, today: datetime.date
) -> int:
    """How many of the organisation's active objectives are past their review date: asked
    by the objectives panel and by leadership health, counted once per dashboard request
    (`objectives` must be the whole organisation's, unfiltered)."""
    return memo.once(
        ("objectives.review_overdue", organisation.pk, today),
        lambda: objectives.review_overdue(today).count(),
    )
