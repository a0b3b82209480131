"""The plug-in contract: what apps (and the core's own packages) add to shared pages and jobs.

The core never imports an app. An app provides each hook from a module of the hook's name
(as Django's admin finds `admin.py`): `IsovaConfig.ready()` calls `autodiscover()`, which
imports that module from every installed app and from each core package (`isova/actions/`,
...), and the module registers its contributions at import with the one call

    registry.register(HOOK, contribution, name=...)

`name` defaults to the contribution's own `name` (or `key`); a bare function needs one.
Registering a name twice for a hook is an error, so a typo cannot replace another app's.
`registry.unregister(name)` removes a name from every hook (tests register throwaways).

Hook (module)              contribution: what it receives -> returns
-------------------------  ----------------------------------------------------------------
panels (panels.py)         `Panel`: build(PanelContext) -> template context; dashboard panel
glance (glance.py)         `Glance`: build(PanelContext) -> list[GlanceFigure]; a group of the
                           dashboard's "At a glance" block (read a panel's figures with
                           `isova.dashboard.memo.panel_data`, so both show the same numbers)
alerts (alerts.py)         fn(organisation, today) -> Iterable[Alert]; the hourly alert scan
briefing (briefing.py)     `BriefingSection`: build(organisation, since, today) -> lines
calendar (calendar.py)     fn(membership) -> Iterable[CalendarEvent]; personal calendar feed
upcoming (upcoming.py)     fn(organisation, start, end, filters) -> Iterable[UpcomingItem]
health (health.py)         `HealthFigure`: build(organisation, today) -> list[HealthReading]
leader_activity (health.py) fn(organisation) -> {user id: last day they acted as a leader}
filters (filters.py)       fn(organisation) -> [(pk, label)]: a dashboard filter's choices
evidence (evidence.py)     `EvidenceSource`: build(organisation, start, end) -> Evidence|Gap
review_inputs (review_inputs.py) `ReviewInput`: build(organisation, since, until) -> dict
demo (demo.py)             `DemoSeeder`: seed(organisation, users_by_email, rng) -> None
bench (bench.py)           the module: NAME, seed(BenchOrg) -> {table: rows}, PAGES
permissions (permissions.py) {"app.thing.verb": frozenset of roles}: the role matrix
api (api.py)               `isova.api.registry.Resource`: a viewset under /api/v1/<prefix>/
imports (imports.py)       `isova.imports.kinds.ImportKind`: a register people import (CSV/XLSX)
exports (imports.py)       `isova.imports.kinds.ExportKind`: a register as CSV/XLSX
inviter (imports.py)       `isova.imports.kinds.Inviter`: how an import invites the people it
                           names who are not members yet (isova.onboarding's invitations)
webhooks (webhooks.py)     description (str), by event name: an event webhooks may hear
improvements (improvements.py) `isova.lessons.hooks.ImprovementTarget`: what a lesson can
                           change ("review an objective", "reassess a risk")
my_work (mine.py)          `MyWorkSection`: build(membership, today) -> context; "My work"
signing (signing.py)       `SigningProvider`: offer(request) -> SigningOffer | None, take(request)
                           -> ProviderSignIn | None; confirming a signature at the organisation's
                           identity provider instead of the password (isova.onboarding's SSO)

The core's pages and jobs read them back through the readers on `Registry` (`panels()`,
`alert_sources()`, `briefing_sections()`, ...), each in a fixed order.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from isova.accounts.models import Membership, Organisation, User
    from isova.accounts.tenancy import OrgRequest
    from isova.records.chain import ProviderSignIn


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


# --- the dashboard's "At a glance" block ---------------------------------------------------


@dataclass(frozen=True)
class GlanceFigure:
    """One figure of the "At a glance" block: a count (`value` an int) that links to the list
    of exactly those items, `url` filtered so that the list shows the same count; or a
    reading in words (`value` a str: "red", "12% behind plan"), with `points` a sparkline of
    recent values oldest first. `tone` colours it ("good", "warn", "bad", "" neutral); the
    label and value say the same in words. `note` is a short aside ("2 more than a week
    ago")."""

    label: str
    value: int | str
    url: str
    tone: str = ""
    note: str = ""
    points: tuple[float, ...] = ()
    # How it moved, shown after the figure ("+2 since 28 Nov"); "" when not known.
    change: str = ""

    @property
    def is_count(self) -> bool:
        return isinstance(self.value, int)


@dataclass(frozen=True)
class Glance:
    """A group of the "At a glance" block ("Objectives", "Waiting for you"): `build` returns
    its figures (an empty list hides the group), reusing what the panels below compute
    (`isova.dashboard.memo.panel_data`) so that it adds few or no queries; `visible` says who
    sees it."""

    name: str
    title: str
    order: int
    build: Callable[[PanelContext], list[GlanceFigure]]
    visible: Callable[[Membership], bool] = _everyone


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


# --- signing with a fresh sign-in at the provider ----------------------------------------------


@dataclass(frozen=True)
class SigningOffer:
    """How the signer may confirm a signature at their organisation's identity provider.

    `start_url` begins the fresh sign-in (append `&binding=<hash shown>&next=<page>`);
    `required`: the password is not accepted for this person; `confirmed`: the hash a fresh
    sign-in waiting in the session was made for ("" when there is none)."""

    provider: str
    start_url: str
    required: bool
    confirmed: str = ""


@dataclass(frozen=True)
class SigningProvider:
    """`offer(request)`: what the signing forms show the signed-in member (None: the password
    only); `take(request)`: the fresh sign-in waiting in the session, removed (one use)."""

    name: str
    offer: Callable[[OrgRequest], SigningOffer | None]
    take: Callable[[OrgRequest], ProviderSignIn | None]


# --- the registry ----------------------------------------------------------------------------


# The hooks, each with the module that provides it in every app.
HOOKS: dict[str, str] = {
    "panels": "panels",
    "glance": "glance",
    "alerts": "alerts",
    "briefing": "briefing",
    "calendar": "calendar",
    "upcoming": "upcoming",
    "health": "health",
    "leader_activity": "health",
    "filters": "filters",
    "evidence": "evidence",
    "review_inputs": "review_inputs",
    "demo": "demo",
    "bench": "bench",
    "permissions": "permissions",
    "api": "api",
    "imports": "imports",
    "exports": "imports",
    "inviter": "imports",
    "webhooks": "webhooks",
    "improvements": "improvements",
    "my_work": "mine",
    "signing": "signing",
    # isova.onboarding: open work people own (reassigned on deactivation), first-run steps.
    "owned_work": "onboarding",
    "checklist": "onboarding",
}

# The core's packages, searched for hook modules like the installed apps.
CORE_PACKAGES = (
    "isova.accounts",
    "isova.actions",
    "isova.records",
    "isova.notifications",
    "isova.dashboard",
    "isova.evidence",
    "isova.health",
)


def _by_order(item: Any) -> tuple[int, str]:
    return (item.order, getattr(item, "name", None) or item.key)


class Registry:
    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Any]] = {hook: {} for hook in HOOKS}
        # Every permission of every app in one table (isova.accounts.tenancy reads it).
        self.permission_table: dict[str, frozenset[str]] = {}

    def register(self, hook: str, contribution: Any, name: str | None = None) -> None:
        """Add `contribution` to `hook` under `name` (default: its `name` or `key`)."""
        if hook not in self._tables:
            raise ValueError(f"there is no hook {hook!r} (see isova.registry.HOOKS)")
        name = name or getattr(contribution, "name", None) or getattr(contribution, "key", None)
        if not name:
            raise ValueError(f"a {hook} contribution needs a name")
        table = self._tables[hook]
        if name in table:
            raise ValueError(f"{hook} {name!r} is registered twice")
        if hook == "permissions":
            clashes = set(contribution) & set(self.permission_table)
            if clashes:
                raise ValueError(f"permissions declared twice: {sorted(clashes)}")
            self.permission_table.update(contribution)
        table[name] = contribution

    def unregister(self, name: str) -> None:
        """Remove everything registered under `name` (tests register throwaway ones)."""
        for hook, table in self._tables.items():
            removed = table.pop(name, None)
            if hook == "permissions" and removed:
                for perm in removed:
                    self.permission_table.pop(perm, None)

    def autodiscover(self) -> None:
        """Import every installed app's and core package's hook modules (they register)."""
        from django.utils.module_loading import autodiscover_modules, module_has_submodule

        modules = sorted(set(HOOKS.values()))
        for package_name in CORE_PACKAGES:
            package = import_module(package_name)
            for module in modules:
                if module_has_submodule(package, module):
                    import_module(f"{package_name}.{module}")
        autodiscover_modules(*modules)

    # --- readers, one per hook, each in a fixed order ---------------------------------

    def contributions(self, hook: str) -> list[Any]:
        """What was registered for `hook`, in registration order (the API's resources)."""
        return list(self._tables[hook].values())

    def named_contributions(self, hook: str) -> dict[str, Any]:
        """`hook`'s contributions by name (webhook events and their descriptions)."""
        return dict(self._tables[hook])

    def panels(self) -> list[Panel]:
        return sorted(self._tables["panels"].values(), key=_by_order)

    def panel(self, name: str) -> Panel | None:
        return self._tables["panels"].get(name)

    def glance_groups(self) -> list[Glance]:
        return sorted(self._tables["glance"].values(), key=_by_order)

    def alert_sources(self) -> list[tuple[str, AlertSource]]:
        return sorted(self._tables["alerts"].items())

    def briefing_sections(self) -> list[BriefingSection]:
        return sorted(self._tables["briefing"].values(), key=_by_order)

    def calendar_sources(self) -> list[tuple[str, CalendarSource]]:
        return sorted(self._tables["calendar"].items())

    def upcoming_sources(self) -> list[tuple[str, UpcomingSource]]:
        return sorted(self._tables["upcoming"].items())

    def health_figures(self) -> list[HealthFigure]:
        return sorted(self._tables["health"].values(), key=_by_order)

    def leader_activities(self) -> list[tuple[str, LeaderActivity]]:
        return sorted(self._tables["leader_activity"].items())

    def dashboard_filter(self, name: str) -> FilterChoices | None:
        return self._tables["filters"].get(name)

    def my_work_sections(self) -> list[MyWorkSection]:
        return sorted(self._tables["my_work"].values(), key=_by_order)

    def owned_work(self) -> list[Any]:
        """isova.onboarding.hooks.OwnedWork contributions, in order."""
        return sorted(self._tables["owned_work"].values(), key=_by_order)

    def checklist_items(self) -> list[Any]:
        """isova.onboarding.hooks.ChecklistItem contributions, in order."""
        return sorted(self._tables["checklist"].values(), key=_by_order)

    def signing_provider(self) -> SigningProvider | None:
        """The one way to confirm a signature other than the password (None: none)."""
        return next(iter(self._tables["signing"].values()), None)

    def review_inputs(self) -> list[ReviewInput]:
        return sorted(
            self._tables["review_inputs"].values(), key=lambda s: (s.order, s.clause, s.key)
        )

    def evidence_sources(self) -> list[EvidenceSource]:
        return sorted(self._tables["evidence"].values(), key=lambda s: s.name)

    def import_kinds(self) -> list[Any]:
        return sorted(self._tables["imports"].values(), key=_by_order)

    def import_kind(self, name: str) -> Any:
        return self._tables["imports"].get(name)

    def export_kinds(self) -> list[Any]:
        return sorted(self._tables["exports"].values(), key=_by_order)

    def export_kind(self, name: str) -> Any:
        return self._tables["exports"].get(name)

    def inviter(self) -> Any:
        """The one way an import invites people (isova.imports.kinds.Inviter; None: none)."""
        return next(iter(self._tables["inviter"].values()), None)

    def improvement_targets(self) -> list[Any]:
        """isova.lessons.hooks.ImprovementTarget contributions, in order."""
        return sorted(self._tables["improvements"].values(), key=_by_order)

    def improvement_target(self, name: str) -> Any:
        return self._tables["improvements"].get(name)

    def bench_seeders(self) -> list[Any]:
        """The apps' bench modules, in the order they registered (installed apps' order)."""
        return list(self._tables["bench"].values())

    def demo_seeders(self) -> list[DemoSeeder]:
        """Every seeder after those it names in `after` (a cycle or unknown name is an error)."""
        demo: dict[str, DemoSeeder] = self._tables["demo"]
        done: list[DemoSeeder] = []
        placed: set[str] = set()
        visiting: set[str] = set()

        def place(name: str) -> None:
            if name in placed:
                return
            if name in visiting:
                raise ValueError(f"demo seeders depend on each other in a cycle at {name!r}")
            if name not in demo:
                raise ValueError(f"demo seeder {name!r} is named in `after` but not registered")
            visiting.add(name)
            for before in demo[name].after:
                place(before)
            visiting.discard(name)
            placed.add(name)
            done.append(demo[name])

        for name in sorted(demo):
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


