"""A lesson learned can update a risk: "reassess this risk", its review form prefilled with
the lesson (isova.lessons.hooks)."""

from __future__ import annotations

from django.urls import reverse

from isova.accounts.models import Organisation
from isova.lessons.hooks import ImprovementTarget
from isova.registry import registry

from .models import Risk


def live_risks(organisation: Organisation) -> list[tuple[int, str]]:
    """The risks and opportunities not closed, by reference (1 query)."""
    rows = Risk.objects.for_org(organisation).live().order_by("reference", "pk")
    return [
        (pk, f"{ref} {title}") for pk, ref, title in rows.values_list("pk", "reference", "title")
    ]


registry.register(
    "improvements",
    ImprovementTarget(
        name="risk",
        title="Update a risk",
        button="Reassess this risk",
        choice_label="Risk to reassess",
        order=30,
        permission="risks.risk.review",
        choices=live_risks,
        url=lambda pk: reverse("risks:review", args=[pk]),
        model="risks.risk",
    ),
)
