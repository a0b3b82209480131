from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from isova import records
from isova.accounts.tenancy import OrgRequest, get_for_org, has_perm, member_required, require
from isova.errors import DomainError
from isova.http import render_page
from isova.idempotency import create_once
from isova.models import Action, RecordVersion

from . import services
from .forms import DecisionForm, FilterForm
from .models import Decision, Shown, register_rows, signed_titles

PAGE_SIZE = 50


def _get_decision(request: OrgRequest, pk: int) -> Decision:
    """One decision of the request's organisation, with its state (404 otherwise)."""
    queryset = Decision.objects.with_state().select_related("owner", "created_by")
    return get_for_org(request, queryset, pk=pk)


@member_required
def index(request: OrgRequest) -> HttpResponse:
    """One register: recorded decisions and management reviews' outputs, newest first."""
    require(request, "decisions.decision.view")
    org = request.organisation
    today = org.today()
    signed_only = records.reads_approved_only(request.membership)
    form = FilterForm(request.GET or None, signed_only=signed_only)
    rows = register_rows(org, today=today, signed_only=signed_only, **form.values())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if signed_only:
        page.object_list = list(page.object_list)
        # Staff read each decision as last signed: its title then, its state "Signed".
        pks = [row["pk"] for row in page.object_list if row["source"] == "register"]
        titles = signed_titles(org, pks)
        for row in page.object_list:
            if row["source"] == "register":
                row["title"] = titles.get(row["pk"], row["title"])
                row["shown"] = Shown.SIGNED
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "today": today,
        "labels": dict(Shown.choices),
        "can_create": has_perm(request.membership, "decisions.decision.create"),
        "counts": Decision.objects.for_org(org).panel_counts(today),
        "signed_only": signed_only,
    }
    return render_page(request, "decisions/index.html", context, partial="results")


@member_required
def detail(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "decisions.decision.view")
    decision = _get_decision(request, pk)
    today = request.organisation.today()
    actions = Action.objects.for_source(decision).for_list().order_by("due_date", "pk")
    panel = records.record_panel_context(request, decision)
    links: dict[str, list[Any]] = {
        "processes": list(decision.processes.all()),
        "risks": list(decision.risks.all()),
        "objectives": list(decision.objectives.all()),
        "findings": list(decision.findings.select_related("audit")),
        "feedback": list(decision.feedback.all()),
    }
    if panel["record_reads_approved"]:
        decision, links = _as_signed(decision, panel["record"].approved, links)
    context = (
        panel
        | links
        | {
            "decision": decision,
            "today": today,
            "actions": list(actions),
            "can_edit": has_perm(request.membership, "decisions.decision.edit"),
            "review_due": bool(decision.review_date and decision.review_date <= today),
        }
    )
    return render(request, "decisions/detail.html", context)


def _as_signed(
    decision: Decision, signed: RecordVersion | None, links: dict[str, list[Any]]
) -> tuple[Decision, dict[str, list[Any]]]:
    """The decision as last signed, for staff (issue 22.3: the last approved version of
    everything, and nothing else); a decision never signed is not theirs to read (404)."""
    if signed is None or not signed.snapshot:
        raise Http404("This decision has not been signed yet.")
    snap = signed.snapshot
    shown = records.approved_copy(
        decision,
        snap,
        fields=("title", "context", "options", "decision", "rationale", "affects_customers",
                "revisit_reason"),
        dates=("decided_on", "review_date"),
    )  # fmt: skip
    shown.shown = Shown.SIGNED
    shown.version_number = signed.number
    shown.signed_at = signed.decided_at
    kept = {
        name: [row for row in rows if row.pk in records.approved_ids(snap, name)]
        for name, rows in links.items()
    }
    return shown, kept


def _data(form: DecisionForm) -> dict[str, Any]:
    names = [*services.FIELDS, *services.LINKS]
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


@member_required
def create(request: OrgRequest) -> HttpResponse:
    require(request, "decisions.decision.create")  # the role before the input
    org = request.organisation
    initial = {"owner": request.user, "decided_on": org.today()}
    form = DecisionForm(request.POST or None, organisation=org, revisiting=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = create_once(
                request,
                form,
                lambda: services.decision_create(membership=request.membership, **_data(form)),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if isinstance(made, HttpResponse):
                return made
            messages.success(
                request, "Decision recorded as a draft. Submit it for a leader to sign."
            )
            return redirect(made)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "decision": None, "revisiting": False}
    return render(request, "decisions/form.html", context, status=status)


@member_required
def edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Edit a draft, or revisit a signed decision (a new version; the signed one is kept)."""
    require(request, "decisions.decision.edit")
    decision = _get_decision(request, pk)
    revisiting = decision.shown == Shown.SIGNED
    form = DecisionForm(
        request.POST or None,
        instance=decision,
        organisation=request.organisation,
        revisiting=revisiting,
    )
    if request.method == "POST" and form.is_valid():
        data = _data(form)
        try:
            _, moved = services.decision_update(
                membership=request.membership, instance=_get_decision(request, pk), **data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _edit_message(moved))
            return redirect(decision)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "decision": decision, "revisiting": revisiting}
    return render(request, "decisions/form.html", context, status=status)


def _edit_message(moved: RecordVersion | None) -> str:
    if moved is None:
        return "Saved."
    if moved.submitted_at is None:
        return (
            f"Saved as version {moved.number}, a draft: the signed version is kept. "
            "Submit it for a leader to sign."
        )
    return "Saved. The submission went back to draft: submit it again for signing."