# --- weekly briefing (appended by the alerts work) --------------------------------------------


@dataclass(frozen=True)
class BriefingSection:
    """A section of the leaders' weekly briefing: `build(organisation, since, today)` returns
    its lines (empty: the section is left out), in a fixed number of queries."""

    name: str
    title: str
    order: int
    build: Callable[[Organisation, datetime.date, datetime.date], list[str]]


# --- "My work": what one person owns (the page every member reaches from the navigation) ---


@dataclass(frozen=True)
class MyWorkSection:
    """A section of the "My work" page: `build(membership, today)` returns `template`'s
    context (None: nothing to show) in a fixed number of queries, whatever the data."""

    name: str
    title: str
    order: int
    template: str
    build: Callable[[Membership, datetime.date], dict[str, Any] | None]


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
    # A few words for the "At a glance" block's one line of health ("Late findings").
    short: str = ""


# `fn(organisation)`: per user id, the last day they acted as a leader (approved or signed,
# assigned an action, reviewed an objective or a risk). Preferably a queryset of
# (user id, date) pairs, `values_list(user).annotate(day=...)`, restricted to the leaders
# (`isova.health.services.leader_ids`): the core reads every such source in one UNION query. A dict
# {user id: date} still works, at one query of its own.
LeaderActivity = Callable[["Organisation"], "dict[int, datetime.date] | QuerySet[Any, Any]"]


# --- dashboard filters (appended by the dashboard-filters work) -------------------------------

FilterChoices = Callable[["Organisation"], list[tuple[int, str]]]
