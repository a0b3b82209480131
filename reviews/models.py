"""Management reviews (ISO 9001 9.3), the feedback register (9.1.2) and policy reach (5.2.2).

A `Review` is planned, then *held* (its inputs pack is frozen into `pack`), then *closed* when
the chair signs the minutes through `isova.records` (SIGN_ONLY: the chair's signature with
the meaning "approved minutes" is the approval; nobody else submits the minutes first).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from isova.accounts.models import OrgChild, OrgChildQuerySet, OrgQuerySet
from isova.dashboard import memo
from isova.models import ActionSource, Approvable, Membership, Organisation, QualityPolicy, Role


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held (pack frozen)"
    CLOSED = "closed", "Closed (minutes signed)"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class OutputKind(models.TextChoices):
    IMPROVEMENT = "improvement", "a) Improvement opportunity"
    QMS_CHANGE = "qms_change", "b) Change to the QMS"
    RESOURCES = "resources", "c) Resource need"


class ReviewQuerySet(OrgQuerySet, models.QuerySet["Review"]):
    def upcoming(self, today: datetime.date) -> ReviewQuerySet:
        """Planned reviews on or after `today`, soonest first."""
        return self.filter(status=ReviewStatus.PLANNED, meeting_date__gte=today).order_by(
            "meeting_date", "pk"
        )

    def overdue(self, today: datetime.date) -> ReviewQuerySet:
        """Planned reviews whose meeting date has passed without the meeting being held."""
        return self.filter(status=ReviewStatus.PLANNED, meeting_date__lt=today)

    def held(self) -> ReviewQuerySet:
        """Reviews whose meeting took place (held or closed), latest first."""
        return self.exclude(status=ReviewStatus.PLANNED).order_by("-meeting_date", "-pk")

    def leader_attendance(self, org: Organisation, last: int = 4) -> list[dict[str, Any]]:
        """Each leader's attendance at the last `last` reviews held (3 queries: the reviews,
        the leaders, the attendance rows). Marks are per review, latest first."""
        return memo.once(
            ("reviews.leader_attendance", org.pk, last), lambda: self._attendance(org, last)
        )

    def _attendance(self, org: Organisation, last: int) -> list[dict[str, Any]]:
        reviews = list(self.for_org(org).held().values_list("pk", "meeting_date")[:last])
        ids = [pk for pk, _ in reviews]
        leaders = Membership.objects.filter(organisation=org, role=Role.LEADER).select_related(
            "user"
        )
        marks = {
            (review_id, user_id): status
            for review_id, user_id, status in Attendance.objects.filter(
                review_id__in=ids
            ).values_list("review_id", "user_id", "status")
        }
        result = []
        for leader in sorted(leaders, key=lambda m: m.user.get_full_name()):
            row = [marks.get((pk, leader.user_id), "not invited") for pk in ids]
            result.append(
                {
                    "user": leader.user,
                    "marks": list(zip([d for _, d in reviews], row, strict=True)),
                    "present": row.count(AttendanceStatus.PRESENT),
                    "of": len(ids),
                }
            )
        return result

    def for_list(self) -> ReviewQuerySet:
        """Chair and counts of attendance and outputs, in one query. The frozen pack (tens
        to hundreds of kilobytes of JSON a review) is left in the database: lists never
        show it."""
        return (
            self.select_related("chair")
            .defer("pack")
            .annotate(
                invited_count=Count("attendances", distinct=True),
                present_count=Count(
                    "attendances",
                    filter=Q(attendances__status=AttendanceStatus.PRESENT),
                    distinct=True,
                ),
                output_count=Count("outputs", distinct=True),
            )
        )


class Review(Approvable, ActionSource):
    """One management review meeting and its record."""

    APPROVAL_NAME = "management review minutes"
    SIGN_ONLY = True  # the chair signs "approved minutes"; no separate submission
    MATERIAL_FIELDS = ("title", "meeting_date", "chair", "pack", "external_providers")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    meeting_date = models.DateField()
    start_time = models.TimeField(default=datetime.time(10, 0))
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agenda = models.TextField(blank=True)
    period_start = models.DateField(
        help_text="The pack covers data from this date to the meeting (usually the last review)."
    )
    external_providers = models.TextField(
        "external providers' performance",
        blank=True,
        help_text="9.3.2 c) 7: free text until a supplier register exists.",
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    pack = models.JSONField(null=True, blank=True, help_text="The inputs pack frozen when held.")
    held_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        indexes = [models.Index(fields=["organisation", "status", "meeting_date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date_shown:%d %b %Y})"

    @property
    def held_on(self) -> datetime.date | None:
        """The organisation's day the meeting was held (None while only planned)."""
        if self.held_at is None:
            return None
        if Review.organisation.is_cached(self):
            return self.held_at.astimezone(self.organisation.tzinfo).date()
        # Not loaded: the site's zone rather than one more query per row (a list's labels).
        return timezone.localdate(self.held_at)

    @property
    def date_shown(self) -> datetime.date:
        """The date that is true: the day it was held, else the day it is planned for."""
        return self.held_on or self.meeting_date

    @property
    def held_off_plan(self) -> bool:
        """Held on another day than planned (the pages then name both)."""
        return self.held_on is not None and self.held_on != self.meeting_date

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_planned(self) -> bool:
        return self.status == ReviewStatus.PLANNED

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED

    def approval_snapshot(self) -> dict[str, Any]:
        """The minutes: the frozen pack, attendance, discussion per input and the outputs."""
        return {
            "title": self.title,
            "meeting_date": self.meeting_date,
            "chair": {"id": self.chair_id, "name": self.chair.get_full_name()},
            "period_start": self.period_start,
            "pack": self.pack,
            "external_providers": self.external_providers,
            "attendance": [
                {"id": a.user_id, "name": a.user.get_full_name(), "status": a.status}
                for a in self.attendances.select_related("user").order_by("user_id")
            ],
            "discussion": [
                {
                    "id": n.pk,
                    "key": n.key,
                    "discussion": n.discussion,
                    "not_covered": n.not_covered,
                    "reason": n.not_covered_reason,
                }
                for n in self.notes.order_by("key")
            ],
            "outputs": [
                {
                    "id": o.pk,
                    "kind": o.kind,
                    "decision": o.decision,
                    "action": o.action_id,
                }
                for o in self.outputs.order_by("pk")
            ],
        }


