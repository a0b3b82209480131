"""The audits' section of the leaders' weekly briefing: findings."""

from __future__ import annotations

from isova.registry import BriefingSection, registry

from .alerts import briefing

registry.register("briefing", BriefingSection("audits", "Findings", 30, briefing))
