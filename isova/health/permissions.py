"""Who may change the leadership-health thresholds."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.registry import registry

registry.register(
    "permissions", {"isova.health.edit": frozenset({Role.LEADER})}, name="isova.health"
)
