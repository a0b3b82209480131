"""The risks' section of the management-review inputs pack (9.3.2 e)."""

from __future__ import annotations

from isova.registry import ReviewInput, registry

from . import reports

registry.register(
    "review_inputs",
    ReviewInput(
        key="risks",
        clause="e",
        title="Effectiveness of actions taken to address risks and opportunities",
        order=50,
        template="risks/_review_input.html",
        build=reports.review_input,
    ),
)
