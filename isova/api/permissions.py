"""Who may manage what the API adds (tokens of the organisation, webhook endpoints)."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.registry import registry

L = Role.LEADER

API_PERMISSIONS: dict[str, frozenset[str]] = {
    # Service tokens act for the organisation's systems, webhooks send its data out: leaders.
    "isova.service_token.manage": frozenset({L}),
    "isova.webhook.manage": frozenset({L}),
}

registry.register("permissions", API_PERMISSIONS, name="api")
