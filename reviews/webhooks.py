"""The reviews app's webhook events."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from isova.api.registry import register_event
from isova.api.webhooks import emit, watch

from .models import Review, ReviewStatus

register_event("review.held", "A management review meeting was held (its inputs frozen).")


def _review_saved(review: Review, created: bool, before: dict[str, Any]) -> None:
    if before.get("status") != ReviewStatus.HELD and review.status == ReviewStatus.HELD:
        emit(
            review.organisation,
            "review.held",
            {
                "id": review.pk,
                "title": review.title,
                "meeting_date": review.meeting_date,
                "url": settings.SITE_URL + review.get_absolute_url(),
            },
        )


watch(Review, ("status",), _review_saved)
