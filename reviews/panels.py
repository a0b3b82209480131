"""The management reviews' dashboard panel."""

from __future__ import annotations

from isova.registry import Panel, registry

from . import panel

registry.register(
    "panels",
    Panel(
        name="reviews",
        title="Management reviews and feedback",
        order=50,
        template="reviews/_panel.html",
        build=panel.build,
        max_queries=11,  # see reviews.panel.build
    ),
)
