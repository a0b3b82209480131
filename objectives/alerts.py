"""What the objectives app alerts about (registered in `ObjectivesConfig.ready()`):

- an objective whose performance changes state (on track → slightly behind → off track, or
  stale, and back): to its owner and the leaders, on the day of the change only
  (`isova.notifications.alerts.state_changes` keeps the last state), with hysteresis so that a value
  hovering at a threshold does not alert at every hair's move;
- an objective whose forecast starts missing its target by more than the organisation's
  margin (`Organisation.forecast_alert_margin`), once per such change;
- an objective whose review is overdue: to its owner, daily.

Figures are printed at the measure's own precision, with its unit. Seven queries per
organisation, whatever the number of objectives.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse

from isova import humanise
from isova.models import AlertState, Organisation, Role, User
from isova.notifications.alerts import state_changes
from isova.notifications.sources import active_people, alert_about
from isova.registry import Alert, registry

from .models import Objective, Rag, Status

# How bad each performance state is; a change between any two alerts, except a first sighting
# that is fine (on track).
LADDER: dict[str, int] = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.STALE: 2, Rag.RED: 3}
# Hysteresis: leaving a worse state needs `behind` this many points (percent of the way from
# baseline to target) inside the better state's threshold.
HYSTERESIS = 2.0


def due(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    objectives = list(
        Objective.objects.for_org(organisation)
        .filter(status=Status.ACTIVE)
        .with_progress(today)
        .select_related("owner")
        .order_by("pk")
    )
    yield from _reviews_overdue(objectives, today)
    by_key = {f"objective:{o.pk}": o for o in objectives}
    rag = state_changes(
        organisation,
        "objective_rag",
        lambda held: {key: performance_state(o, held.get(key)) for key, o in by_key.items()},
        today,
    )
    margin = float(organisation.forecast_alert_margin)
    forecast = state_changes(
        organisation,
        "objective_forecast",
        {key: forecast_state(o, margin) for key, o in by_key.items()},
        today,
    )
    rag = {k: v for k, v in rag.items() if _worth_telling(*v)}
    misses = [k for k, (_, state) in forecast.items() if state == "misses"]
    if not rag and not misses:
        return
    leaders = active_people(organisation, Role.LEADER)
    for key, (before, state) in rag.items():
        yield from _state_changed(by_key[key], before, state, leaders, today)
    for key in misses:
        yield from _forecast_miss(by_key[key], leaders, today)


def _worth_telling(before: str, state: str) -> bool:
    if state not in LADDER:
        return False  # no data yet: nothing to say
    return before in LADDER or state != Rag.GREEN


def performance_state(objective: Objective, held: str | None) -> str:
    """The objective's RAG, except that it stays in a worse state `held` until it is clearly
    out of it (HYSTERESIS points inside the better state's threshold)."""
    rag: str = objective.rag  # type: ignore[attr-defined]
    behind = objective.behind  # type: ignore[attr-defined]
    if held not in (Rag.AMBER, Rag.RED) or rag not in (Rag.GREEN, Rag.AMBER) or behind is None:
        return rag
    if LADDER[rag] >= LADDER[held]:
        return rag
    threshold = float(objective.red_tolerance if held == Rag.RED else objective.amber_tolerance)
    if float(behind) <= threshold - HYSTERESIS:
        return rag
    return held


def forecast_state(objective: Objective, margin: float) -> str:
    """ "misses" when the forecast falls short of the target by more than `margin` percent of
    the way from baseline to target; "reaches" within half of that; between the two "near"
    (no alert either way, so a forecast hovering at the margin does not flap)."""
    progress = objective.forecast_progress  # type: ignore[attr-defined]
    if progress is None:
        return "unknown"
    shortfall = 100.0 - float(progress)
    if shortfall > margin:
        return "misses"
    return "reaches" if shortfall <= margin / 2 else "near"


def figure(objective: Objective, value: object) -> str:
    """A value at the measure's own precision (as many decimals as its baseline or target
    uses) with its unit: "92.5%", "3 days"."""
    return humanise.measure(value, objective.decimals, objective.unit)


def _reviews_overdue(objectives: list[Objective], today: datetime.date) -> Iterator[Alert]:
    for objective in objectives:
        if objective.next_review_date is None or objective.next_review_date >= today:
            continue
        yield alert_about(
            objective,
            objective.owner,
            "objective_review_overdue",
            f"Review overdue: {objective.title}",
            f"The review of “{objective.title}” was due on "
            f"{objective.next_review_date:%d %b %Y}. Record how it is going and what you "
            "decided (continue, change the target, or close it).",
        )


def _owner_and_leaders(objective: Objective, leaders: list[User]) -> list[User]:
    return [objective.owner, *(u for u in leaders if u.pk != objective.owner_id)]


def _state_changed(
    objective: Objective, before: str, state: str, leaders: list[User], today: datetime.date
) -> Iterator[Alert]:
    label = Rag(state).label.lower()
    if state == Rag.STALE:
        detail = (
            f"The latest value is for the period ending {objective.last_period_end:%d %b %Y}"
            "; record the values since then."
        )
    else:
        detail = (
            f"The latest value, {figure(objective, objective.last_value)}, "  # type: ignore[attr-defined]
            f"against {figure(objective, objective.planned_now)} planned by now "  # type: ignore[attr-defined]
            f"on the way to {figure(objective, objective.target)}."
        )
    was = f" (was {Rag(before).label.lower()})" if before in LADDER else ""
    for recipient in _owner_and_leaders(objective, leaders):
        yield alert_about(
            objective,
            recipient,
            "objective_off_track",
            f"{objective.title} is now {label}{was}"[:200],
            f"“{objective.title}” (owner {objective.owner}) is now {label}{was}. {detail}\n",
            key=f":{state}",
            window=f"on-{today.isoformat()}",
        )


def _forecast_miss(
    objective: Objective, leaders: list[User], today: datetime.date
) -> Iterator[Alert]:
    forecast = objective.forecast  # type: ignore[attr-defined]
    for recipient in _owner_and_leaders(objective, leaders):
        yield alert_about(
            objective,
            recipient,
            "objective_forecast_miss",
            f"{objective.title} is forecast to miss its target",
            f"At the present trend “{objective.title}” reaches about "
            f"{figure(objective, forecast)} by {objective.target_date:%d %b %Y}, short of "
            f"its target of {figure(objective, objective.target)}.\n",
            key=":forecast",
            window=f"on-{today.isoformat()}",
        )


def briefing(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    """Objectives by state now, with the change since the last briefing, and each one that
    changed state since then, on the day the scan saw it change (4 queries)."""
    objectives = Objective.objects.for_org(organisation)
    now, before = objectives.rag_counts(today), objectives.rag_counts(since)
    counts = []
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.STALE, Rag.NO_DATA):
        delta = now[rag] - before[rag]
        change = f" ({delta:+d})" if delta else ""
        counts.append(f"{now[rag]} {Rag(rag).label.lower()}{change}")
    lines = [f"{', '.join(counts)} ({reverse('objectives:index')})"]
    changed = AlertState.objects.filter(
        organisation=organisation,
        kind__in=["objective_rag", "objective_forecast"],
        changed_on__gt=since,
        changed_on__lte=today,
    ).values_list("subject_key", "kind", "state", "previous", "changed_on")
    rows = sorted(
        (day, int(key.split(":")[1]), kind, state, was) for key, kind, state, was, day in changed
    )
    titles = dict(objectives.filter(pk__in={pk for _, pk, *_ in rows}).values_list("pk", "title"))
    for day, pk, kind, state, was in rows:
        if pk not in titles or (kind == "objective_forecast" and state != "misses"):
            continue
        if kind == "objective_forecast":
            what = "forecast to miss its target"
        elif state not in LADDER or not _worth_telling(was, state):
            continue
        else:
            what = f"now {Rag(state).label.lower()}"
            what += f" (was {Rag(was).label.lower()})" if was in LADDER else ""
        lines.append(
            f"{organisation.format_date(day)}: {titles[pk]} {what} "
            f"({reverse('objectives:detail', args=[pk])})"
        )
    if len(lines) == 1:
        lines.append(f"No objective changed state since {organisation.format_date(since)}.")
    return lines


registry.register("alerts", due, name="objectives")
