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
import json
from typing import Any

from django import forms
from django.db.models import Case, Count, Q, QuerySet, Value, When, Window
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from isova.accounts.models import Membership, Organisation, User
from isova.accounts.tenancy import OrgRequest, has_perm, member_required
from isova.actions.models import (
    OUTSTANDING_STATUSES,
    Action,
    ActionStatus,
    escalated_to_leaders_by,
    overdue_q,
)
from isova.dashboard import memo
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


OVERDUE_SHOWN = 5
ACTION_FIGURES = ("outstanding", "overdue", "escalated", "awaiting_verification", "mine")


def actions_panel(ctx: PanelContext) -> dict[str, Any]:
    """Every action of the organisation: outstanding, overdue, awaiting verification, and the
    viewer's own, with the OVERDUE_SHOWN longest overdue (each offers "Assign") (1 query).
    Honours the owner filter (not on "yours") and the period (actions created since); process
    does not apply to actions."""
    actions = Action.objects.for_org(ctx.organisation)
    if "since" in ctx.filters:
        actions = actions.created_since(ctx.filters["since"])
    owned = Q(owner_id=ctx.filters["owner"]) if "owner" in ctx.filters else Q()
    outstanding = Q(status__in=OUTSTANDING_STATUSES)
    escalated_by = escalated_to_leaders_by(ctx.organisation, ctx.today)
    listed = owned & overdue_q(ctx.today)
    figures = {
        "outstanding": owned & outstanding,
        "overdue": listed,
        # overdue long enough for the escalation ladder to reach the leaders
        "escalated": listed & Q(due_date__lte=escalated_by),
        "awaiting_verification": owned & Q(status=ActionStatus.DONE),
        "mine": outstanding & Q(owner=ctx.request.user),
    }
    # The counts ride along with the longest overdue as window counts over every action
    # (as the approvals panel's total does): one query, not an aggregate and a list.
    rows = list(
        actions.select_related("owner")
        .annotate(**{f"n_{name}": Window(Count("pk", filter=q)) for name, q in figures.items()})
        .annotate(listed=Case(When(listed, then=Value(0)), default=Value(1)))
        .order_by("listed", "due_date", "pk")[:OVERDUE_SHOWN]
    )
    first = rows[0] if rows else None
    counts: dict[str, Any] = {name: getattr(first, f"n_{name}", 0) for name in ACTION_FIGURES}
    counts["overdue_shown"] = [a for a in rows if a.listed == 0]
    counts["can_assign"] = has_perm(ctx.membership, "isova.action.edit")
    return counts | {
        "escalated_after_days": ctx.organisation.escalate_to_leaders_after_days,
        "urls": {
            "outstanding": action_list_url(ctx, status="outstanding"),
            "overdue": action_list_url(ctx, status="outstanding", overdue="on"),
            "escalated": action_list_url(
                ctx, status="outstanding", overdue="on", due_to=escalated_by.isoformat()
            ),
            "awaiting_verification": action_list_url(ctx, status="done"),
            "mine": action_list_url(ctx, status="outstanding", owner=ctx.request.user.pk),
        },
    }


def approvals_panel(ctx: PanelContext) -> dict[str, Any]:
    """What waits for this leader's decision, oldest first, and how many (1 query + 1 per
    kind of record shown)."""
    if not has_perm(ctx.membership, "isova.record.approve"):
        return {"can_approve": False, "waiting": [], "waiting_count": 0}
    waiting = (
        RecordVersion.objects.for_org(ctx.organisation)
        .awaiting_decision()
        .exclude(submitted_by=ctx.request.user)
    )
    # the total rides along with the first five (a window count), not a second query
    shown = list(waiting.for_inbox().annotate(total=Window(Count("pk")))[:5])
    return {
        "can_approve": True,
        "waiting": shown,
        "waiting_count": shown[0].total if shown else 0,
    }


CORE_PANELS = (
    Panel(
        name="approvals",
        title="Waiting for your approval",
        order=10,
        template="isova/dashboard/_approvals.html",
        build=approvals_panel,
        # the five oldest waiting with the total (1), the records shown (1 per kind, ~3)
        max_queries=4,
    ),
    Panel(
        name="actions",
        title="All actions",
        order=90,
        template="isova/dashboard/_actions.html",
        build=actions_panel,
        max_queries=1,  # the longest overdue, every count riding along as a window count
    ),
)


OWNER_SUGGESTIONS = 8


def person_label(user: User) -> str:
    """How the owner field shows a member: name and e-mail, which tells namesakes apart."""
    name = user.get_full_name()
    return f"{name} ({user.email})" if name and name != user.email else user.email


def _person(membership: Membership) -> str:
    return person_label(membership.user)


def matching_members(organisation: Organisation, text: str) -> QuerySet[Membership]:
    """The organisation's members whose name or e-mail contains `text`, by name (no query
    until read; the owner search reads at most OWNER_SUGGESTIONS + 1 of them)."""
    found = Membership.objects.for_org(organisation).select_related("user")
    for word in text.split()[:4]:
        found = found.filter(Q(user__full_name__icontains=word) | Q(user__email__icontains=word))
    return found.order_by("user__full_name", "user__email")


