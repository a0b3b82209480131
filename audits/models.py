"""Audits (ISO 9001 9.2) and their findings, followed through corrective action (10.2).

Reads live here as QuerySet methods (the programme, the findings register, the dashboard
aggregates); every write goes through audits/services.py.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from simple_history.models import HistoricalRecords

from isova.accounts.models import OrgChild, OrgQuerySet
from isova.clauses import clause_label, validate_clause, validate_clause_list
from isova.models import (
    FINISHED_STATUSES,
    Action,
    ActionSource,
    ActionStatus,
    Approvable,
    Organisation,
    overdue_q,
)

# --- organisation settings -------------------------------------------------------------


class FindingType(models.TextChoices):
    MAJOR = "major", "Major nonconformity"
    MINOR = "minor", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


NONCONFORMITIES = (FindingType.MAJOR, FindingType.MINOR)

DEFAULT_SLA_DAYS = {
    FindingType.MAJOR: 30,
    FindingType.MINOR: 60,
    FindingType.OBSERVATION: 90,
    FindingType.OFI: 90,
}


def _sla_field(finding_type: FindingType) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"{finding_type.label.lower()}: days to respond",
        default=DEFAULT_SLA_DAYS[finding_type],
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )


class AuditSettings(models.Model):
    """One organisation's response times per finding type (days from the date raised)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="audit_settings"
    )
    sla_major_days = _sla_field(FindingType.MAJOR)
    sla_minor_days = _sla_field(FindingType.MINOR)
    sla_observation_days = _sla_field(FindingType.OBSERVATION)
    sla_ofi_days = _sla_field(FindingType.OFI)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "audit settings"
        verbose_name_plural = "audit settings"

    def __str__(self) -> str:
        return f"Audit settings of {self.organisation}"

    @classmethod
    def for_org(cls, organisation: Organisation) -> AuditSettings:
        """The organisation's settings, or the defaults (unsaved) if it never changed them."""
        found = cls.objects.filter(organisation=organisation).first()
        return found or cls(organisation=organisation)

    def sla_days(self, finding_type: str) -> int:
        return getattr(self, f"sla_{finding_type}_days")

    def response_due(self, finding_type: str, raised_on: datetime.date) -> datetime.date:
        return raised_on + datetime.timedelta(days=self.sla_days(finding_type))


# --- processes -------------------------------------------------------------------------


class ProcessQuerySet(OrgQuerySet, models.QuerySet["Process"]):
    pass


class Process(models.Model):
    """One of the organisation's own processes (or areas), with the person who owns it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="processes"
    )
    name = models.CharField(max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_processes",
        help_text="Auditors should not audit a process they own (independence, ISO 9001 9.2.2).",
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "processes"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="one_process_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- audits ----------------------------------------------------------------------------


class AuditType(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External / certification"
    SUPPLIER = "supplier", "Supplier"
    CUSTOMER = "customer", "Customer"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


# The only moves an audit makes; services refuse the rest with a reason.
AUDIT_TRANSITIONS: dict[str, frozenset[str]] = {
    AuditStatus.PLANNED: frozenset({AuditStatus.IN_PROGRESS}),
    AuditStatus.IN_PROGRESS: frozenset({AuditStatus.REPORTED}),
    AuditStatus.REPORTED: frozenset({AuditStatus.CLOSED}),
    AuditStatus.CLOSED: frozenset(),
}


def _late_q(today: datetime.date) -> Q:
    return Q(status=AuditStatus.PLANNED, planned_date__lt=today)


class AuditQuerySet(OrgQuerySet, models.QuerySet["Audit"]):
    def in_year(self, year: int) -> AuditQuerySet:
        return self.filter(planned_date__year=year)

    def not_started_late(self, today: datetime.date) -> AuditQuerySet:
        """Still planned although their planned date has passed."""
        return self.filter(_late_q(today))

    def with_flags(self, today: datetime.date) -> AuditQuerySet:
        """Annotate `late`: still planned after the planned date (as `not_started_late`)."""
        return self.annotate(late=ExpressionWrapper(_late_q(today), BooleanField()))

    def for_programme(self) -> AuditQuerySet:
        """Rows of the programme: process and lead auditor joined, findings counted (1 query)."""
        return self.select_related("process", "lead_auditor").annotate(
            findings_total=Count("findings", distinct=True),
            findings_open=Count(
                "findings", filter=~Q(findings__status=FindingStatus.CLOSED), distinct=True
            ),
        )

    def years(self) -> list[int]:
        return sorted({d.year for d in self.dates("planned_date", "year")})


class AuditTeamMember(OrgChild):
    """A member of an audit's team (the audit's `team`), in the audit's organisation."""

    ORG_PARENT = "audit"

    audit = models.ForeignKey("Audit", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "audits_audit_team"  # the table Django made for `team` before it had a model
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "audit", "user"], name="one_place_per_person_in_a_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.audit}"


