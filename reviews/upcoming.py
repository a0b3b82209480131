"""Management reviews planned in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

from isova.dashboard.upcoming import dated_source
from isova.registry import registry

from .models import Review, ReviewStatus

# Planned management reviews meeting in the window (one query).
items = dated_source(
    lambda organisation: Review.objects.for_org(organisation).filter(status=ReviewStatus.PLANNED),
    day="meeting_date",
    person="chair",
    kind="Management review",
)

registry.register("upcoming", items, name="reviews")
