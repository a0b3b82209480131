"""What the objectives app holds as leadership evidence (ISO 9001 5.1.1 b, e, f, g)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from isova.evidence.services import period_bounds
from isova.models import Organisation, SignOff
from isova.registry import Evidence, EvidenceSource, Gap, registry

from .models import Decision, Objective, Review, Status


def objectives_evidence(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[Evidence | Gap]:
    """Approvals, goals, resources, publication and reviews of objectives (4 queries)."""
    approvals = _approval_figures(organisation, start, end)
    state = _active_figures(organisation, organisation.today())
    reviews, reviewer_names = _review_figures(organisation, start, end)
    yield _approvals(organisation, approvals)
    yield from _active_objectives(state)
    yield from _reviews(state, reviews, reviewer_names)


def _approval_figures(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Leaders' approvals of objectives signed in the period: count, last, records (1 query)."""
    since, until = period_bounds(organisation, start, end)
    return SignOff.objects.filter(
        organisation=organisation,
        content_type__app_label="objectives",
        content_type__model="objective",
        meaning="approved",
        signed_at__gte=since,
        signed_at__lt=until,
    ).aggregate(n=Count("pk"), last=Max("signed_at"), records=Count("object_id", distinct=True))


def _active_figures(organisation: Organisation, today: datetime.date) -> dict[str, Any]:
    """Active objectives: with a goal, resourced, their budget, review overdue (1 query)."""
    return Objective.objects.for_org(organisation).aggregate(
        active=Count("pk", filter=Q(status=Status.ACTIVE)),
        with_goal=Count("pk", filter=Q(status=Status.ACTIVE, goal__isnull=False)),
        resourced=Count(
            "pk", filter=Q(status=Status.ACTIVE) & (~Q(resources="") | Q(budget__isnull=False))
        ),
        budget=Sum("budget", filter=Q(status=Status.ACTIVE)),
        review_overdue=Count("pk", filter=Q(status=Status.ACTIVE, next_review_date__lt=today)),
    )


def _review_figures(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> tuple[dict[str, Any], list[str]]:
    """Objective reviews held in the period, and the names of who held them (2 queries)."""
    held = Review.objects.filter(
        objective__organisation=organisation, reviewed_on__gte=start, reviewed_on__lte=end
    )
    reviews = held.aggregate(
        n=Count("pk"),
        last=Max("reviewed_on"),
        achieved=Count("pk", filter=Q(decision=Decision.ACHIEVED)),
        reviewers=Count("reviewed_by", distinct=True),
    )
    names = list(held.values_list("reviewed_by__full_name", flat=True).distinct())
    return reviews, names


def _approvals(organisation: Organisation, approvals: dict[str, Any]) -> Evidence | Gap:
    """5.1.1 b: objectives approved by leaders in the period, or the gap of none."""
    if approvals["n"]:
        return Evidence(
            "5.1.1 b",
            f"{approvals['records']} quality objectives approved by leaders "
            f"({approvals['n']} approvals).",
            count=approvals["n"],
            last_date=timezone.localtime(approvals["last"], organisation.tzinfo).date(),
            url=reverse("objectives:index"),
        )
    return Gap(
        "5.1.1 b",
        "No quality objective was approved by a leader in this period.",
        severity=2,
        url=reverse("objectives:index"),
    )


def _active_objectives(state: dict[str, Any]) -> Iterator[Evidence | Gap]:
    """5.1.1 b, f, e: active objectives tied to goals, published to members, resourced."""
    if state["active"]:
        yield Evidence(
            "5.1.1 b",
            f"{state['with_goal']} of {state['active']} active objectives serve a strategic "
            "goal of the business.",
            count=state["with_goal"],
            url=reverse("objectives:goals"),
        )
        if state["with_goal"] < state["active"]:
            missing = state["active"] - state["with_goal"]
            yield Gap(
                "5.1.1 b",
                f"{missing} active objective{'s are' if missing > 1 else ' is'} not linked to a "
                "strategic goal.",
                url=reverse("objectives:index"),
            )
        yield Evidence(
            "5.1.1 f",
            f"{state['active']} active objectives explained to every member on “Our objectives”.",
            count=state["active"],
            url=reverse("objectives:ours"),
        )
    if state["resourced"]:
        budget = f", budget {state['budget']:,.2f} in all" if state["budget"] else ""
        yield Evidence(
            "5.1.1 e",
            f"{state['resourced']} active objectives name the resources they need{budget}.",
            count=state["resourced"],
            url=reverse("objectives:index"),
        )


def _reviews(
    state: dict[str, Any], reviews: dict[str, Any], reviewer_names: list[str]
) -> Iterator[Evidence | Gap]:
    """5.1.1 g: objective reviews held, or active objectives past their review date."""
    if reviews["n"]:
        yield Evidence(
            "5.1.1 g",
            f"{reviews['n']} objective reviews held by {reviews['reviewers']} "
            f"{'person' if reviews['reviewers'] == 1 else 'people'}; "
            f"{reviews['achieved']} objectives closed as achieved.",
            count=reviews["n"],
            last_date=reviews["last"],
            people=tuple(sorted({n for n in reviewer_names if n})),
            url=reverse("objectives:reviews"),
        )
    if state["review_overdue"]:
        n = state["review_overdue"]
        yield Gap(
            "5.1.1 g",
            f"{n} active objective{'s are' if n > 1 else ' is'} past {'their' if n > 1 else 'its'} "
            "review date: not reviewed on schedule.",
            severity=3,
            url=reverse("objectives:reviews"),
        )
    elif not reviews["n"]:
        yield Gap(
            "5.1.1 g",
            "No objective was reviewed in this period.",
            severity=2,
            url=reverse("objectives:reviews"),
        )


registry.register("evidence", EvidenceSource(name="objectives", build=objectives_evidence))