class Attendance(OrgChild):
    ORG_PARENT = "review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "review", "user"], name="one_attendance_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"


class SectionNote(OrgChild):
    """The presenter's comment before the meeting and the discussion of one input section."""

    ORG_PARENT = "review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notes")
    key = models.CharField(max_length=40)
    comment = models.TextField("presenter's comment", blank=True)
    discussion = models.TextField(blank=True)
    not_covered = models.BooleanField(default=False)
    not_covered_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "review", "key"], name="one_note_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.key}"


class ReviewOutputQuerySet(OrgChildQuerySet):
    def open(self) -> ReviewOutputQuerySet:
        """Outputs whose action is still outstanding (open or in progress)."""
        return self.filter(action__status__in=("open", "in_progress"))


class ReviewOutput(OrgChild):
    """A decision of the review (9.3.3 a–c); it may have created an action."""

    ORG_PARENT = "review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=12, choices=OutputKind.choices)
    decision = models.TextField()
    action = models.ForeignKey(
        "isova.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewOutputQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager

    class Meta:
        ordering = ["pk"]
        constraints = [
            # An action carries out one output (a one-to-one link, led by the organisation).
            models.UniqueConstraint(fields=["organisation", "action"], name="one_output_per_action")
        ]

    def __str__(self) -> str:
        return self.decision[:80]


# --- context of the organisation (9.3.2 b) -------------------------------------------------


class IssueKind(models.TextChoices):
    EXTERNAL = "external", "External issue"
    INTERNAL = "internal", "Internal issue"
    PARTY = "party", "Interested party"


class ContextIssueQuerySet(OrgQuerySet, models.QuerySet["ContextIssue"]):
    pass


class ContextIssue(models.Model):
    """A short register of external and internal issues and interested parties' needs (4.1, 4.2)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=IssueKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField("what it means for us (needs and expectations)", blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContextIssueQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


# --- the feedback register (9.1.2, suggestions) --------------------------------------------


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", "Customer complaint"
    COMPLIMENT = "compliment", "Customer compliment"
    SURVEY = "survey", "Survey result"
    SUGGESTION = "suggestion", "Staff suggestion"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class FeedbackStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


AGE_BUCKETS = ("0-30", "31-60", "61-90", "90+")


class FeedbackQuerySet(OrgQuerySet, models.QuerySet["Feedback"]):
    def open(self) -> FeedbackQuerySet:
        return self.filter(status=FeedbackStatus.OPEN)

    def for_register(self) -> FeedbackQuerySet:
        """What a register row shows (people, linked action and objective), in one query."""
        return self.select_related("submitted_by", "owner", "action", "objective")

    def open_by_kind_and_age(self, today: datetime.date) -> dict[str, dict[str, int]]:
        """Open feedback counted by kind and age bucket (days since received), one query."""
        days = {
            b: today - datetime.timedelta(days=d) for b, d in (("30", 30), ("60", 60), ("90", 90))
        }
        rows = (
            self.open()
            .values("kind")
            .annotate(
                a=Count("pk", filter=Q(received_on__gte=days["30"])),
                b=Count("pk", filter=Q(received_on__lt=days["30"], received_on__gte=days["60"])),
                c=Count("pk", filter=Q(received_on__lt=days["60"], received_on__gte=days["90"])),
                d=Count("pk", filter=Q(received_on__lt=days["90"])),
            )
            .order_by("kind")
        )
        return {
            row["kind"]: dict(
                zip(AGE_BUCKETS, (row["a"], row["b"], row["c"], row["d"]), strict=True)
            )
            for row in rows
        }


class Feedback(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=FeedbackKind.choices)
    title = models.CharField("summary", max_length=200)
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    description = models.TextField(blank=True)
    customer = models.CharField(max_length=200, blank=True)
    received_on = models.DateField("date")
    category = models.CharField(max_length=80, blank=True, help_text="e.g. delivery, quality.")
    severity = models.CharField(max_length=8, choices=Severity.choices, blank=True)
    score = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="Survey score, 0–10."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_due = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    action = models.ForeignKey(
        "isova.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    objective = models.ForeignKey(
        "objectives.Objective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The objective this feedback led to change.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    # What the item says beyond its kind and title: the words, who from, when and how it is
    # classed (what is logged with it, what the API shows of it).
    DETAIL_FIELDS = ("description", "customer", "received_on", "category", "severity", "score")

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "status", "received_on"])]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:feedback_detail", args=[self.pk])

    def is_late(self, today: datetime.date) -> bool:
        return (
            self.status == FeedbackStatus.OPEN
            and self.response_due is not None
            and self.response_due < today
        )


# --- the policy reaches people (5.2.2) ------------------------------------------------------


class PolicyAcknowledgementQuerySet(OrgQuerySet, models.QuerySet["PolicyAcknowledgement"]):
    pass


class PolicyAcknowledgement(models.Model):
    """A member said "I have read this" for one approved version of the quality policy."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(QualityPolicy, on_delete=models.CASCADE, related_name="+")
    version_number = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()

    objects = PolicyAcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy", "version_number", "user"],
                name="one_ack_per_policy_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} read v{self.version_number}"
