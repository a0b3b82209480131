"""The risks app's webhook events."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from isova.api.registry import register_event
from isova.api.webhooks import emit, watch

from .models import Risk

register_event("risk.band_moved", "A risk's current (residual) score moved to another band.")


def _risk_saved(risk: Risk, created: bool, before: dict[str, Any]) -> None:
    was = before.get("residual_band")
    if not created and was and was != risk.residual_band:
        emit(
            risk.organisation,
            "risk.band_moved",
            {
                "id": risk.pk,
                "reference": risk.reference,
                "title": risk.title,
                "from_band": was,
                "to_band": risk.residual_band,
                "score": risk.residual_score,
                "url": settings.SITE_URL + risk.get_absolute_url(),
            },
        )


watch(Risk, ("residual_band",), _risk_saved)