class Audit(Approvable):
    # Annotated by AuditQuerySet.with_flags(today) (not a field).
    late: bool

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audits")
    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    audit_type = models.CharField(
        "type", max_length=16, choices=AuditType.choices, default=AuditType.INTERNAL
    )
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        help_text="The process audited. Leave empty and name an area below for other audits.",
    )
    area = models.CharField(
        max_length=200, blank=True, help_text="Area, site or supplier, when not one process."
    )
    clauses = models.CharField(
        "clauses audited",
        max_length=300,
        blank=True,
        validators=[validate_clause_list],
        help_text="ISO 9001:2015 clause numbers, separated by commas, e.g. 8.4, 8.5.1.",
    )
    criteria = models.TextField(
        "other criteria",
        blank=True,
        help_text="Procedures, work instructions, contracts or customer requirements.",
    )
    scope = models.TextField(blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audits_led",
        help_text="For an external audit: the member who hosts it and records its findings.",
    )
    external_auditor = models.CharField(
        max_length=200,
        blank=True,
        help_text="External, supplier or customer audits: who audited, e.g. “J. Smith, BSI”.",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through=AuditTeamMember,
        blank=True,
        related_name="audit_teams",
        verbose_name="audit team",
    )
    planned_date = models.DateField()
    started_on = models.DateField("actual start", null=True, blank=True)
    reported_on = models.DateField("report issued", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=AuditStatus.choices, default=AuditStatus.PLANNED, db_index=True
    )
    summary = models.TextField(blank=True)
    conclusion = models.TextField(
        blank=True, help_text="Is the process effective and conforming? Overall opinion."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[team], excluded_fields=["updated_at"])
    objects = AuditQuerySet.as_manager()

    # The records mechanism (isova.records) signs the issued report with meaning "issued".
    APPROVAL_NAME = "audit report"
    SIGN_ONLY = True  # issued with records.sign, never submitted for approval
    # What an audit's plan names first: what is audited, against what, and who leads it (its
    # form, its services and the signed report each start from these).
    PLAN_FIELDS = (
        "title",
        "audit_type",
        "process",
        "area",
        "clauses",
        "criteria",
        "scope",
        "lead_auditor",
    )
    MATERIAL_FIELDS = (
        *PLAN_FIELDS,
        "external_auditor",
        "planned_date",
        "started_on",
        "summary",
        "conclusion",
    )

    class Meta:
        ordering = ["planned_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="one_audit_reference_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit_detail", args=[self.pk])

    @property
    def subject(self) -> str:
        """What is audited: the process, the area, or both."""
        parts = [p for p in (self.process.name if self.process else "", self.area) if p]
        return " — ".join(parts) or "—"

    @property
    def clause_list(self) -> list[str]:
        return [c.strip() for c in self.clauses.split(",") if c.strip()]

    def is_late(self, today: datetime.date) -> bool:
        return self.status == AuditStatus.PLANNED and self.planned_date < today

    def can_move_to(self, status: str) -> bool:
        return status in AUDIT_TRANSITIONS[self.status]

    @property
    def is_editable(self) -> bool:
        return self.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)

    def approval_snapshot(self) -> dict[str, Any]:
        """The report as issued: the audit's own fields, its team and every finding."""
        findings = self.findings.select_related("process", "raised_by").order_by("number")
        return {
            "reference": self.reference,
            "title": self.title,
            "type": self.audit_type,
            "process": self.process.name if self.process else "",
            "area": self.area,
            "clauses": self.clauses,
            "criteria": self.criteria,
            "scope": self.scope,
            "lead_auditor": self.lead_auditor.get_full_name(),
            "external_auditor": self.external_auditor,
            "team": sorted(u.get_full_name() for u in self.team.all()),
            "planned_date": self.planned_date.isoformat(),
            "started_on": self.started_on.isoformat() if self.started_on else None,
            "summary": self.summary,
            "conclusion": self.conclusion,
            "findings": [f.snapshot_row() for f in findings],
        }


