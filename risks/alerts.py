"""What the risks app alerts about: risks whose review date has passed (to their owner).

A plain generator for the registry's "alerts" hook: one query per organisation;
and the risks section of the leaders' weekly briefing (risks that moved band, reviews overdue).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse

from isova.models import Organisation
from isova.notifications.sources import alert_about
from isova.registry import Alert, registry

from .models import Assessment, Risk
from .services import current_matrix


def due(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    risks = Risk.objects.for_org(organisation).review_overdue(today).select_related("owner")
    for risk in risks.filter(owner__is_active=True).order_by("next_review_date", "pk"):
        days = (today - risk.next_review_date).days if risk.next_review_date else 0
        yield alert_about(
            risk,
            risk.owner,
            "risk_review_overdue",
            f"Risk review overdue: {risk.reference} {risk.title}"[:200],
            f"The review of {risk.reference} “{risk.title}” was due on "
            f"{risk.next_review_date:%d %B %Y} ({days} day{'s' if days != 1 else ''} ago). "
            f"It is {risk.residual_band} ({risk.residual_score}) now.\n",
            key=":review",
        )


def briefing(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    """Live risks and those above the appetite (the bands leaders must approve), risks whose
    band moved since the last briefing, and reviews overdue (6 queries).

    A risk moved when its latest assessment's band differs from the band it had before the
    week (a risk first assessed this week did not move: it is new)."""
    assessed = Assessment.objects.for_org(organisation).filter(
        assessed_on__gt=since, assessed_on__lte=today
    )
    history = (
        Assessment.objects.filter(risk__in=assessed.values("risk_id"), assessed_on__lte=today)
        .order_by("risk_id", "assessed_on", "pk")
        .values_list("risk_id", "assessed_on", "band", "rank", "risk__reference", "risk__title")
    )
    before: dict[int, tuple[str, int]] = {}
    latest: dict[int, tuple[str, int, str, str]] = {}
    for risk_id, day, band, rank, reference, title in history:
        if day <= since:
            before[risk_id] = (band, rank)
        latest[risk_id] = (band, rank, reference, title)
    risks = Risk.objects.for_org(organisation)
    matrix = current_matrix(organisation)
    above = risks.above_appetite(matrix).count()
    lines = [
        f"{risks.live().count()} live, {above} above the appetite (residual band "
        f"{' or '.join(matrix.appetite_bands) or 'none'}) ({reverse('risks:index')})"
    ]
    for risk_id, (band, rank, reference, title) in latest.items():
        was = before.get(risk_id)
        if was is not None and was[1] != rank:
            way = "up" if rank > was[1] else "down"
            url = reverse("risks:detail", args=[risk_id])
            lines.append(f"{reference} {title}: {way} from {was[0]} to {band} ({url})")
    if len(lines) == 1:
        lines.append(f"No risk moved band since {organisation.format_date(since)}.")
    overdue = Risk.objects.for_org(organisation).review_overdue(today).count()
    if overdue:
        lines.append(
            f"{overdue} risk review{'s' if overdue != 1 else ''} overdue "
            f"({reverse('risks:index')}?review_overdue=on)"
        )
    return lines


registry.register("alerts", due, name="risks")
