"""The objectives' section of the leaders' weekly briefing."""

from __future__ import annotations

from isova.registry import BriefingSection, registry

from .alerts import briefing

registry.register("briefing", BriefingSection("objectives", "Objectives", 20, briefing))