class OwnerSearchInput(forms.TextInput):
    """A search input followed by the box its suggestions are swapped into."""

    input_type = "search"

    def __init__(self, *args: Any, box_id: str = "owner-suggestions", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.box_id = box_id

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        box = format_html(
            '<div id="{}" class="suggestions-box" aria-live="polite"></div>', self.box_id
        )
        return mark_safe(super().render(name, value, attrs, renderer) + box)


class OwnerField(forms.CharField):
    """A search box, not a list of every member: a member's id (from a suggestion or a
    figure's link), their shown label "Name (e-mail)", or part of a name or e-mail that
    matches exactly one member. With JavaScript it suggests members as the leader types
    (`owner_suggestions`); without, the form answers which people match. `pick=True` (the
    dashboard's dialogs) makes each suggestion fill the field in instead of filtering the
    dashboard by that person; `box_id` keeps two such fields on one page apart."""

    def __init__(
        self, *, box_id: str = "owner-suggestions", pick: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Owner")
        super().__init__(max_length=200, widget=OwnerSearchInput(box_id=box_id), **kwargs)
        self.widget.attrs.update(
            {
                "placeholder": "Anyone: type a name or e-mail",
                "autocomplete": "off",
                "hx-get": reverse_lazy("dashboard_owners"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": f"#{box_id}",
                # not the filter form's (inherited): its swap would replace the box itself
                # and its pushed address would become the suggestions' URL
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                "hx-include": "closest form",
                "aria-controls": box_id,
            }
        )
        if pick:
            self.widget.attrs["placeholder"] = "Type a name or e-mail"
            self.widget.attrs["hx-vals"] = json.dumps({"pick": box_id})


def resolve_owner(organisation: Organisation, text: str) -> Membership:
    """The one member `text` names (1 query), or ValidationError saying why not."""
    text = text.strip()
    if text.isdigit() and len(text) < 12:
        member = (
            Membership.objects.for_org(organisation)
            .select_related("user")
            .filter(user_id=int(text))
            .first()
        )
        if member is None:
            raise forms.ValidationError("No member of this organisation has that id.")
        return member
    if text.endswith(")") and "(" in text:  # the label the field shows: match the e-mail
        email = text[text.rindex("(") + 1 : -1].strip()
        found = list(
            Membership.objects.for_org(organisation)
            .select_related("user")
            .filter(user__email__iexact=email)[:1]
        )
        if found:
            return found[0]
    matches = list(matching_members(organisation, text)[: OWNER_SUGGESTIONS + 1])
    if not matches:
        raise forms.ValidationError(f"No member matches “{text}”.")
    if len(matches) > 1:
        shown = ", ".join(_person(m) for m in matches[:OWNER_SUGGESTIONS])
        more = " and more" if len(matches) > OWNER_SUGGESTIONS else ""
        raise forms.ValidationError(
            f"{len(matches) if not more else 'Several'} people match “{text}”: {shown}{more}. "
            "Type more of the name or e-mail."
        )
    return matches[0]


class DashboardFilterForm(forms.Form):
    """The filters every panel honours (plain GET). An invalid value is reported on its field
    and ignored; the others still apply."""

    owner = OwnerField()
    process = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Process")
    period = forms.ChoiceField(choices=PERIODS, required=False, label="Period")

    def __init__(self, data: Any, *, organisation: Organisation) -> None:
        super().__init__(data)
        self.organisation = organisation
        # 1 query: the processes, from the app that has them (audits), when one is installed
        processes = registry.dashboard_filter("process")
        if processes is None:
            del self.fields["process"]
        else:
            process = self.fields["process"]
            assert isinstance(process, forms.ChoiceField)
            process.choices = [("", "Any process"), *processes(organisation)]

    def clean_owner(self) -> int | None:
        """The owner's user id (1 query, only when the field is filled in)."""
        text = self.cleaned_data.get("owner") or ""
        if not text.strip():
            return None
        member = resolve_owner(self.organisation, text)
        # Show the person, not the id a link carried, when the form is drawn again.
        shown = dict(self.data.items())
        shown["owner"] = _person(member)
        self.data = shown
        return member.user_id

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
    """The query string that keeps the valid filters ("" when none): panels' refresh URLs.
    The owner goes as the resolved id, whatever the leader typed."""
    kept: dict[str, Any] = {}
    if "owner" in filters:
        kept["owner"] = filters["owner"]
    if "process" in filters:
        kept["process"] = filters["process"]
    if "since" in filters and request.GET.get("period"):
        kept["period"] = request.GET["period"]
    return "?" + urlencode(kept) if kept else ""


def _render_panel(
    request: OrgRequest,
    panel: Panel,
    ctx: PanelContext,
    query: str,
    data: dict[str, Any] | None = None,
) -> str:
    """One panel's HTML; its partial reads its data under its name (`actions.overdue`)."""
    context = {
        panel.name: memo.build_panel(panel, ctx) if data is None else data,
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
    with memo.scope():  # what several panels read (leaders, attendance) is read once
        built = {p.name: memo.build_panel(p, ctx) for p in panels}
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
    with memo.scope():
        html = _render_panel(request, found, ctx, filter_query(ctx.filters, request))
    return HttpResponse(html)


@member_required
def owner_suggestions(request: OrgRequest) -> HttpResponse:
    """Up to OWNER_SUGGESTIONS members matching what was typed in the owner field (1 query),
    each a link to the dashboard filtered by them with the other filters kept."""
    text = request.GET.get("owner", "").strip()[:200]
    members = (
        list(matching_members(request.organisation, text)[: OWNER_SUGGESTIONS + 1]) if text else []
    )
    keep = {k: request.GET[k] for k in ("process", "period") if request.GET.get(k)}
    suggestions = [
        (
            _person(m),
            m.get_role_display(),
            reverse("dashboard") + "?" + urlencode(keep | {"owner": m.user_id}),
        )
        for m in members[:OWNER_SUGGESTIONS]
    ]
    context = {
        "suggestions": suggestions,
        "more": len(members) > OWNER_SUGGESTIONS,
        "text": text,
        # a dialog's owner field: each suggestion fills it in (static/js/dashboard.js)
        "pick": request.GET.get("pick", "")[:60],
    }
    return render_page(request, "isova/dashboard/_owner_suggestions.html", context)
