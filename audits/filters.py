"""The dashboard's process filter: its values are the audits app's processes."""

from __future__ import annotations

from isova.registry import registry

from . import dashboard

registry.register("filters", dashboard.process_choices, name="process")
