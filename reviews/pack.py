"""The inputs pack of a review: assembled live from the registry, frozen when the meeting is held.

A section is a dict {key, clause, title, template, data, comment}; `data` is what the owning
app's `ReviewInput.build` returned (an empty dict: "no data for the period"). External
providers' performance (9.3.2 c7) is free text on the review until a supplier register exists.
"""

from __future__ import annotations

from typing import Any

from isova.registry import registry

from .models import Review

EXTERNAL_PROVIDERS = "external_providers"
EXTERNAL_TEMPLATE = "reviews/inputs/_external.html"


def section_keys() -> list[str]:
    """Every section a review must discuss, in pack order."""
    keys = [section.key for section in registry.review_inputs()]
    return [*keys, EXTERNAL_PROVIDERS]


def live_pack(review: Review, comments: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each registered section built from today's data for the review's period."""
    comments = comments or {}
    sections = [
        {
            "key": section.key,
            "clause": section.clause,
            "title": section.title,
            "template": section.template,
            "data": section.build(review.organisation, review.period_start, review.meeting_date),
            "comment": comments.get(section.key, ""),
        }
        for section in registry.review_inputs()
    ]
    sections.append(
        {
            "key": EXTERNAL_PROVIDERS,
            "clause": "c7",
            "title": "Performance of external providers",
            "template": EXTERNAL_TEMPLATE,
            "data": {"text": review.external_providers} if review.external_providers else {},
            "comment": comments.get(EXTERNAL_PROVIDERS, ""),
        }
    )
    return sections


def pack_for(review: Review, comments: dict[str, str]) -> list[dict[str, Any]]:
    """The frozen pack once held, otherwise the live one."""
    if review.pack is not None:
        return list(review.pack)
    return live_pack(review, comments)
