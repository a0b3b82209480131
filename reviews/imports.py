"""Feedback in (complaints, compliments, surveys, suggestions from any log) and out; management
reviews with their decisions and outputs out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import QueryDict

from isova.imports.building import fill
from isova.imports.exporting import register_sheet
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.models import Organisation
from isova.registry import registry

from .models import Feedback, FeedbackKind, FeedbackStatus, Review, ReviewOutput, Severity

KINDS = (
    Choice(
        FeedbackKind.COMPLAINT,
        "Customer complaint",
        ("complaint", "complaints", "customer complaint", "negative", "issue"),
    ),
    Choice(
        FeedbackKind.COMPLIMENT,
        "Customer compliment",
        ("compliment", "praise", "positive", "thanks", "kudos"),
    ),
    Choice(FeedbackKind.SURVEY, "Survey result", ("survey", "survey response", "nps", "csat")),
    Choice(FeedbackKind.SUGGESTION, "Staff suggestion", ("suggestion", "idea", "improvement")),
)
SEVERITIES = (
    Choice(Severity.LOW, "Low", ("minor", "l")),
    Choice(Severity.MEDIUM, "Medium", ("moderate", "med", "m")),
    Choice(Severity.HIGH, "High", ("major", "critical", "serious", "severe", "h")),
)
STATUSES = (
    Choice(FeedbackStatus.OPEN, "Open", ("new", "received", "in progress", "pending")),
    Choice(FeedbackStatus.ANSWERED, "Answered", ("responded", "replied", "response sent")),
    Choice(FeedbackStatus.CLOSED, "Closed", ("resolved", "done", "complete", "completed")),
)

FIELDS = (
    Field(
        "kind", "Kind", "choice", False, ("type", "feedback type", "category of feedback"), KINDS
    ),
    Field(
        "title",
        "Summary",
        "text",
        True,
        ("subject", "title", "feedback", "topic", "headline"),
        max_length=200,
    ),
    Field(
        "description",
        "Description",
        "text",
        False,
        ("details", "comment", "comments", "complaint details", "text", "message"),
    ),
    Field(
        "customer",
        "Customer",
        "text",
        False,
        ("client", "customer name", "from", "account"),
        max_length=200,
    ),
    Field(
        "received_on",
        "Date",
        "date",
        True,
        ("received", "date received", "received on", "logged", "date logged", "reported"),
    ),
    Field("category", "Category", "text", False, ("area", "topic area"), max_length=80),
    Field(
        "severity", "Severity", "choice", False, ("priority", "impact", "seriousness"), SEVERITIES
    ),
    Field(
        "score", "Score", "decimal", False, ("rating", "survey score", "nps score", "csat score")
    ),
    Field("owner", "Owner", "person", False, ("handled by", "assigned to", "responsible")),
    Field("response_due", "Response due", "date", False, ("due", "due date", "reply by")),
    Field("response", "Response", "text", False, ("reply", "answer", "action taken", "outcome")),
    Field("status", "Status", "choice", False, ("state", "feedback status"), STATUSES),
)


def build(ctx: Context, row: Feedback | None, values: dict[str, Any]) -> tuple[Feedback, list[str]]:
    warnings = []
    if row is None:
        row = Feedback(
            organisation=ctx.organisation,
            kind=FeedbackKind.COMPLAINT,
            submitted_by=ctx.membership.user,
        )
        if "kind" not in values:
            warnings.append("No kind: filed as a customer complaint.")
    fill(row, values)
    if row.score is not None and not 0 <= row.score <= 10:
        raise RowProblem("score", f"A score is 0 to 10; this one is {row.score}.")
    return row, warnings


KIND = ImportKind(
    name="feedback",
    label="Feedback",
    order=50,
    permission="reviews.feedback.respond",
    fields=FIELDS,
    model=Feedback,
    build=build,
    notes_field="description",
    list_url="reviews:feedback_list",
    description="Complaints, compliments, survey results and suggestions: one row each.",
)


def feedback(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    rows = Feedback.objects.for_org(organisation).select_related("owner")
    if params.get("kind"):
        rows = rows.filter(kind=params["kind"])
    if params.get("status"):
        rows = rows.filter(status=params["status"])
    return [
        register_sheet(
            "Feedback",
            FIELDS,
            rows.order_by("received_on", "pk"),
            lambda r: r.external_ref or f"FB-{r.pk}",
        )
    ]


def reviews(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    meetings = list(
        Review.objects.for_org(organisation).select_related("chair").order_by("meeting_date")
    )
    outputs = (
        ReviewOutput.objects.filter(review__in=meetings)
        .select_related("review", "action", "action__owner")
        .order_by("review__meeting_date", "pk")
    )
    return [_meetings_sheet(meetings), _outputs_sheet(outputs)]


def _meetings_sheet(meetings: list[Review]) -> Sheet:
    return Sheet(
        "Management reviews",
        [
            "Title",
            "Meeting date",
            "Start time",
            "Duration (minutes)",
            "Location",
            "Chair",
            "Status",
            "Period start",
            "Held at",
            "Closed at",
            "Agenda",
        ],
        [
            [
                r.title,
                r.meeting_date,
                r.start_time.strftime("%H:%M"),
                r.duration_minutes,
                r.location,
                r.chair.email,
                r.get_status_display(),
                r.period_start,
                r.held_at,
                r.closed_at,
                r.agenda,
            ]
            for r in meetings
        ],
    )


def _outputs_sheet(outputs: Iterable[ReviewOutput]) -> Sheet:
    return Sheet(
        "Decisions and outputs",
        [
            "Review",
            "Meeting date",
            "Kind",
            "Decision",
            "Action",
            "Action owner",
            "Due date",
            "Action status",
        ],
        [
            [
                o.review.title,
                o.review.meeting_date,
                o.get_kind_display(),
                o.decision,
                o.action.title if o.action else "",
                o.action.owner.email if o.action and o.action.owner else "",
                o.action.due_date if o.action else None,
                o.action.get_status_display() if o.action else "",
            ]
            for o in outputs
        ],
    )


registry.register("imports", KIND)
registry.register(
    "exports", ExportKind("feedback", "Feedback", 50, "reviews.feedback.view", feedback)
)
registry.register(
    "exports",
    ExportKind(
        "reviews",
        "Management reviews with decisions and outputs",
        60,
        "reviews.review.view",
        reviews,
    ),
)
