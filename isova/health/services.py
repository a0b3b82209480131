"""Leadership health: the seed's common mistakes as green, amber and red figures.

Each figure is registered (`registry.register("health", ...)` from each health.py): the
core's from isova/health/health.py (leaders' last visit and last act, work piled on one
person, approvals left waiting), the apps' from theirs (objective reviews, late findings,
review attendance). Thresholds default in the figure and each organisation's leaders change
them (`HealthThreshold`, the page `/dashboard/health/`). "Last acted" gathers each kind of
act through `registry.register("leader_activity", ...)`. A fixed number of queries: one for
the thresholds and a fixed few per figure.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse

from isova.accounts.models import Membership, Organisation, Role, User
from isova.accounts.tenancy import has_perm, leader_or_manager
from isova.actions.models import OUTSTANDING_STATUSES, Action
from isova.dashboard import memo
from isova.errors import Invalid, NotAllowed
from isova.health.models import HealthThreshold
from isova.records.models import RecordVersion, SignOff
from isova.registry import (
    HealthFigure,
    HealthReading,
    Panel,
    PanelContext,
    registry,
)

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"


def colour(figure: HealthFigure, value: float | None, amber: float, red: float) -> str:
    """Green, amber or red: a value at or past a threshold takes its colour."""
    if value is None:
        return figure.none_is
    if figure.worse == "lower":
        return RED if value <= red else AMBER if value <= amber else GREEN
    return RED if value >= red else AMBER if value >= amber else GREEN


def thresholds(organisation: Organisation) -> dict[str, tuple[float, float]]:
    """Every figure's (amber, red): the organisation's own where set, else the default
    (1 query)."""
    own = {
        key: (amber, red)
        for key, amber, red in HealthThreshold.objects.for_org(organisation).values_list(
            "key", "amber", "red"
        )
    }
    return {f.key: own.get(f.key, (f.amber, f.red)) for f in registry.health_figures()}


def _days_since(day: datetime.date | None, today: datetime.date) -> int | None:
    return None if day is None else max((today - day).days, 0)


def _local_day(
    organisation: Organisation, moment: datetime.datetime | None
) -> datetime.date | None:
    return None if moment is None else moment.astimezone(organisation.tzinfo).date()


def _leaders(organisation: Organisation) -> list[Membership]:
    """The organisation's leaders by name (1 query, shared by the figures of one page)."""
    return memo.once(
        ("leaders", organisation.pk),
        lambda: list(
            Membership.objects.for_org(organisation)
            .filter(role=Role.LEADER)
            .select_related("user")
            .order_by("user__full_name", "pk")
        ),
    )


def leader_ids(organisation: Organisation) -> QuerySet[Membership, Any]:
    """The leaders' user ids as a subquery: activity sources read only leaders' rows."""
    return Membership.objects.for_org(organisation).filter(role=Role.LEADER).values("user_id")


def _days_text(days: int | None) -> str:
    if days is None:
        return "never"
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


# --- the core's figures -----------------------------------------------------------------


