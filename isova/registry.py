"""What apps contribute to the core's shared pages and processes.

The core never imports an app. Each app registers what it adds from its `AppConfig.ready()`:

- `register_panel(Panel(...))`: a dashboard panel (its context builder and partial template);
- `register_alert_source(name, fn)`: a generator of `Alert`s for one organisation and day;
- `register_demo(DemoSeeder(...))`: demo data, run after the seeders it names in `after`;
- `register_review_input(ReviewInput(...))`: a section of the management-review inputs pack
  (ISO 9001 9.3.2 a–f);
- `register_evidence(EvidenceSource(...))`: what the app holds as evidence for clause 5.1.

The core's own pages (dashboard, alert scan, demo seed, reviews pack, evidence page) loop over
what is registered here, in order. Registering the same name twice is an error, so a typo
cannot silently replace another app's contribution.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Membership, Organisation, User
    from .tenancy import OrgRequest


# --- dashboard panels ------------------------------------------------------------------


@dataclass(frozen=True)
class PanelContext:
    """What a panel builder gets: the request and what it has already worked out once."""

    request: OrgRequest
    organisation: Organisation
    membership: Membership
    today: datetime.date
    # Dashboard filters every panel honours, validated, each key absent when not filtered:
    # "owner": int pk of a user who is a member of the organisation; "process": int pk of
    # one of the organisation's processes (audits.Process); "since": datetime.date, the
    # period's first day (count what was created or raised on or after it).
    filters: dict[str, Any] = field(default_factory=dict)


def _everyone(membership: Membership) -> bool:
    return True


@dataclass(frozen=True)
class Panel:
    """One dashboard panel: `build` returns the context of `template` in a fixed number of
    queries whatever the organisation's size; `visible` says who sees it."""

    name: str
    title: str
    order: int
    template: str
    build: Callable[[PanelContext], dict[str, Any]]
    visible: Callable[[Membership], bool] = _everyone
    # Static files (paths under static/) the dashboard loads once when this panel is shown,
    # e.g. Plotly and the panel's own script, unless its context says `"draws": False`:
    # chart JavaScript only where charts are.
    scripts: tuple[str, ...] = ()
    # The most queries `build` plus its template may run (tests/isova/test_dashboard_queries.py
    # asserts it for every registered panel, at small and at larger data).
    max_queries: int = 10


# --- alerts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """One message an alert source wants a person to get.

    `kind` names the sort of alert ("objective_review_overdue"), `key` what it is about
    ("objective:42"); the core makes at most one notification per organisation, recipient,
    kind, key and `window`, so a scan that runs twice sends nothing twice. `window` defaults
    to the organisation's day (one a day); a weekly reminder passes its ISO week
    ("2026-W23"), a once-only alert (a rung of an escalation, a crossing) a fixed word or the
    date of the crossing.
    """

    recipient: User
    kind: str
    key: str
    subject: str
    body: str
    url: str = ""
    window: str = ""


AlertSource = Callable[["Organisation", datetime.date], Iterable[Alert]]


# --- demo data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeeder:
    """Demo data of one app for one organisation; `after` names seeders that must run first.

    `seed(organisation, users_by_email, rng)` is called once per demo organisation, inside the
    seed's transaction, and must be idempotent (make nothing the second time).
    """

    name: str
    seed: Callable[[Organisation, dict[str, User], random.Random], None]
    after: tuple[str, ...] = ()


# --- management-review inputs (ISO 9001 9.3.2) -------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    """One section of the management-review inputs pack.

    `clause` is the 9.3.2 item it answers ("a" … "f", or "c1" … "c7" for the parts of c);
    `build(organisation, since, until)` returns JSON-able data (it is frozen into the review
    record when the meeting is held) rendered by `template`. An empty dict means "no data".
    """

    key: str
    clause: str
    title: str
    order: int
    template: str
    build: Callable[[Organisation, datetime.date, datetime.date], dict[str, Any]]


# --- leadership evidence (ISO 9001 5.1) ----------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for an item of 5.1.1 a–j or 5.1.2 a–c ("5.1.1 b")."""

    clause: str
    summary: str
    count: int = 0
    last_date: datetime.date | None = None
    people: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class Gap:
    """Evidence the auditor will miss for a clause item, and where it is put right."""

    clause: str
    summary: str
    severity: int = 1  # higher first
    url: str = ""


