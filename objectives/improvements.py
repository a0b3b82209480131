"""A lesson learned can change an objective: "review this objective", its review form
prefilled with the lesson (isova.lessons.hooks)."""

from __future__ import annotations

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.lessons.hooks import ImprovementTarget
from isova.registry import registry

from .models import CLOSED_STATUSES, Objective


def open_objectives(organisation: Organisation) -> list[tuple[int, str]]:
    """The objectives a review may still change (not closed), by title (1 query)."""
    rows = (
        Objective.objects.for_org(organisation)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("title", "pk")
        .values_list("pk", "title")
    )
    return list(rows)


registry.register(
    "improvements",
    ImprovementTarget(
        name="objective",
        title="Change an objective",
        button="Review this objective",
        choice_label="Objective to review",
        order=20,
        permission="objectives.objective.review",
        choices=open_objectives,
        url=lambda pk: reverse("objectives:review", args=[pk]),
        model="objectives.objective",
    ),
)