def leaders_last_seen(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Days since each leader last opened the dashboard (1 query)."""
    url = reverse("evidence")
    readings = []
    for leader in _leaders(organisation):
        seen = _local_day(organisation, leader.last_seen_dashboard_at)
        days = _days_since(seen, today)
        readings.append(HealthReading(leader.user.get_full_name(), days, url, _days_text(days)))
    return readings


def last_acted(organisation: Organisation) -> dict[int, datetime.date]:
    """Per leader, the last day they acted: the registered sources that give a queryset of
    (user id, day) pairs are read as one UNION query; a source giving a dict costs its own."""
    last: dict[int, datetime.date] = {}
    pairs: list[QuerySet[Any, Any]] = []
    for _, source in registry.leader_activities():
        found = source(organisation)
        if isinstance(found, QuerySet):
            pairs.append(found.order_by())
            continue
        for user_id, day in found.items():
            last[user_id] = max(day, last.get(user_id, day))
    if pairs:
        union = pairs[0].union(*pairs[1:], all=True) if len(pairs) > 1 else pairs[0]
        for user_id, day in union:
            if day is not None:
                last[user_id] = max(day, last.get(user_id, day))
    return last


def leaders_last_acted(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """Days since each leader last approved, signed, assigned or reviewed anything (the
    leaders, shared with the other figures, and one query for every kind of act)."""
    last = last_acted(organisation)
    url = reverse("evidence")
    readings = []
    for leader in _leaders(organisation):
        days = _days_since(last.get(leader.user_id), today)
        readings.append(HealthReading(leader.user.get_full_name(), days, url, _days_text(days)))
    return readings


def signed_by(organisation: Organisation) -> QuerySet[Any, Any]:
    """Per leader, the day of their latest sign-off (approvals, rejections, signatures)."""
    return (
        SignOff.objects.filter(organisation=organisation, signer__in=leader_ids(organisation))
        .values_list("signer")
        .annotate(day=TruncDate(Max("signed_at"), tzinfo=organisation.tzinfo))
    )


def assigned_by(organisation: Organisation) -> QuerySet[Any, Any]:
    """Per leader, the day they last assigned an action."""
    return (
        Action.objects.for_org(organisation)
        .filter(assigned_by__in=leader_ids(organisation))
        .values_list("assigned_by")
        .annotate(day=TruncDate(Max("created_at"), tzinfo=organisation.tzinfo))
    )


def busiest_share(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """The share of outstanding actions held by the one person holding most (2 queries).
    Counted per owner id alone (an index range of this organisation's outstanding actions),
    then the busiest owner's name by primary key: joining the people to the count made
    PostgreSQL hash every user of every organisation (bench scale 1)."""
    counts = list(
        Action.objects.for_org(organisation)
        .filter(status__in=OUTSTANDING_STATUSES)
        .values_list("owner")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner")
    )
    total = sum(n for _, n in counts)
    if not total:
        return [HealthReading("", None, reverse("action_list"), "no outstanding actions")]
    owner, n = counts[0]
    busiest = User.objects.only("full_name", "email").get(pk=owner)
    full_name = busiest.get_full_name() or busiest.email
    share = round(100.0 * n / total, 1)
    url = reverse("action_list") + f"?status=outstanding&owner={owner}"
    return [HealthReading(full_name, share, url, f"{share:g}% ({n} of {total})")]


def approvals_waiting(organisation: Organisation, today: datetime.date) -> list[HealthReading]:
    """How long the oldest submission has waited for a leader's decision (1 query)."""
    waiting = RecordVersion.objects.for_org(organisation).awaiting_decision().order_by()
    found = waiting.aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    days = _days_since(_local_day(organisation, found["oldest"]), today)
    text = "none waiting" if not found["n"] else f"{found['n']} waiting, oldest {days} days"
    return [HealthReading("", days, reverse("approvals"), text)]


CORE_FIGURES = (
    HealthFigure(
        "leaders_last_seen",
        "Days since each leader last opened the dashboard",
        10,
        leaders_last_seen,
        amber=7,
        red=14,
        unit="days",
        none_is=RED,
        short="Leaders seen",
    ),
    HealthFigure(
        "leaders_last_acted",
        "Days since each leader last approved, signed, assigned or reviewed",
        20,
        leaders_last_acted,
        amber=14,
        red=30,
        unit="days",
        none_is=RED,
        short="Leaders acting",
    ),
    HealthFigure(
        "busiest_share",
        "Share of outstanding actions held by the busiest person",
        60,
        busiest_share,
        amber=40,
        red=60,
        unit="%",
        short="Workload spread",
    ),
    HealthFigure(
        "approvals_waiting",
        "Days the oldest approval has waited",
        70,
        approvals_waiting,
        amber=7,
        red=14,
        unit="days",
        none_is=GREEN,
        short="Approvals waiting",
    ),
)


# --- the panel ------------------------------------------------------------------------------

_RANK = {GREEN: 0, GREY: 0, AMBER: 1, RED: 2}


def health_panel(ctx: PanelContext) -> dict[str, Any]:
    """Every registered figure with its readings coloured (1 query for the thresholds and a
    fixed few per figure)."""
    limits = thresholds(ctx.organisation)
    rows = []
    for figure in registry.health_figures():
        amber, red = limits[figure.key]
        readings = [
            (reading, colour(figure, reading.value, amber, red))
            for reading in figure.build(ctx.organisation, ctx.today)
        ]
        worst = max((c for _, c in readings), key=_RANK.__getitem__, default=GREY)
        rows.append(
            {"figure": figure, "amber": amber, "red": red, "readings": readings, "colour": worst}
        )
    return {
        "rows": rows,
        "can_edit": has_perm(ctx.membership, "isova.health.edit"),
    }


PANEL = Panel(
    name="health",
    title="Leadership health",
    order=15,
    template="isova/dashboard/_health.html",
    build=health_panel,
    visible=leader_or_manager,
    # thresholds, leaders, leaders' acts (one UNION), busiest owner (count, name), oldest
    # approval, objectives past review, late findings, last reviews' attendance (3): 11
    max_queries=11,
)


# --- changing the thresholds -----------------------------------------------------------------


@transaction.atomic
def health_thresholds_update(
    *, membership: Membership, values: Mapping[str, tuple[float, float]]
) -> None:
    """Set the organisation's amber and red thresholds of the figures named in `values`."""
    if not has_perm(membership, "isova.health.edit"):
        raise NotAllowed("Only leaders change the health thresholds.")
    figures = {f.key: f for f in registry.health_figures()}
    for key, (amber, red) in values.items():
        figure = figures.get(key)
        if figure is None:
            raise Invalid(f"There is no health figure {key!r}.")
        if figure.worse == "lower" and red > amber:
            raise Invalid(f"{figure.title}: red must be at or below amber.")
        if figure.worse != "lower" and red < amber:
            raise Invalid(f"{figure.title}: red must be at or above amber.")
    for key, (amber, red) in values.items():
        HealthThreshold.objects.update_or_create(
            organisation=membership.organisation, key=key, defaults={"amber": amber, "red": red}
        )
