"""What the risks app alerts about: risks whose review date has passed (to their owner).

A plain generator for `isova.registry.register_alert_source`: one query per organisation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from isova.models import Organisation
from isova.registry import Alert

from .models import Risk


def due(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    risks = Risk.objects.for_org(organisation).review_overdue(today).select_related("owner")
    for risk in risks.filter(owner__is_active=True).order_by("next_review_date", "pk"):
        days = (today - risk.next_review_date).days if risk.next_review_date else 0
        yield Alert(
            recipient=risk.owner,
            kind="risk_review_overdue",
            key=f"risk:{risk.pk}:review",
            subject=f"Risk review overdue: {risk.reference} {risk.title}"[:200],
            body=(
                f"The review of {risk.reference} “{risk.title}” was due on "
                f"{risk.next_review_date:%d %B %Y} ({days} day{'s' if days != 1 else ''} ago). "
                f"It is {risk.residual_band} ({risk.residual_score}) now.\n"
            ),
            url=risk.get_absolute_url(),
        )
