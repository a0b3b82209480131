"""The core's dashboard panels: approvals, actions and what is coming up."""

from __future__ import annotations

from isova.dashboard import glance, upcoming
from isova.dashboard.views import CORE_PANELS
from isova.registry import registry

for panel in CORE_PANELS:
    registry.register("panels", panel)
registry.register("panels", upcoming.PANEL)
registry.register("panels", glance.PANEL)
