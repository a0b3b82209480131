"""Who sees the workload and allocates people, tools and budget to plans (ISO 9001 7.1)."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.registry import registry

L, M = Role.LEADER, Role.MANAGER

PERMISSIONS: dict[str, frozenset[str]] = {
    # The workload (hours per person and month against capacity) and its detail.
    "resources.workload.view": frozenset({L, M}),
    # Add, change, reassign and remove a plan's people, tools and budget lines.
    "resources.allocation.edit": frozenset({L, M}),
    # Each person's capacity and the organisation's default: top management decides.
    "resources.capacity.edit": frozenset({L}),
}

registry.register("permissions", PERMISSIONS, name="resources")
