"""The checklist step reviews contribute: plan the first management review."""

from __future__ import annotations

from django.urls import reverse

from isova.onboarding.hooks import ChecklistItem, register_checklist_item

from .models import Review

register_checklist_item(
    ChecklistItem(
        "review",
        "Plan your first management review",
        50,
        lambda organisation: Review.objects.filter(organisation=organisation),
        lambda: reverse("reviews:new"),
    )
)
