"""The risks' dashboard panel."""

from __future__ import annotations

from isova.registry import Panel, registry

from . import reports

registry.register(
    "panels",
    Panel(
        name="risks",
        title="Risk status",
        order=40,
        template="risks/_dashboard_panel.html",
        build=reports.panel,
        # risks.reports.panel (8) and its partial (1); up to 13 on the organisation's
        # first request, which creates the default matrix (risks.services.current_matrix)
        max_queries=13,
    ),
)
