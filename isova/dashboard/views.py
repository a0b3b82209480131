"""The leadership dashboard: the panels apps register (`isova.registry`), in order.

The core keeps its own panels (approvals, actions) and registers them from
`IsovaConfig.ready()` like any app does; objectives and audits register theirs. The page
renders every visible panel at once (it works without JavaScript); each panel also has its
own URL so HTMX refreshes it in place every few minutes. Each builder runs a fixed number of
queries, so the whole page does too, whatever the size of the organisation
(tests/isova/test_dashboard.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from isova.accounts.models import Membership, Organisation
from isova.accounts.tenancy import OrgRequest, has_perm, member_required
from isova.actions.models import OUTSTANDING_STATUSES, Action, ActionStatus, overdue_q
from isova.http import render_page
from isova.records.models import RecordVersion
from isova.registry import Panel, PanelContext, registry

REFRESH_SECONDS = 300
SEEN_EVERY = datetime.timedelta(hours=1)
FILTER_PARAMS = ("owner", "process", "period")
PERIODS = [
    ("", "All time"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
]


def action_list_url(ctx: PanelContext, **params: Any) -> str:
    """The "All actions" list behind a figure, narrowed by the dashboard's owner and period."""
    query: dict[str, Any] = {}
    if "owner" in ctx.filters:
        query["owner"] = ctx.filters["owner"]
    if "since" in ctx.filters:
        query["created_from"] = ctx.filters["since"].isoformat()
    query.update(params)
    return reverse("action_list") + "?" + urlencode(query)


def actions_panel(ctx: PanelContext) -> dict[str, Any]:
    """Every action of the organisation: outstanding, overdue, awaiting verification, and the
    viewer's own (1 query). Honours the owner filter (not on "yours") and the period (actions
    created since); process does not apply to actions."""
    actions = Action.objects.for_org(ctx.organisation)
    if "since" in ctx.filters:
        actions = actions.created_since(ctx.filters["since"])
    owned = Q(owner_id=ctx.filters["owner"]) if "owner" in ctx.filters else Q()
    outstanding = Q(status__in=OUTSTANDING_STATUSES)
    counts = actions.aggregate(
        outstanding=Count("pk", filter=owned & outstanding),
        overdue=Count("pk", filter=owned & overdue_q(ctx.today)),
        awaiting_verification=Count("pk", filter=owned & Q(status=ActionStatus.DONE)),
        mine=Count("pk", filter=outstanding & Q(owner=ctx.request.user)),
    )
    return counts | {
        "urls": {
            "outstanding": action_list_url(ctx, status="outstanding"),
            "overdue": action_list_url(ctx, status="outstanding", overdue="on"),
            "awaiting_verification": action_list_url(ctx, status="done"),
            "mine": action_list_url(ctx, status="outstanding", owner=ctx.request.user.pk),
        },
    }


def approvals_panel(ctx: PanelContext) -> dict[str, Any]:
    """What waits for this leader's decision, oldest first (2 queries + 1 per kind of record)."""
    if not has_perm(ctx.membership, "isova.record.approve"):
        return {"can_approve": False, "waiting": [], "waiting_count": 0}
    waiting = (
        RecordVersion.objects.for_org(ctx.organisation)
        .awaiting_decision()
        .exclude(submitted_by=ctx.request.user)
    )
    return {
        "can_approve": True,
        "waiting": list(waiting.for_inbox()[:5]),
        "waiting_count": waiting.count(),
    }


CORE_PANELS = (
    Panel(
        name="approvals",
        title="Waiting for your approval",
        order=10,
        template="isova/dashboard/_approvals.html",
        build=approvals_panel,
        # waiting list, its count, the records of each kind waiting (1 per kind, ~3)
        max_queries=5,
    ),
    Panel(
        name="actions",
        title="All actions",
        order=90,
        template="isova/dashboard/_actions.html",
        build=actions_panel,
        max_queries=1,  # one aggregate
    ),
)


