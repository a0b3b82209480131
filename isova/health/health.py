"""The core's leadership-health figures and the leadership acts they count."""

from __future__ import annotations

from isova.health.services import CORE_FIGURES, assigned_by, signed_by
from isova.registry import registry

for figure in CORE_FIGURES:
    registry.register("health", figure)
registry.register("leader_activity", signed_by, name="isova.signoffs")
registry.register("leader_activity", assigned_by, name="isova.assigned")
