"""History rows written while an API request is handled say so ("via API")."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from simple_history.signals import pre_create_historical_record

VIA_API = "via API"
via: ContextVar[str] = ContextVar("isova_api_via", default="")


def _mark_via_api(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    reason = via.get()
    if reason:
        # A service's own reason ("edited", "withdrawn: …") stays first (100 characters).
        given = getattr(history_instance, "history_change_reason", None) or ""
        history_instance.history_change_reason = f"{given[:90]} {reason}".strip()


pre_create_historical_record.connect(_mark_via_api, dispatch_uid="isova.api.via")
