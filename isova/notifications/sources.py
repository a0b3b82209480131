"""What the apps' alert sources share (see `isova.registry.Alert` and the "alerts" hook)."""

from __future__ import annotations

from typing import Any

from isova.accounts.models import Membership, Organisation, User
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


def active_people(organisation: Organisation, role: str) -> list[User]:
    """The organisation's people of `role` who can sign in, by id (one query)."""
    return [
        m.user
        for m in Membership.objects.for_org(organisation)
        .filter(role=role, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]