def independence_warnings(
    process: Process | None, lead_auditor: Any, team: list[Any] | None = None
) -> list[str]:
    """Why this audit team is not independent of the audited process (empty if it is)."""
    if process is None or process.owner_id is None:
        return []
    owner = process.owner_id
    warnings = []
    if lead_auditor is not None and lead_auditor.pk == owner:
        warnings.append(
            f"{lead_auditor.get_full_name()} owns the process “{process.name}” and would audit "
            "their own work. ISO 9001 9.2.2 asks for auditors who are objective and impartial."
        )
    for member in team or []:
        if member.pk == owner and (lead_auditor is None or member.pk != lead_auditor.pk):
            warnings.append(
                f"Team member {member.get_full_name()} owns the process “{process.name}” and "
                "would audit their own work."
            )
    return warnings


# --- findings --------------------------------------------------------------------------


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "Response in progress"
    VERIFIED = "verified", "Effectiveness verified"
    CLOSED = "closed", "Closed"


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "Five whys"
    FREE_TEXT = "free_text", "Free text"


AGE_BUCKETS = {"0-30": (0, 30), "31-60": (31, 60), "61-90": (61, 90), "90+": (91, None)}


def response_overdue_q(today: datetime.date) -> Q:
    return _overdue_q(today)


def _age_q(field: str, today: datetime.date, bucket: str) -> Q:
    """Rows whose `field` (a date) is 0–30, 31–60, 61–90 or over 90 days before today."""
    low, high = AGE_BUCKETS[bucket]
    q = Q(**{f"{field}__lte": today - datetime.timedelta(days=low)})
    if high is not None:
        q &= Q(**{f"{field}__gte": today - datetime.timedelta(days=high)})
    return q


def _overdue_q(today: datetime.date) -> Q:
    """A finding past its response date on the organisation's `today`: the one definition
    that lists, the dashboard, the evidence pack and the review pack count."""
    return ~Q(status=FindingStatus.CLOSED) & Q(response_due__lt=today)