@dataclass(frozen=True)
class EvidenceSource:
    """`build(organisation, start, end)` yields `Evidence` and `Gap` values for the period."""

    name: str
    build: Callable[[Organisation, datetime.date, datetime.date], Iterable[Evidence | Gap]]


# --- the registry ----------------------------------------------------------------------------


class Registry:
    def __init__(self) -> None:
        self._panels: dict[str, Panel] = {}
        self._alert_sources: dict[str, AlertSource] = {}
        self._demo: dict[str, DemoSeeder] = {}
        self._review_inputs: dict[str, ReviewInput] = {}
        self._evidence: dict[str, EvidenceSource] = {}
        # Hooks added later (calendar, briefing, upcoming, health, dashboard filters): their
        # register_* / *_sources functions below this class keep their tables here too, so
        # that `unregister` removes a throwaway contribution from every one of them.
        self._calendar_sources: dict[str, Any] = {}
        self._briefing_sections: dict[str, Any] = {}
        self._upcoming_sources: dict[str, Any] = {}
        self._health_figures: dict[str, Any] = {}
        self._leader_activities: dict[str, Any] = {}
        self._dashboard_filters: dict[str, Any] = {}

    @staticmethod
    def _add(table: dict[str, Any], name: str, value: Any, what: str) -> None:
        if name in table:
            raise ValueError(f"{what} {name!r} is registered twice")
        table[name] = value

    def register_panel(self, panel: Panel) -> None:
        self._add(self._panels, panel.name, panel, "dashboard panel")

    def register_alert_source(self, name: str, source: AlertSource) -> None:
        self._add(self._alert_sources, name, source, "alert source")

    def register_demo(self, seeder: DemoSeeder) -> None:
        self._add(self._demo, seeder.name, seeder, "demo seeder")

    def register_review_input(self, section: ReviewInput) -> None:
        self._add(self._review_inputs, section.key, section, "review input")

    def register_evidence(self, source: EvidenceSource) -> None:
        self._add(self._evidence, source.name, source, "evidence source")

    def unregister(self, name: str) -> None:
        """Remove everything registered under `name` (tests register throwaway ones)."""
        for table in vars(self).values():
            table.pop(name, None)

    def panels(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.name))

    def panel(self, name: str) -> Panel | None:
        return self._panels.get(name)

    def alert_sources(self) -> list[tuple[str, AlertSource]]:
        return sorted(self._alert_sources.items())

    def review_inputs(self) -> list[ReviewInput]:
        return sorted(self._review_inputs.values(), key=lambda s: (s.order, s.clause, s.key))

    def evidence_sources(self) -> list[EvidenceSource]:
        return sorted(self._evidence.values(), key=lambda s: s.name)

    def demo_seeders(self) -> list[DemoSeeder]:
        """Every seeder after those it names in `after` (a cycle or unknown name is an error)."""
        done: list[DemoSeeder] = []
        placed: set[str] = set()
        visiting: set[str] = set()

        def place(name: str) -> None:
            if name in placed:
                return
            if name in visiting:
                raise ValueError(f"demo seeders depend on each other in a cycle at {name!r}")
            if name not in self._demo:
                raise ValueError(f"demo seeder {name!r} is named in `after` but not registered")
            visiting.add(name)
            for before in self._demo[name].after:
                place(before)
            visiting.discard(name)
            placed.add(name)
            done.append(self._demo[name])

        for name in sorted(self._demo):
            place(name)
        return done


registry = Registry()


# --- calendar feed (appended by the alerts work) ----------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """An all-day entry in a person's private calendar feed (a due action, an audit, …)."""

    uid: str  # stable and unique across the installation, e.g. "audit-42"
    day: datetime.date
    summary: str
    url: str = ""
    description: str = ""


CalendarSource = Callable[["Membership"], Iterable[CalendarEvent]]


def register_calendar_source(name: str, source: CalendarSource) -> None:
    """Add what an app puts in each person's calendar feed (one query per source)."""
    Registry._add(registry._calendar_sources, name, source, "calendar source")


def calendar_sources() -> list[tuple[str, CalendarSource]]:
    return sorted(registry._calendar_sources.items())


# --- weekly briefing (appended by the alerts work) --------------------------------------------


