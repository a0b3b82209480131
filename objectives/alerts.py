"""What the objectives app alerts about (registered in `ObjectivesConfig.ready()`):

- an objective that turns amber or red or goes stale, or whose forecast stops reaching its
  target: to its owner and the leaders, once per crossing (`isova.alerts.crossings` keeps
  the last state; recovering and crossing again alerts again);
- an objective whose review is overdue: to its owner, daily.

Four queries per organisation, whatever the number of objectives.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from isova.models import AlertState, Membership, Organisation, Role, User
from isova.notifications.alerts import crossings
from isova.registry import Alert, registry

from .models import Objective, Rag, Status

OFF_TRACK: dict[str, int] = {Rag.AMBER: 1, Rag.STALE: 2, Rag.RED: 3}
FORECAST: dict[str, int] = {"misses": 1}


def due(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    objectives = list(
        Objective.objects.for_org(organisation)
        .filter(status=Status.ACTIVE)
        .with_progress(today)
        .select_related("owner")
    )
    yield from _reviews_overdue(objectives, today)
    by_key = {f"objective:{o.pk}": o for o in objectives}
    rag = crossings(
        organisation,
        "objective_rag",
        {key: o.rag for key, o in by_key.items()},  # type: ignore[attr-defined]
        OFF_TRACK,
        today,
    )
    forecast = crossings(
        organisation,
        "objective_forecast",
        {key: _forecast_state(o) for key, o in by_key.items()},
        FORECAST,
        today,
    )
    if not rag and not forecast:
        return
    leaders = [
        m.user
        for m in Membership.objects.for_org(organisation)
        .filter(role=Role.LEADER, user__is_active=True)
        .select_related("user")
    ]
    for key, state in rag.items():
        yield from _off_track(by_key[key], state, leaders, today)
    for key in forecast:
        yield from _forecast_miss(by_key[key], leaders, today)


def _num(value: object) -> str:
    return f"{float(value):.4g}"  # type: ignore[arg-type]


def _forecast_state(objective: Objective) -> str:
    progress = objective.forecast_progress  # type: ignore[attr-defined]
    if progress is None:
        return "unknown"
    return "misses" if progress < 100 else "reaches"


def _reviews_overdue(objectives: list[Objective], today: datetime.date) -> Iterator[Alert]:
    for objective in objectives:
        if objective.next_review_date is None or objective.next_review_date >= today:
            continue
        yield Alert(
            recipient=objective.owner,
            kind="objective_review_overdue",
            key=f"objective:{objective.pk}",
            subject=f"Review overdue: {objective.title}",
            body=(
                f"The review of “{objective.title}” was due on "
                f"{objective.next_review_date:%d %b %Y}. Record how it is going and what you "
                "decided (continue, change the target, or close it)."
            ),
            url=objective.get_absolute_url(),
        )


def _owner_and_leaders(objective: Objective, leaders: list[User]) -> list[User]:
    return [objective.owner, *(u for u in leaders if u.pk != objective.owner_id)]


def _off_track(
    objective: Objective, state: str, leaders: list[User], today: datetime.date
) -> Iterator[Alert]:
    label = Rag(state).label.lower()
    if state == Rag.STALE:
        detail = (
            f"The latest value is for the period ending {objective.last_period_end:%d %b %Y}"
            "; record the values since then."
        )
    else:
        detail = (
            f"The latest value, {_num(objective.last_value)} {objective.unit}, trails the planned "  # type: ignore[attr-defined]
            f"path by {objective.behind:.0f}% of the way to the target."  # type: ignore[attr-defined]
        )
    for recipient in _owner_and_leaders(objective, leaders):
        yield Alert(
            recipient=recipient,
            kind="objective_off_track",
            key=f"objective:{objective.pk}:{state}",
            window=today.isoformat(),
            subject=f"{objective.title} is now {label}",
            body=f"“{objective.title}” (owner {objective.owner}) is now {label}. {detail}\n",
            url=objective.get_absolute_url(),
        )


def _forecast_miss(
    objective: Objective, leaders: list[User], today: datetime.date
) -> Iterator[Alert]:
    forecast = objective.forecast  # type: ignore[attr-defined]
    for recipient in _owner_and_leaders(objective, leaders):
        yield Alert(
            recipient=recipient,
            kind="objective_forecast_miss",
            key=f"objective:{objective.pk}",
            window=today.isoformat(),
            subject=f"{objective.title} is forecast to miss its target",
            body=(
                f"At the present trend “{objective.title}” reaches about {_num(forecast)} "
                f"{objective.unit} by {objective.target_date:%d %b %Y}, short of its target of "
                f"{_num(objective.target)} {objective.unit}.\n"
            ),
            url=objective.get_absolute_url(),
        )


def briefing(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    """Objectives that went amber, red or stale, or off their forecast, in the past week
    (the states the alerts recorded; 2 queries)."""
    changed = AlertState.objects.filter(
        organisation=organisation,
        kind__in=["objective_rag", "objective_forecast"],
        changed_on__gt=since,
    ).values_list("subject_key", "kind", "state")
    rows = sorted((int(key.split(":")[1]), kind, state) for key, kind, state in changed)
    titles = dict(
        Objective.objects.for_org(organisation)
        .filter(pk__in={pk for pk, _, _ in rows})
        .values_list("pk", "title")
    )
    lines = []
    for pk, kind, state in rows:
        what = "forecast to miss its target" if kind == "objective_forecast" else Rag(state).label
        lines.append(f"{titles.get(pk, pk)}: {what.lower()} (/objectives/{pk}/)")
    return lines


registry.register("alerts", due, name="objectives")
