"""The checklist step audits contribute: plan the first internal audit."""

from __future__ import annotations

from django.urls import reverse

from isova.onboarding.hooks import ChecklistItem, register_checklist_item

from .models import Audit

register_checklist_item(
    ChecklistItem(
        "audit",
        "Plan your first internal audit",
        60,
        lambda organisation: Audit.objects.filter(organisation=organisation),
        lambda: reverse("audits:audit_create"),
    )
)
