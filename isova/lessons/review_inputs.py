"""The management review's input "Lessons learned and improvements since the last review"
(ISO 9001 9.3.2 f and 10.3), in the reviews app's generic section shape (figures, table;
its template is named by path: the core imports no app)."""

from __future__ import annotations

import datetime

from isova.accounts.models import Organisation
from isova.registry import ReviewInput, registry

from .models import Lesson, LessonStatus

SECTION_TEMPLATE = "reviews/inputs/_section.html"


def _day(value: datetime.date) -> str:
    return value.isoformat()


def _outcome(lesson: Lesson) -> str:
    if lesson.status == LessonStatus.SKIPPED:
        return f"Skipped: {lesson.skip_reason}"
    return lesson.get_status_display()


def lessons_since(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """f) Lessons asked for or recorded in the period, what they say and what became of them
    (2 queries: the lessons with their actions, their tags)."""
    lessons = list(
        Lesson.objects.for_org(org)
        .closed_between(since, until)
        .for_list()
        .order_by("prompted_on", "pk")
    )
    if not lessons:
        return {}
    captured = [lesson for lesson in lessons if lesson.status == LessonStatus.CAPTURED]
    return {
        "figures": [
            ["Lessons asked for or recorded", len(lessons)],
            ["Captured", len(captured)],
            ["Skipped (with a reason)", sum(x.status == LessonStatus.SKIPPED for x in lessons)],
            ["Still to capture", sum(x.status == LessonStatus.PROMPTED for x in lessons)],
            ["Turned into improvements", sum(x.is_improved for x in captured)],
        ],
        "table": {
            "columns": [
                "Date", "Where from", "What worked", "What didn't", "Processes", "Status",
                "Improvement",
            ],
            "rows": [
                [
                    _day(x.prompted_on),
                    x.source_label,
                    x.what_worked,
                    x.what_did_not,
                    ", ".join(x.tag_names),
                    _outcome(x),
                    f"{x.action.title} ({x.action.get_status_display().lower()})"
                    if x.action
                    else (
                        f"{x.get_improvement_kind_display()}: {x.improvement_label}"
                        if x.improvement_kind
                        else ""
                    ),
                ]
                for x in lessons
            ],
        },
    }  # fmt: skip


registry.register(
    "review_inputs",
    ReviewInput(
        "lessons_learned",
        "f",
        "Lessons learned and improvements since the last review",
        61,
        SECTION_TEMPLATE,
        lessons_since,
    ),
)
