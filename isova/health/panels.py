"""The dashboard's "Leadership health" panel."""

from __future__ import annotations

from isova.health.services import PANEL
from isova.registry import registry

registry.register("panels", PANEL)
