"""The audits' dashboard panel."""

from __future__ import annotations

from isova.registry import registry

from . import dashboard

registry.register("panels", dashboard.PANEL)
