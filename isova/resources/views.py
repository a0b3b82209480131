"""Pages: a plan's resources, the workload, one person's month (reassign from it), capacity."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova import records
from isova.accounts.models import Membership, User
from isova.accounts.tenancy import OrgRequest, get_for_org, has_perm, member_required, require
from isova.actions.models import Action
from isova.errors import DomainError
from isova.http import flash_redirect, safe_next
from isova.records.models import Approvable
from isova.records.snapshots import format_decimal

from . import services
from .forms import AllocationForm, CapacityForm, LineForm, ReassignForm, SpentForm, parse_month
from .models import Allocation, ResourceLine, ResourcePlan, add_months, month_start
from .plans import plan_resources, plan_url
from .workload import Cell, capacity_of, month_detail, workload

WINDOW = 6


def _get_plan(request: OrgRequest, type_id: int, pk: int) -> Any:
    """A plan of the request's organisation (any `ResourcePlan` model), or 404."""
    try:
        model = ContentType.objects.get_for_id(type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404("No such kind of plan.") from None
    if model is None or not issubclass(model, ResourcePlan):
        raise Http404("No such kind of plan.")
    return get_for_org(request, model._default_manager.all(), pk=pk)


@member_required
def plan_page(
    request: OrgRequest,
    type_id: int,
    pk: int,
    allocation_form: AllocationForm | None = None,
    line_form: LineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = _get_plan(request, type_id, pk)
    org = request.organisation
    today = org.today()
    context = {
        "plan": plan,
        "plan_kind": getattr(plan, "APPROVAL_NAME", "") or plan._meta.verbose_name,
        "type_id": type_id,
        "can_edit": has_perm(request.membership, "resources.allocation.edit"),
        "allocation_form": allocation_form
        or AllocationForm(
            organisation=org,
            initial={"start_month": month_start(today), "end_month": add_months(today, 2)},
        ),
        "line_form": line_form or LineForm(),
        # Where the plan's approval stands: a change here supersedes an approved version.
        "approval": records.state(plan) if isinstance(plan, Approvable) else None,
        **plan_resources(plan),
    }
    return render(request, "resources/plan.html", context, status=status)


@require_POST
@member_required
def allocation_add(request: OrgRequest, type_id: int, pk: int) -> HttpResponse:
    require(request, "resources.allocation.edit")
    plan = _get_plan(request, type_id, pk)
    form = AllocationForm(request.POST, organisation=request.organisation)
    if form.is_valid():
        try:
            allocation = services.allocation_add(
                membership=request.membership, plan=plan, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            text = f"Allocated {allocation.hours:f} h to {allocation.person.get_full_name()}."
            return flash_redirect(request, plan_url(plan), text)
    return plan_page(request, type_id, pk, allocation_form=form, status=422)


@require_POST
@member_required
def line_add(request: OrgRequest, type_id: int, pk: int) -> HttpResponse:
    require(request, "resources.allocation.edit")
    plan = _get_plan(request, type_id, pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            services.line_add(membership=request.membership, plan=plan, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return flash_redirect(request, plan_url(plan), "Added to the plan's resources.")
    return plan_page(request, type_id, pk, line_form=form, status=422)


@require_POST
@member_required
def part_delete(request: OrgRequest, kind: str, pk: int) -> HttpResponse:
    require(request, "resources.allocation.edit")
    model = {"allocation": Allocation, "line": ResourceLine}.get(kind)
    if model is None:
        raise Http404("No such kind.")
    part = get_for_org(request, model._default_manager.all(), pk=pk)
    to = safe_next(request, part.plan_url)
    try:
        services.part_delete(membership=request.membership, part=part)
    except DomainError as error:
        return flash_redirect(request, to, error.message, level=messages.ERROR)
    return flash_redirect(request, to, "Removed from the plan's resources.")


@require_POST
@member_required
def line_spent(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "resources.allocation.edit")
    line = get_for_org(request, ResourceLine.objects.all(), pk=pk)
    to = safe_next(request, line.plan_url)
    form = SpentForm(request.POST)
    if not form.is_valid():
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return flash_redirect(request, to, f"Not saved: {error}", level=messages.ERROR)
    services.line_record_spent(
        membership=request.membership, line=line, amount_spent=form.cleaned_data["amount_spent"]
    )
    return flash_redirect(request, to, f"Recorded the spend on “{line.description}”.")


# --- the workload ------------------------------------------------------------------------


def _first_month(request: OrgRequest, today: datetime.date) -> datetime.date:
    return parse_month(request.GET.get("from", "")) or month_start(today)


@member_required
def workload_page(request: OrgRequest) -> HttpResponse:
    require(request, "resources.workload.view")
    org = request.organisation
    today = org.today()
    first = _first_month(request, today)
    load = workload(org, first, WINDOW)
    only_over = request.GET.get("over") == "1"
    rows = load.over_allocated if only_over else load.rows
    context = {
        "load": load,
        "rows": rows,
        "only_over": only_over,
        "over_count": len(load.over_allocated),
        "first": first,
        "earlier": f"{add_months(first, -WINDOW):%Y-%m}",
        "later": f"{add_months(first, WINDOW):%Y-%m}",
        "this_month": f"{month_start(today):%Y-%m}",
        "from_value": f"{first:%Y-%m}",
        "can_capacity": has_perm(request.membership, "resources.capacity.edit"),
    }
    return render(request, "resources/workload.html", context)


def _member(request: OrgRequest, member_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user").get(
            organisation=request.organisation, pk=member_id
        )
    except Membership.DoesNotExist:
        raise Http404("No such member in this organisation.") from None


def _room(cell: Cell) -> str:
    """How much room a member has in the month, as the reassign picker says it."""
    if cell.over:
        return f"over by {format_decimal(cell.over_by)} h"
    return f"{format_decimal(cell.capacity - cell.hours)} h free"


@member_required
def person_month(request: OrgRequest, member_id: int, month: str) -> HttpResponse:
    require(request, "resources.workload.view")
    day = parse_month(month)
    if day is None:
        raise Http404("No such month.")
    org = request.organisation
    membership = _member(request, member_id)
    # Everyone's month (3 queries): this person's figures, and how much each other member has
    # free, shown beside their name in the reassign picker.
    rows = workload(org, day, 1).rows
    cell = next((r.cells[0] for r in rows if r.person.pk == membership.user_id), None)
    items = month_detail(org, membership.user, day)
    can_reassign = has_perm(request.membership, "resources.allocation.edit")
    others = [r for r in rows if r.person.pk != membership.user_id] if can_reassign else []
    context = {
        "person": membership.user,
        "month": day,
        "capacity": capacity_of(membership, org),
        "cell": cell,
        "items": items,
        "can_reassign": can_reassign,
        "members": [(r.person, _room(r.cells[0])) for r in others],
        "back": reverse("resources:workload") + f"?from={day:%Y-%m}",
    }
    return render(request, "resources/person_month.html", context)


@require_POST
@member_required
def reassign(request: OrgRequest, kind: str, pk: int) -> HttpResponse:
    require(request, "resources.allocation.edit")
    org = request.organisation
    if kind == "allocation":
        obj: Any = get_for_org(request, Allocation.objects.all(), pk=pk)
    elif kind == "action":
        obj = get_for_org(request, Action.objects.all(), pk=pk)
    else:
        raise Http404("No such kind.")
    to = safe_next(request, reverse("resources:workload"))
    form = ReassignForm(request.POST, organisation=org)
    if not form.is_valid():
        return flash_redirect(request, to, "Choose a member to reassign to.", level=messages.ERROR)
    person: User = form.cleaned_data["to"]
    try:
        if kind == "allocation":
            services.allocation_reassign(
                membership=request.membership, allocation=obj, person=person
            )
        else:
            version = form.cleaned_data.get("version") or obj.version
            services.action_reassign(
                membership=request.membership, action=obj, person=person, version=version
            )
    except DomainError as error:
        return flash_redirect(request, to, error.message, level=messages.ERROR)
    name = obj.plan_label if kind == "allocation" else obj.title
    return flash_redirect(request, to, f"Reassigned “{name}” to {person.get_full_name()}.")


@member_required
def capacity_page(request: OrgRequest) -> HttpResponse:
    require(request, "resources.workload.view")
    org = request.organisation
    can_edit = has_perm(request.membership, "resources.capacity.edit")
    if request.method == "POST":
        require(request, "resources.capacity.edit")
    members = list(
        Membership.objects.for_org(org)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    data = request.POST if request.method == "POST" else None
    form = CapacityForm(data, members=members, initial={"default": org.default_capacity_hours})
    if data is not None and form.is_valid():
        services.capacity_set(
            membership=request.membership,
            default=form.cleaned_data["default"],
            per_member=form.per_member(),
        )
        return flash_redirect(request, "resources:capacity", "Capacity saved.")
    status = 422 if data is not None else 200
    context = {"form": form, "can_edit": can_edit}
    return render(request, "resources/capacity.html", context, status=status)
