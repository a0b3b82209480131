"""The objectives' dashboard panels: status and trends."""

from __future__ import annotations

from isova.registry import registry

from . import dashboard, trends

registry.register("panels", dashboard.PANEL)
registry.register("panels", trends.PANEL)
