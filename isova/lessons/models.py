"""Lessons learned (ISO 9001 10.3): what worked and what didn't, asked for when something closes.

A lesson is *prompted* when an objective closes, a finding's corrective action is checked for
effectiveness, an audit closes or a management review is held (the apps call
`isova.lessons.services.prompt` in the transaction that closes it), once per closed thing.
Its owner then *captures* it (what worked, what didn't, process tags) or *skips* it with a
reason that stays visible; a captured lesson can become an improvement: an `isova.Action`
whose source is the lesson, or a change the apps offer through the `improvements` hook (an
objective reviewed, a risk reassessed; `isova.lessons.hooks.ImprovementTarget`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from isova.accounts.models import Organisation, OrgChild, OrgQuerySet
from isova.actions.models import Action, ActionSource


class LessonStatus(models.TextChoices):
    PROMPTED = "prompted", "To capture"
    CAPTURED = "captured", "Captured"
    SKIPPED = "skipped", "Skipped"


class ImprovementKind(models.TextChoices):
    """What a captured lesson became: an action, a change of an objective, a risk update."""

    ACTION = "action", "Action"
    OBJECTIVE = "objective", "Objective change"
    RISK = "risk", "Risk update"


class SourceKind(models.TextChoices):
    """The closing event a lesson was asked for at (or "recorded" by hand / imported)."""

    OBJECTIVE = "objective", "Objective closed"
    FINDING = "finding", "Corrective action checked"
    AUDIT = "audit", "Audit closed"
    REVIEW = "review", "Management review held"
    RECORDED = "recorded", "Recorded by hand"


class LessonQuerySet(OrgQuerySet, models.QuerySet["Lesson"]):
    def for_list(self) -> LessonQuerySet:
        """What a list row shows (owner, the improvement action) and its tags, in two queries."""
        return self.select_related("owner", "action").prefetch_related("tags")

    def to_capture(self) -> LessonQuerySet:
        return self.filter(status=LessonStatus.PROMPTED)

    def search(self, text: str) -> LessonQuerySet:
        """Lessons whose words (what worked, what didn't, where from, tags) contain each word."""
        found = self
        for word in text.split()[:6]:
            found = found.filter(
                Q(what_worked__icontains=word)
                | Q(what_did_not__icontains=word)
                | Q(source_label__icontains=word)
                | Q(Exists(LessonTag.objects.filter(lesson=OuterRef("pk"), name__icontains=word)))
            )
        return found

    def tagged(self, tag: str) -> LessonQuerySet:
        return self.filter(
            Exists(LessonTag.objects.filter(lesson=OuterRef("pk"), name__iexact=tag))
        )

    def closed_between(self, since: datetime.date, until: datetime.date) -> LessonQuerySet:
        """Lessons asked for (or recorded) from `since` to `until` inclusive."""
        return self.filter(prompted_on__gte=since, prompted_on__lte=until)

    def shares(self) -> dict[str, Any]:
        """One aggregate: closures prompted, of which captured, skipped; lessons captured
        and how many became improvements (an action, an objective change, a risk update)."""
        closures = ~Q(source_kind=SourceKind.RECORDED)
        return self.aggregate(
            closures=Count("pk", filter=closures),
            closures_captured=Count("pk", filter=closures & Q(status=LessonStatus.CAPTURED)),
            skipped=Count("pk", filter=Q(status=LessonStatus.SKIPPED)),
            captured=Count("pk", filter=Q(status=LessonStatus.CAPTURED)),
            improved=Count(
                "pk",
                filter=Q(status=LessonStatus.CAPTURED)
                & (Q(action__isnull=False) | ~Q(improvement_kind="")),
            ),
        )


class Lesson(ActionSource):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="lessons")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_lessons"
    )
    status = models.CharField(
        max_length=12, choices=LessonStatus.choices, default=LessonStatus.PROMPTED
    )
    # Where it came from: the closed record (generic: the core imports no app), and how it
    # was named and reached when it closed (shown without loading the record).
    source_kind = models.CharField(max_length=12, choices=SourceKind.choices)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField("where it came from", max_length=300)
    source_url = models.CharField(max_length=300, blank=True)
    prompted_on = models.DateField("asked on")

    what_worked = models.TextField(blank=True)
    what_did_not = models.TextField("what didn't work", blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    skip_reason = models.TextField(blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    skipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The improvement it became: the action made from it (its source is this lesson).
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Which improvement it became (any kind) and where it is: an action's page, the
    # objective or risk it changed (named and linked as when it was saved).
    improvement_kind = models.CharField(
        max_length=12, choices=ImprovementKind.choices, blank=True, default=""
    )
    improvement_label = models.CharField(max_length=300, blank=True)
    improvement_url = models.CharField(max_length=300, blank=True)
    improved_at = models.DateTimeField(null=True, blank=True)
    improved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-prompted_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "owner"], name="lesson_org_status_idx"),
            models.Index(fields=["organisation", "prompted_on"], name="lesson_org_prompted_idx"),
        ]
        constraints = [
            # Asked once per closed record, however often it closes (or closing is retried).
            models.UniqueConstraint(
                fields=["organisation", "source_type", "source_id"],
                condition=Q(source_type__isnull=False),
                name="one_lesson_per_source",
            ),
            # One lesson per improvement action (a one-to-one link, led by the organisation).
            models.UniqueConstraint(
                fields=["organisation", "action"], name="one_lesson_per_action"
            ),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="lesson_source_complete_or_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"Lesson from {self.source_label}"

    def get_absolute_url(self) -> str:
        return reverse("lessons:detail", args=[self.pk])

    @classmethod
    def action_source_choices(cls, organisation: Organisation) -> models.QuerySet[Any]:
        """A new action may carry out a captured lesson."""
        return cls.objects.for_org(organisation).filter(status=LessonStatus.CAPTURED)

    @property
    def is_improved(self) -> bool:
        return self.action_id is not None or bool(self.improvement_kind)

    @property
    def tag_names(self) -> list[str]:
        """The tags (prefetched by `for_list`)."""
        return [tag.name for tag in self.tags.all()]


class LessonTag(OrgChild):
    """A process (or any word) a lesson is about; process names are offered from the
    organisation's processes (the dashboard's "process" filter choices)."""

    ORG_PARENT = "lesson"

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "lesson", "name"], name="one_tag_name_per_lesson"
            )
        ]

    def __str__(self) -> str:
        return self.name
