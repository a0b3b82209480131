"""What the apps' alert sources share (see `isova.registry.Alert` and the "alerts" hook)."""

from __future__ import annotations

from typing import Any

from isova.accounts.models import User
from isova.registry import Alert


def alert_about(
    record: Any,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    *,
    key: str = "",
    window: str = "",
) -> Alert:
    """An alert about `record` that links to its page. Its key is the record's model and id
    ("finding:42"), then `key` to tell apart alerts about one record ("finding:42:forecast")."""
    return Alert(
        recipient=recipient,
        kind=kind,
        key=f"{record._meta.model_name}:{record.pk}{key}",
        subject=subject,
        body=body,
        url=record.get_absolute_url(),
        window=window,
    )
