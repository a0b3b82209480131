"""The audits app's webhook events."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from isova.api.registry import register_event
from isova.api.webhooks import emit, watch

from .models import Finding

register_event("finding.raised", "An audit finding was raised.")


def _finding_saved(finding: Finding, created: bool, before: dict[str, Any]) -> None:
    if created:
        emit(
            finding.organisation,
            "finding.raised",
            {
                "id": finding.pk,
                "reference": finding.reference,
                "audit": finding.audit_id,
                "finding_type": finding.finding_type,
                "clause": finding.clause,
                "raised_on": finding.raised_on,
                "response_due": finding.response_due,
                "url": settings.SITE_URL + finding.get_absolute_url(),
            },
        )


watch(Finding, (), _finding_saved)