@dataclass(frozen=True)
class BriefingSection:
    """A section of the leaders' weekly briefing: `build(organisation, since, today)` returns
    its lines (empty: the section is left out), in a fixed number of queries."""

    name: str
    title: str
    order: int
    build: Callable[[Organisation, datetime.date, datetime.date], list[str]]


def register_briefing_section(section: BriefingSection) -> None:
    Registry._add(registry._briefing_sections, section.name, section, "briefing section")


def briefing_sections() -> list[BriefingSection]:
    return sorted(registry._briefing_sections.values(), key=lambda s: (s.order, s.name))


# --- upcoming in the next weeks (the dashboard's "Upcoming" panel) -----------------------


@dataclass(frozen=True)
class UpcomingItem:
    """Something due or planned on `day` for the whole organisation (an action, an audit, …)."""

    day: datetime.date
    kind: str  # what it is, shown as a label: "Action due", "Audit", "Management review"
    title: str
    url: str = ""
    who: str = ""  # the person it waits on, when there is one


# `fn(organisation, start, end, filters)`: items from `start` to `end` inclusive, at most
# UPCOMING_LIMIT of them, soonest first, in one query; `filters` are the dashboard's.
UpcomingSource = Callable[
    ["Organisation", datetime.date, datetime.date, dict[str, Any]], Iterable[UpcomingItem]
]
UPCOMING_LIMIT = 20


def register_upcoming_source(name: str, source: UpcomingSource) -> None:
    """Add what an app has coming up organisation-wide (one query per source)."""
    Registry._add(registry._upcoming_sources, name, source, "upcoming source")


def upcoming_sources() -> list[tuple[str, UpcomingSource]]:
    return sorted(registry._upcoming_sources.items())


# --- leadership health (the dashboard's "Leadership health" panel) ------------------------


@dataclass(frozen=True)
class HealthReading:
    """One reading of a health figure: about whom or what (`label`, "" for the organisation
    as a whole), its value (None: never, or nothing to measure), how it reads, and the page
    where it is put right."""

    label: str
    value: float | None
    url: str
    text: str = ""


@dataclass(frozen=True)
class HealthFigure:
    """One of the seed's common leadership mistakes made visible as a number.

    `build(organisation, today)` returns its readings in a fixed number of queries; each is
    green, amber or red against `amber` and `red` (defaults here; each organisation's leaders
    may change them). `worse` says which way is worse: "higher" (days since, counts) or
    "lower" (attendance); a reading without a value is `none_is` ("red": never; "grey").
    """

    key: str
    title: str
    order: int
    build: Callable[[Organisation, datetime.date], list[HealthReading]]
    amber: float
    red: float
    unit: str = ""
    worse: str = "higher"
    none_is: str = "grey"


# `fn(organisation)`: per user id, the last day they acted as a leader (approved or signed,
# assigned an action, reviewed an objective or a risk). Preferably a queryset of
# (user id, date) pairs, `values_list(user).annotate(day=...)`, restricted to the leaders
# (`isova.health.leader_ids`): the core reads every such source in one UNION query. A dict
# {user id: date} still works, at one query of its own.
LeaderActivity = Callable[["Organisation"], "dict[int, datetime.date] | QuerySet[Any, Any]"]


def register_health_figure(figure: HealthFigure) -> None:
    Registry._add(registry._health_figures, figure.key, figure, "health figure")


def health_figures() -> list[HealthFigure]:
    return sorted(registry._health_figures.values(), key=lambda f: (f.order, f.key))


def register_leader_activity(name: str, source: LeaderActivity) -> None:
    """Add a kind of leadership act to "days since each leader last acted"."""
    Registry._add(registry._leader_activities, name, source, "leader activity")


def leader_activities() -> list[tuple[str, LeaderActivity]]:
    return sorted(registry._leader_activities.items())


# --- dashboard filters (appended by the dashboard-filters work) -------------------------------

FilterChoices = Callable[["Organisation"], list[tuple[int, str]]]


def register_dashboard_filter(name: str, choices: FilterChoices) -> None:
    """Offer a dashboard filter whose values live in an app (the core cannot import it):
    `choices(organisation)` returns (pk, label) pairs in one query. Only "process" is read
    by the dashboard today (the audits app provides it)."""
    Registry._add(registry._dashboard_filters, name, choices, "dashboard filter")


def dashboard_filter(name: str) -> FilterChoices | None:
    return registry._dashboard_filters.get(name)
