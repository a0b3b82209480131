"""Objective reviews due in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

from operator import methodcaller

from isova.dashboard.upcoming import dated_source
from isova.registry import registry

from .models import Objective, Status

# Active objectives whose next review falls in the window (one query).
items = dated_source(
    lambda organisation: Objective.objects.for_org(organisation).filter(status=Status.ACTIVE),
    day="next_review_date",
    person="owner",
    kind="Objective review",
    approved=methodcaller("approved_reading"),  # staff: as last approved
)

registry.register("upcoming", items, name="objectives")