class FindingQuerySet(OrgQuerySet, models.QuerySet["Finding"]):
    def unresolved(self) -> FindingQuerySet:
        return self.exclude(status=FindingStatus.CLOSED)

    def past_response_due(self, today: datetime.date) -> FindingQuerySet:
        """Not closed although their response due date is before `today`."""
        return self.filter(_overdue_q(today))

    def with_flags(self, today: datetime.date) -> FindingQuerySet:
        """Annotate `overdue` (as `past_response_due`) and `age`, the time from being raised
        to being closed or to `today` (a timedelta; templates show `age.days`)."""
        until = Coalesce(F("closed_on"), Value(today, output_field=models.DateField()))
        return self.annotate(
            overdue=ExpressionWrapper(_overdue_q(today), BooleanField()),
            age=ExpressionWrapper(until - F("raised_on"), DurationField()),
        )

    def aged(self, today: datetime.date, bucket: str) -> FindingQuerySet:
        """Raised 0–30, 31–60, 61–90 or over 90 days ago (bucket "0-30" … "90+")."""
        return self.filter(_age_q("raised_on", today, bucket))

    def with_clause(self, clause: str) -> FindingQuerySet:
        """At this clause or any of its subclauses ("8.5" matches 8.5 and 8.5.1)."""
        return self.filter(Q(clause=clause) | Q(clause__startswith=f"{clause}."))

    def with_action_progress(self) -> FindingQuerySet:
        """Annotate actions_total / actions_finished (done or verified), cancelled ignored."""
        live = ~Q(actions__status=ActionStatus.CANCELLED)
        finished = Q(actions__status__in=FINISHED_STATUSES)
        return self.annotate(
            actions_total=Count("actions", filter=live),
            actions_finished=Count("actions", filter=finished),
        )

    def with_actions(self) -> FindingQuerySet:
        """Prefetch each finding's actions, owners joined, as `action_list` (1 query)."""
        actions = Prefetch("actions", queryset=Action.objects.for_list(), to_attr="action_list")
        return self.prefetch_related(actions)

    def for_register(self) -> FindingQuerySet:
        """Register rows: audit, process joined and action progress counted, in one query."""
        return self.select_related("audit", "process").with_action_progress()

    # Dashboard reads: one query each.

    def by_type_and_status(self) -> dict[str, dict[str, int]]:
        """{type: {status: count}} with every type and status present (zeros included)."""
        table = {t: dict.fromkeys(FindingStatus.values, 0) for t in FindingType.values}
        for row in self.order_by().values("finding_type", "status").annotate(n=Count("pk")):
            table[row["finding_type"]][row["status"]] = row["n"]
        return table

    def average_days_to_close(self, today: datetime.date) -> dict[str, float | None]:
        """{type: mean days from raised to closed} for findings closed in the last 12 months."""
        since = today - datetime.timedelta(days=365)
        rows = (
            self.filter(status=FindingStatus.CLOSED, closed_on__gt=since, closed_on__lte=today)
            .order_by()
            .values("finding_type")
            .annotate(mean=Avg(F("closed_on") - F("raised_on")))
        )
        result: dict[str, float | None] = dict.fromkeys(FindingType.values)
        for row in rows:
            mean = row["mean"]
            result[row["finding_type"]] = round(mean.total_seconds() / 86400, 1)
        return result

    def outstanding_action_summary(
        self, organisation: Organisation, owner_id: int | None = None
    ) -> dict[str, Any]:
        """Outstanding actions of these findings (of one owner, when given): count, overdue and
        age buckets (1 query).

        Age counts from the day the action was created, in the organisation's time zone.
        """
        today = organisation.today()
        actions = Action.objects.for_source_model(Finding).filter(
            organisation=organisation, source_id__in=self.values("pk")
        )
        if owner_id is not None:
            actions = actions.filter(owner_id=owner_id)
        aggregates: dict[str, Any] = {
            "count": Count("pk"),
            "overdue": Count("pk", filter=overdue_q(today)),
        }
        for bucket in AGE_BUCKETS:
            aggregates[bucket] = Count("pk", filter=_age_q("created_on", today, bucket))
        created_on = TruncDate("created_at", tzinfo=organisation.tzinfo)
        data = actions.outstanding().annotate(created_on=created_on).aggregate(**aggregates)
        return {
            "count": data["count"],
            "overdue": data["overdue"],
            "age_buckets": {bucket: data[bucket] for bucket in AGE_BUCKETS},
        }


