"""What the reviews app holds as evidence of leadership (ISO 9001 5.1.1 a, c, e, f, g, i;
5.1.2 a, c)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.urls import reverse

from isova.models import Organisation
from isova.registry import Evidence, EvidenceSource, Gap, registry

from . import policy
from .models import Feedback, FeedbackKind, OutputKind, Review, ReviewOutput

NUMBERS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four"}


def _word(n: int) -> str:
    return NUMBERS.get(n, str(n))


def build(org: Organisation, start: datetime.date, end: datetime.date) -> Iterator[Evidence | Gap]:
    """The reviews app's evidence: meetings, their outputs, the policy, leaders, customers."""
    reviews_url = reverse("reviews:index")
    yield from _meetings(org, start, end, reviews_url)
    yield from _resources_and_improvement(org, start, end, reviews_url)
    yield from _policy_reach(org)
    yield from _participation(org, reviews_url)
    yield from _customers(org, start, end)


def _meetings(
    org: Organisation, start: datetime.date, end: datetime.date, reviews_url: str
) -> Iterator[Evidence | Gap]:
    """5.1.1 c, g: management reviews held in the period and their minutes signed (1 query)."""
    held = Review.objects.for_org(org).held().filter(meeting_date__range=(start, end))
    summary = held.aggregate(
        n=Count("pk"), last=Max("meeting_date"), signed=Count("pk", filter=Q(status="closed"))
    )
    if summary["n"]:
        yield Evidence(
            "5.1.1 c",
            "Management reviews held, inputs from every process",
            summary["n"],
            summary["last"],
            url=reviews_url,
        )
        yield Evidence(
            "5.1.1 g",
            "Minutes signed by the chair",
            summary["signed"],
            summary["last"],
            url=reviews_url,
        )
    else:
        yield Gap("5.1.1 g", "No management review was held in the period.", 3, reviews_url)


def _resources_and_improvement(
    org: Organisation, start: datetime.date, end: datetime.date, reviews_url: str
) -> Iterator[Evidence | Gap]:
    """5.1.1 e, i: resources and improvements decided at reviews, suggestions taken up.

    2 queries: the outputs by kind, the staff suggestions received and used.
    """
    outputs = ReviewOutput.objects.for_org(org).filter(review__meeting_date__range=(start, end))
    kinds = dict(outputs.values_list("kind").annotate(n=Count("pk")).order_by())
    if kinds.get(OutputKind.RESOURCES):
        yield Evidence(
            "5.1.1 e",
            "Resource needs decided at management reviews",
            kinds[OutputKind.RESOURCES],
            url=reviews_url,
        )
    improvements = kinds.get(OutputKind.IMPROVEMENT, 0)
    taken = (
        _feedback(org, start, end)
        .filter(kind=FeedbackKind.SUGGESTION)
        .aggregate(
            n=Count("pk"),
            used=Count("pk", filter=Q(action__isnull=False) | Q(objective__isnull=False)),
        )
    )
    if improvements or taken["used"]:
        yield Evidence(
            "5.1.1 i",
            f"Improvements decided at reviews ({improvements}) and staff "
            f"suggestions taken up ({taken['used']} of {taken['n']})",
            improvements + taken["used"],
            url=reverse("reviews:feedback_list"),
        )
    else:
        yield Gap(
            "5.1.1 i",
            "No improvement was decided or taken up from suggestions.",
            2,
            reverse("reviews:feedback_list"),
        )


def _feedback(org: Organisation, start: datetime.date, end: datetime.date) -> QuerySet[Feedback]:
    """The feedback received in the period (not evaluated here)."""
    return Feedback.objects.for_org(org).filter(received_on__range=(start, end))


def _policy_reach(org: Organisation) -> Iterator[Evidence | Gap]:
    """5.1.1 f: how many members acknowledged the approved quality policy (policy.reach)."""
    reach = policy.reach(org, counts_only=True)
    if reach["share"] is not None:
        text = (
            f"Quality policy v{reach['version'].number} acknowledged by "
            f"{reach['acknowledged']} of {reach['members']} members"
        )
        yield Evidence("5.1.1 f", text, reach["acknowledged"], url=reverse("reviews:policy"))
        if reach["share"] < 80:
            yield Gap(
                "5.1.1 f",
                f"Only {reach['share']}% of members acknowledged the policy.",
                2,
                reverse("reviews:policy"),
            )


def _customer_figures(
    org: Organisation, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Complaints (and those answered on time), surveys, their score, compliments (1 query)."""
    complaint = Q(kind=FeedbackKind.COMPLAINT)
    return _feedback(org, start, end).aggregate(
        complaints=Count("pk", filter=complaint),
        on_time=Count(
            "pk",
            filter=complaint
            & (
                Q(responded_at__date__lte=F("response_due"))
                | Q(responded_at__isnull=False, response_due__isnull=True)
            ),
        ),
        surveys=Count("pk", filter=Q(kind=FeedbackKind.SURVEY)),
        score=Avg("score", filter=Q(kind=FeedbackKind.SURVEY)),
        compliments=Count("pk", filter=Q(kind=FeedbackKind.COMPLIMENT)),
        last=Max("received_on", filter=~Q(kind=FeedbackKind.SUGGESTION)),
    )


def _customers(
    org: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[Evidence | Gap]:
    """5.1.2 c, a: customer feedback recorded, complaints answered within their due date."""
    customers = _customer_figures(org, start, end)
    heard = customers["complaints"] + customers["surveys"] + customers["compliments"]
    if heard:
        score = (
            f", average score {customers['score']:.1f} of 10"
            if customers["score"] is not None
            else ""
        )
        yield Evidence(
            "5.1.2 c",
            f"Customer feedback recorded: {customers['surveys']} survey results{score}, "
            f"{customers['compliments']} compliments, {customers['complaints']} complaints.",
            heard,
            customers["last"],
            url=reverse("reviews:feedback_list"),
        )
    if customers["complaints"]:
        yield Evidence(
            "5.1.2 a",
            f"Customer complaints answered within their due date: "
            f"{customers['on_time']} of {customers['complaints']}",
            customers["on_time"],
            url=reverse("reviews:feedback_list"),
        )
        if customers["on_time"] < customers["complaints"]:
            late = customers["complaints"] - customers["on_time"]
            yield Gap(
                "5.1.2 a",
                f"{late} customer complaint{'s' if late > 1 else ''} not answered "
                "within the due date.",
                2,
                reverse("reviews:feedback_list"),
            )


def _participation(org: Organisation, url: str) -> Iterator[Evidence | Gap]:
    """Each leader's participation in the last four reviews (5.1.1 a: accountability)."""
    for row in Review.objects.leader_attendance(org):
        if not row["of"]:
            return
        name = row["user"].get_full_name()
        yield Evidence(
            "5.1.1 a",
            f"{name} took part in {row['present']} of the last {row['of']} management reviews",
            row["present"],
            people=(name,),
            url=url,
        )
        missed = row["of"] - row["present"]
        if missed >= 2 or missed * 2 > row["of"]:
            yield Gap(
                "5.1.1 a",
                f"{_word(missed).capitalize()} of {_word(row['of'])} reviews held without {name}.",
                2,
                url,
            )


registry.register("evidence", EvidenceSource("reviews", build))
