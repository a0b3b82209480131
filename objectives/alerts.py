"""What the objectives app wants to alert about: overdue reviews and stale objectives.

Each alert is the keyword arguments of `isova.notifications.notify` (less the organisation),
so a scan can hand them over as they are; `notify`'s unique (recipient, kind, key, day)
makes a scan that runs twice on one day send nothing twice. Two queries per organisation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from isova.models import Organisation

from .models import Objective


def due(organisation: Organisation, today: datetime.date | None = None) -> Iterator[dict[str, Any]]:
    today = today or organisation.today()
    objectives = Objective.objects.for_org(organisation).select_related("owner")
    for objective in objectives.review_overdue(today):
        yield {
            "recipient": objective.owner,
            "kind": "objective_review_overdue",
            "key": f"objective:{objective.pk}",
            "subject": f"Review overdue: {objective.title}",
            "body": (
                f"The review of “{objective.title}” was due on "
                f"{objective.next_review_date:%d %b %Y}. Record how it is going and what you "
                "decided (continue, change the target, or close it)."
            ),
            "url": objective.get_absolute_url(),
        }
    for objective in objectives.stale(today):
        yield {
            "recipient": objective.owner,
            "kind": "objective_stale",
            "key": f"objective:{objective.pk}",
            "subject": f"No recent value: {objective.title}",
            "body": (
                f"The latest value of “{objective.title}” is for the period ending "
                f"{objective.last_period_end:%d %b %Y}. Record the values since then."
            ),
            "url": objective.get_absolute_url(),
        }