class Finding(ActionSource, Approvable):
    # Annotated by FindingQuerySet.with_flags(today) (not fields).
    overdue: bool
    age: datetime.timedelta
    # Prefetched by FindingQuerySet.with_actions().
    action_list: list[Action]
    # The risk register's links to this finding (risks.Risk.findings, declared on that side).
    if TYPE_CHECKING:
        from django.db.models.fields.related_descriptors import ManyRelatedManager

        risks: ManyRelatedManager[Any, Any]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="findings"
    )
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveSmallIntegerField(editable=False)
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    finding_type = models.CharField("type", max_length=16, choices=FindingType.choices)
    clause = models.CharField(
        max_length=12,
        validators=[validate_clause],
        help_text="The ISO 9001:2015 clause, e.g. 8.5.1.",
    )
    process = models.ForeignKey(
        Process, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    description = models.TextField(help_text="The requirement and how it was not met.")
    evidence = models.TextField(
        "objective evidence", help_text="What was seen, read or heard: records, samples, people."
    )
    raised_on = models.DateField("date raised")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_raised"
    )
    response_due = models.DateField("response due")
    status = models.CharField(
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )

    # 10.2.1 a) react: control and correct it
    containment = models.TextField("containment and correction", blank=True)
    containment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    containment_at = models.DateTimeField(null=True, blank=True)
    # 10.2.1 b) evaluate the need for action: causes, and similar nonconformities
    root_cause_method = models.CharField(max_length=16, choices=RootCauseMethod.choices, blank=True)
    root_cause_whys = models.JSONField("five whys", default=list, blank=True)
    root_cause = models.TextField(blank=True)
    similar_elsewhere = models.TextField(
        "similar nonconformities", blank=True, help_text="Do similar ones exist or could occur?"
    )
    root_cause_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    root_cause_at = models.DateTimeField(null=True, blank=True)
    # 10.2.1 c)–d): corrective actions are isova.Action rows (see `actions`)
    effectiveness_check_after = models.DateField(
        "check effectiveness on or after", null=True, blank=True
    )
    # 10.2.1 e): update risks and opportunities determined during planning
    risk_changes = models.BooleanField("changes our risks", null=True, blank=True)
    risk_note = models.TextField(blank=True)
    risk_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_decided_at = models.DateTimeField(null=True, blank=True)
    # 10.2.1 d): review the effectiveness of any corrective action taken
    effective = models.BooleanField(null=True, blank=True)
    effectiveness_note = models.TextField(blank=True)
    effectiveness_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effectiveness_at = models.DateTimeField(null=True, blank=True)

    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = FindingQuerySet.as_manager()

    # The records mechanism (isova.records) signs the effectiveness check, meaning "verified".
    APPROVAL_NAME = "finding effectiveness check"
    SIGN_ONLY = True  # verified with records.sign, never submitted for approval
    MATERIAL_FIELDS = (
        "finding_type",
        "clause",
        "description",
        "evidence",
        "containment",
        "root_cause",
        "risk_changes",
        "risk_note",
        "effective",
        "effectiveness_note",
    )

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "audit", "number"], name="one_finding_number_per_audit"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "response_due"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_finding_type_display()}"

    def get_absolute_url(self) -> str:
        return reverse("audits:finding_detail", args=[self.pk])

    @classmethod
    def action_source_choices(cls, organisation: Organisation) -> FindingQuerySet:
        """Findings still being worked on, with their audit (for the reference): one query."""
        return (
            cls.objects.filter(organisation=organisation)
            .exclude(status=FindingStatus.CLOSED)
            .select_related("audit")
        )

    @property
    def reference(self) -> str:
        return f"{self.audit.reference}/{self.number}"

    @property
    def is_nonconformity(self) -> bool:
        return self.finding_type in NONCONFORMITIES

    @property
    def is_closed(self) -> bool:
        return self.status == FindingStatus.CLOSED

    @property
    def clause_label(self) -> str:
        return clause_label(self.clause)

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_closed and self.response_due < today

    def snapshot_row(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "type": self.finding_type,
            "clause": self.clause,
            "process": self.process.name if self.process else "",
            "description": self.description,
            "evidence": self.evidence,
            "raised_on": self.raised_on.isoformat(),
            "raised_by": self.raised_by.get_full_name(),
            "response_due": self.response_due.isoformat(),
        }

    def approval_snapshot(self) -> dict[str, Any]:
        """The finding as verified: its 10.2 record and every corrective action."""
        actions = self.actions.select_related("owner").order_by("pk")
        return self.snapshot_row() | {
            "audit": self.audit.reference,
            "status": self.status,
            "containment": self.containment,
            "root_cause_method": self.root_cause_method,
            "root_cause_whys": list(self.root_cause_whys or []),
            "root_cause": self.root_cause,
            "similar_elsewhere": self.similar_elsewhere,
            "risk_changes": self.risk_changes,
            "risk_note": self.risk_note,
            "effective": self.effective,
            "effectiveness_note": self.effectiveness_note,
            "actions": [
                {
                    "id": a.pk,
                    "title": a.title,
                    "owner": a.owner.get_full_name(),
                    "status": a.status,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "completion_note": a.completion_note,
                }
                for a in actions
            ],
        }
