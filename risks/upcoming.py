"""Risk reviews due in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

from operator import methodcaller

from isova.dashboard.upcoming import dated_source
from isova.registry import registry

from .models import Risk

# Live risks whose next review falls in the window (one query).
items = dated_source(
    lambda organisation: Risk.objects.for_org(organisation).live(),
    day="next_review_date",
    person="owner",
    kind="Risk review",
    by_process=True,
    approved=methodcaller("approved_reading"),  # staff: as last approved
)

registry.register("upcoming", items, name="risks")
