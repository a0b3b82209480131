"""The reviews app's own sections of the inputs pack (ISO 9001 9.3.2 a, b, c1, f).

Every section's `build(organisation, since, until)` returns the same JSON shape, which
`templates/reviews/inputs/_section.html` renders (and which is frozen into the review when
the meeting is held):

    {"figures": [[label, value], …],                   # headline numbers
     "bars": {"title": str, "items": [[label, n], …]}, # a small bar chart (HTML, prints)
     "table": {"columns": [...], "rows": [[...], …]}}  # the detail

An empty dict means the section has no data for the period.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Avg, Count, F, Q

from isova.models import OUTSTANDING_STATUSES, Organisation
from isova.registry import ReviewInput, registry

from .models import (
    ContextIssue,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    ReviewOutput,
    ReviewStatus,
)

SECTION_TEMPLATE = "reviews/inputs/_section.html"
CUSTOMER_KINDS = (FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT, FeedbackKind.SURVEY)


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def previous_actions(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """a) Outputs of earlier reviews: still open, or finished since the last review (1 query)."""
    outputs = (
        ReviewOutput.objects.for_org(org)
        .filter(review__meeting_date__lt=until)
        .exclude(review__status=ReviewStatus.PLANNED)
        .filter(
            Q(action__status__in=OUTSTANDING_STATUSES)
            | Q(action__completed_at__date__gte=since)
            | Q(action__isnull=True, review__meeting_date__gte=since)
        )
        .select_related("review", "action", "action__owner")
        .order_by("review__meeting_date", "pk")
    )
    # Overdue at this moment (the organisation's today), as the dashboard counts it, not at
    # the planned meeting date, which may lie weeks ahead.
    today = org.today()
    rows, open_count, overdue = [], 0, 0
    for output in outputs:
        action = output.action
        is_open = action is not None and action.status in OUTSTANDING_STATUSES
        open_count += is_open
        overdue += bool(action is not None and action.is_overdue(today))
        rows.append(
            [
                _date(output.review.meeting_date),
                output.get_kind_display(),
                output.decision,
                action.owner.get_full_name() if action else "—",
                _date(action.due_date) if action else "",
                action.get_status_display() if action else "No action",
            ]
        )
    if not rows:
        return {}
    return {
        "figures": [
            ["Outputs followed up", len(rows)],
            ["Still open", open_count],
            ["Overdue", overdue],
        ],
        "table": {
            "columns": ["Review", "Type", "Decision", "Owner", "Due", "Status"],
            "rows": rows,
        },
    }


def context_issues(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """b) The register of context issues and interested parties, changes marked (1 query)."""
    issues = list(ContextIssue.objects.for_org(org).filter(active=True))
    if not issues:
        return {}
    changed = [i for i in issues if i.updated_at.date() >= since]
    kinds = Counter(i.get_kind_display() for i in issues)
    return {
        "figures": [["Active entries", len(issues)], ["New or changed since", len(changed)]]
        + [[kind, n] for kind, n in sorted(kinds.items())],
        "table": {
            "columns": ["Kind", "Issue or party", "Needs and what it means", "Changed"],
            "rows": [
                [
                    i.get_kind_display(),
                    i.title,
                    i.description,
                    "yes" if i.updated_at.date() >= since else "",
                ]
                for i in issues
            ],
        },
    }


def customer_feedback(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """c1) Customer satisfaction and feedback: counts, scores, complaints a month (2 queries)."""
    received = Feedback.objects.for_org(org).filter(
        kind__in=CUSTOMER_KINDS, received_on__gte=since, received_on__lte=until
    )
    totals = received.aggregate(
        complaints=Count("pk", filter=Q(kind=FeedbackKind.COMPLAINT)),
        compliments=Count("pk", filter=Q(kind=FeedbackKind.COMPLIMENT)),
        surveys=Count("pk", filter=Q(kind=FeedbackKind.SURVEY)),
        score=Avg("score", filter=Q(kind=FeedbackKind.SURVEY)),
        open=Count("pk", filter=Q(status=FeedbackStatus.OPEN)),
        late=Count(
            "pk",
            filter=Q(kind=FeedbackKind.COMPLAINT)
            & (
                Q(status=FeedbackStatus.OPEN, response_due__lt=until)
                | Q(responded_at__date__gt=F("response_due"))
            ),
        ),
    )
    if not (totals["complaints"] or totals["compliments"] or totals["surveys"]):
        return {}
    per_month: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for kind, day, category in received.values_list("kind", "received_on", "category"):
        if kind == FeedbackKind.COMPLAINT:
            per_month[day.strftime("%Y-%m")] += 1
            categories[category or "uncategorised"] += 1
    score = totals["score"]
    return {
        "figures": [
            ["Complaints", totals["complaints"]],
            ["Compliments", totals["compliments"]],
            ["Survey results", totals["surveys"]],
            ["Average survey score (0–10)", f"{score:.1f}" if score is not None else "—"],
            ["Still open", totals["open"]],
            ["Complaints answered late or overdue", totals["late"]],
        ],
        "bars": {"title": "Complaints per month", "items": sorted(per_month.items())},
        "table": {
            "columns": ["Complaint category", "Count"],
            "rows": [[c, n] for c, n in categories.most_common()],
        },
    }


def improvement_opportunities(
    org: Organisation, since: datetime.date, until: datetime.date
) -> dict:
    """f) Staff suggestions raised in the period and what became of them (1 query)."""
    suggestions = list(
        Feedback.objects.for_org(org)
        .filter(kind=FeedbackKind.SUGGESTION, received_on__gte=since, received_on__lte=until)
        .select_related("action", "objective")
        .order_by("received_on", "pk")
    )
    if not suggestions:
        return {}
    taken_up = [s for s in suggestions if s.action_id or s.objective_id]
    return {
        "figures": [
            ["Suggestions", len(suggestions)],
            ["Taken up (action or objective)", len(taken_up)],
            ["Still open", sum(s.status == FeedbackStatus.OPEN for s in suggestions)],
        ],
        "table": {
            "columns": ["Date", "Suggestion", "Status", "Became"],
            "rows": [
                [
                    _date(s.received_on),
                    s.title,
                    s.get_status_display(),
                    (f"Action: {s.action}" if s.action else "")
                    + (f"Objective: {s.objective}" if s.objective else ""),
                ]
                for s in suggestions
            ],
        },
    }


for section in (
    ReviewInput("reviews_actions", "a", "Status of actions from previous reviews", 10,
                SECTION_TEMPLATE, previous_actions),
    ReviewInput("reviews_context", "b", "Changes in external and internal issues", 20,
                SECTION_TEMPLATE, context_issues),
    ReviewInput("reviews_feedback", "c1", "Customer satisfaction and feedback", 31,
                SECTION_TEMPLATE, customer_feedback),
    ReviewInput("reviews_improvement", "f", "Opportunities for improvement", 60,
                SECTION_TEMPLATE, improvement_opportunities),
):  # fmt: skip
    registry.register("review_inputs", section)