class DashboardFilterForm(forms.Form):
    """The filters every panel honours (plain GET). An invalid value is reported on its field
    and ignored; the others still apply."""

    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")
    process = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Process")
    period = forms.ChoiceField(choices=PERIODS, required=False, label="Period")

    def __init__(self, data: Any, *, organisation: Organisation) -> None:
        super().__init__(data)
        # 1 query: the organisation's members, by name
        people = Membership.objects.for_org(organisation).select_related("user")
        owners = sorted(
            ((m.user_id, m.user.get_full_name() or m.user.email) for m in people),
            key=lambda pair: pair[1].lower(),
        )
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", "Anyone"), *owners]
        # 1 query: the processes, from the app that has them (audits), when one is installed
        processes = registry.dashboard_filter("process")
        if processes is None:
            del self.fields["process"]
        else:
            process = self.fields["process"]
            assert isinstance(process, forms.ChoiceField)
            process.choices = [("", "Any process"), *processes(organisation)]

    def filters(self, today: datetime.date) -> dict[str, Any]:
        """The `PanelContext.filters` of the valid values (see isova.registry)."""
        self.is_valid()
        data = self.cleaned_data
        found: dict[str, Any] = {
            name: data[name] for name in ("owner", "process") if data.get(name) is not None
        }
        if data.get("period"):
            found["since"] = today - datetime.timedelta(days=int(data["period"]))
        return found


def _filtered(
    request: OrgRequest, *, form_needed: bool
) -> tuple[DashboardFilterForm | None, PanelContext]:
    """The form (built only when shown or when the address filters) and the panels' context."""
    organisation = request.organisation
    today = organisation.today()
    asked = any(request.GET.get(name) for name in FILTER_PARAMS)
    form = (
        DashboardFilterForm(request.GET, organisation=organisation)
        if form_needed or asked
        else None
    )
    ctx = PanelContext(
        request=request,
        organisation=organisation,
        membership=request.membership,
        today=today,
        filters=form.filters(today) if form is not None and asked else {},
    )
    return form, ctx


def filter_query(filters: dict[str, Any], request: OrgRequest) -> str:
    """The query string that keeps the valid filters ("" when none): panels' refresh URLs."""
    kept = {name: request.GET[name] for name in FILTER_PARAMS if request.GET.get(name)}
    valid = {k: v for k, v in kept.items() if (k if k != "period" else "since") in filters}
    return "?" + urlencode(valid) if valid else ""


def _render_panel(
    request: OrgRequest,
    panel: Panel,
    ctx: PanelContext,
    query: str,
    data: dict[str, Any] | None = None,
) -> str:
    """One panel's HTML; its partial reads its data under its name (`actions.overdue`)."""
    context = {
        panel.name: panel.build(ctx) if data is None else data,
        "panel": panel,
        "filters": ctx.filters,
        "filter_query": query,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render_to_string(panel.template, context, request=request)


def note_dashboard_seen(membership: Membership, now: datetime.datetime) -> None:
    """Record that the member opened the dashboard, at most once an hour: no query while the
    value loaded with the request is fresh, one conditional UPDATE otherwise (two tabs at
    once write once)."""
    seen = membership.last_seen_dashboard_at
    if seen is not None and now - seen < SEEN_EVERY:
        return
    stale = Q(last_seen_dashboard_at__isnull=True) | Q(last_seen_dashboard_at__lt=now - SEEN_EVERY)
    Membership.objects.filter(stale, pk=membership.pk).update(last_seen_dashboard_at=now)
    membership.last_seen_dashboard_at = now


@member_required
def dashboard(request: OrgRequest) -> HttpResponse:
    form, ctx = _filtered(request, form_needed=True)
    note_dashboard_seen(request.membership, timezone.now())
    query = filter_query(ctx.filters, request)
    panels = [p for p in registry.panels() if p.visible(request.membership)]
    built = {p.name: p.build(ctx) for p in panels}
    # A panel's scripts (Plotly for a chart) load only when it has something to draw.
    scripts = [s for p in panels if built[p.name].get("draws", True) for s in p.scripts]
    context: dict[str, Any] = {
        "form": form,
        "filters": ctx.filters,
        # (panel, its HTML): the page polls each panel's own URL, filters kept
        "rendered": [
            (p, mark_safe(_render_panel(request, p, ctx, query, built[p.name]))) for p in panels
        ],
        "panels": panels,
        "refresh_seconds": REFRESH_SECONDS,
        "filter_query": query,
        "panel_scripts": scripts,
    }
    return render_page(request, "isova/dashboard.html", context, partial="results")


@member_required
def panel(request: OrgRequest, name: str) -> HttpResponse:
    """One panel alone: what HTMX polls to keep the dashboard current (same filters)."""
    found = registry.panel(name)
    if found is None or not found.visible(request.membership):
        raise Http404("No such dashboard panel.")
    _, ctx = _filtered(request, form_needed=False)
    return HttpResponse(_render_panel(request, found, ctx, filter_query(ctx.filters, request)))
