"""Lessons learned in and out: a lessons log from any tool, and the register as CSV/XLSX."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils import timezone

from isova.accounts.models import Organisation
from isova.imports.kinds import Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.registry import registry

from .forms import LessonFilterForm
from .models import Lesson, LessonStatus, LessonTag, SourceKind

FIELDS = (
    Field(
        "source_label",
        "About",
        "text",
        True,
        ("project", "subject", "title", "lesson", "what", "event", "topic", "where from"),
        max_length=300,
    ),
    Field(
        "what_worked",
        "What worked",
        "text",
        False,
        ("went well", "what went well", "successes", "good", "positives", "keep doing"),
    ),
    Field(
        "what_did_not",
        "What didn't work",
        "text",
        False,
        (
            "what didn't",
            "what did not work",
            "went wrong",
            "what went wrong",
            "even better if",
            "problems",
            "issues",
            "negatives",
            "to improve",
        ),
    ),
    Field("owner", "Owner", "person", False, ("by", "author", "raised by", "who")),
    Field("prompted_on", "Date", "date", False, ("when", "date raised", "closed on")),
    Field("tags", "Processes", "text", False, ("process", "tags", "area", "department")),
)
UPDATE_FIELDS = ("source_label", "what_worked", "what_did_not", "owner", "prompted_on")
# The tags of imported rows, until `after_create` saves them (a build saves nothing).
_TAGS = "_imported_tags"


def build(ctx: Context, lesson: Lesson | None, values: dict[str, Any]) -> tuple[Lesson, list[str]]:
    if lesson is None:
        lesson = Lesson(
            organisation=ctx.organisation,
            owner=ctx.membership.user,
            source_kind=SourceKind.RECORDED,
            status=LessonStatus.CAPTURED,
            prompted_on=ctx.today,
            captured_at=timezone.now(),
            captured_by=ctx.membership.user,
        )
    tags = values.pop("tags", None)
    for name, value in values.items():
        if value is not None:
            setattr(lesson, name, value)
    if not (lesson.what_worked or "").strip() and not (lesson.what_did_not or "").strip():
        raise RowProblem("what_worked", "Give what worked, what didn't, or both.")
    if tags:
        setattr(lesson, _TAGS, [t.strip()[:120] for t in str(tags).split(",") if t.strip()])
    return lesson, []


def save_tags(ctx: Context, created: list[Lesson]) -> None:
    rows = {
        (lesson.pk, name.lower()): LessonTag(lesson=lesson, name=name)
        for lesson in created
        for name in getattr(lesson, _TAGS, [])
    }
    LessonTag.objects.bulk_create(list(rows.values()))


KIND = ImportKind(
    name="lessons",
    label="Lessons learned",
    order=70,
    permission="isova.lesson.import",
    fields=FIELDS,
    model=Lesson,
    build=build,
    notes_field="what_worked",
    update_fields=UPDATE_FIELDS,
    after_create=save_tags,
    derived=("Status", "Where from", "Skipped because", "Improvement"),
    list_url="lessons:list",
    description="A lessons-learned log: one row per lesson (what worked, what didn't).",
)


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    """Filtered as the lessons list (its search, tag, kind and status)."""
    lessons = Lesson.objects.for_org(organisation).for_list().order_by("prompted_on", "pk")
    lessons = LessonFilterForm(params).filter(lessons)
    return [
        Sheet(
            "Lessons learned",
            [
                "Reference", *[f.label for f in FIELDS],
                "Status", "Where from", "Skipped because", "Improvement",
            ],
            [
                [
                    x.external_ref or f"L-{x.pk}",
                    x.source_label,
                    x.what_worked,
                    x.what_did_not,
                    x.owner.email,
                    x.prompted_on,
                    ", ".join(x.tag_names),
                    x.get_status_display(),
                    x.get_source_kind_display(),
                    x.skip_reason,
                    x.action.title if x.action else x.improvement_label,
                ]
                for x in lessons
            ],
        )
    ]  # fmt: skip


registry.register("imports", KIND)
registry.register(
    "exports", ExportKind("lessons", "Lessons learned", 70, "isova.lesson.view", sheets)
)
