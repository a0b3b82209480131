"""A plan's resources as its pages show them, and the address where they are managed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from .models import Allocation, ResourceLine, ResourcePlan


def plan_url(plan: ResourcePlan) -> str:
    type_id = ContentType.objects.get_for_model(plan).pk
    return reverse("resources:plan", args=[type_id, plan.pk])


def plan_resources(plan: ResourcePlan) -> dict[str, Any]:
    """A plan's people and lines with their totals (2 queries)."""
    people = list(
        Allocation.objects.for_plan(plan).select_related("person").order_by("start_month", "pk")
    )
    lines = list(ResourceLine.objects.for_plan(plan).order_by("kind", "pk"))
    zero = Decimal(0)
    return {
        "people": people,
        "lines": lines,
        "hours_total": sum((a.hours for a in people), start=zero),
        "approved_total": sum((line.amount_approved for line in lines), start=zero),
        "spent_total": sum((line.amount_spent for line in lines), start=zero),
    }
