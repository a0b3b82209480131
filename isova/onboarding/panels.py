"""Onboarding's dashboard panel: the first-run checklist."""

from isova.registry import registry

from .checklist import PANEL

registry.register("panels", PANEL)
