from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audits.models import Finding, Process
from isova import records
from isova.accounts.tenancy import OrgRequest, get_for_org, has_perm, member_required, require
from isova.errors import DomainError
from isova.http import form_page, paginate, query_without_page, render_page, upload_page
from isova.lessons import services as lessons
from isova.models import Action

from . import csvio, reports, services
from .approved import as_approved
from .forms import FilterForm, ImportForm, MatrixForm, PlanActionForm, ReviewForm, RiskForm
from .models import Kind, Risk, RiskMatrix

PAGE_SIZE = 50


def _get_risk(request: OrgRequest, pk: int) -> Risk:
    """One risk of the request's organisation (404 otherwise)."""
    queryset = Risk.objects.select_related("owner", "process", "matrix", "created_by")
    return get_for_org(request, queryset, pk=pk)


def _errors(form: Any, error: Exception) -> None:
    form.add_error(None, getattr(error, "message", None) or str(error))


@member_required
def index(request: OrgRequest) -> HttpResponse:
    """The register: filters, sort, pages; HTMX swaps #results and keeps the address."""
    org = request.organisation
    today = org.today()
    matrix = services.current_matrix(org)
    form = FilterForm(request.GET or None, organisation=org, matrix=matrix)
    queryset = Risk.objects.for_org(org).with_flags(today).with_trend().for_list()
    approved_only = records.reads_approved_only(request.membership)
    if approved_only:  # the risks ever approved (or needing no approval), as the dashboard
        queryset = queryset.approved_reading()
    queryset = form.filter(queryset, today)
    page = paginate(request, queryset, PAGE_SIZE)
    if approved_only:  # staff read each risk as last approved (issue 22.3)
        page.object_list = [
            as_approved(r, [], r.approved_snapshot)[0] if r.approved_snapshot else r
            for r in page.object_list
        ]
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_edit": has_perm(request.membership, "risks.risk.edit"),
        "can_import": has_perm(request.membership, "risks.risk.import"),
        "colours": {b["name"]: b.get("colour", "") for b in matrix.bands},
    }
    return render_page(request, "risks/index.html", context, partial="results")


@member_required
def heat_map(request: OrgRequest) -> HttpResponse:
    """Inherent and residual positions side by side, each cell a link to the register."""
    org = request.organisation
    kind = request.GET.get("kind", Kind.RISK)
    if kind not in Kind.values:
        kind = Kind.RISK
    matrix = services.current_matrix(org)
    risks = Risk.objects.for_org(org).filter(kind=kind)
    if records.reads_approved_only(request.membership):  # as the register reads them
        risks = risks.approved_reading()
    maps = [
        {
            "basis": basis,
            "title": title,
            "grid": reports.heat_map(matrix, risks.cells(basis), basis, kind),
        }
        for basis, title in (("inherent", "Inherent"), ("residual", "Residual (current)"))
    ]
    context = {
        "matrix": matrix,
        "maps": maps,
        "kind": kind,
        "kinds": Kind.choices,
        "impact_levels": matrix.impact,
    }
    return render_page(request, "risks/heat_map.html", context, partial="maps")


def _risk_form(request: OrgRequest, instance: Risk | None = None, **kwargs: Any) -> RiskForm:
    org = request.organisation
    return RiskForm(
        request.POST or None,
        instance=instance,
        organisation=org,
        matrix=services.current_matrix(org),
        **kwargs,
    )


def _form_data(form: RiskForm) -> dict[str, Any]:
    names = (*services.RISK_FIELDS, "objectives", "findings")
    return {f: form.cleaned_data[f] for f in names}


def _from_finding(request: OrgRequest) -> dict[str, Any]:
    """A new risk prefilled from an audit finding (?finding=<id>, the finding's own org only)."""
    pk = request.GET.get("finding", "")
    if not pk.isdigit():
        return {}
    finding = get_for_org(request, Finding.objects.select_related("process"), pk=int(pk))
    return {
        "title": f"From finding {finding.reference}: {finding.description}"[:200],
        "description": f"Raised from audit finding {finding} ({finding.clause}).\n\n"
        + finding.description,
        "process": finding.process,
        "findings": [finding],
    }


@member_required
def create(request: OrgRequest) -> HttpResponse:
    require(request, "risks.risk.edit")
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.RISK
    initial = {"owner": request.user, "kind": kind} | _from_finding(request)
    form = _risk_form(request, initial=initial)
    return form_page(
        request,
        form,
        lambda: services.risk_create(membership=request.membership, **_form_data(form)),
        lambda risk: f"{risk.reference} raised. Add its treatment plan next.",
        "risks/form.html",
        {"risk": None},
    )


@member_required
def edit(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "risks.risk.edit")
    risk = _get_risk(request, pk)
    form = _risk_form(request, instance=risk)
    return form_page(
        request,
        form,
        lambda: services.risk_update(
            membership=request.membership, risk=_get_risk(request, pk), **_form_data(form)
        ),
        "Saved.",
        "risks/form.html",
        {"risk": risk},
        to=risk,
    )


def _chart(risk: Risk, assessments: list[Any]) -> dict[str, Any]:
    return {
        "reference": risk.reference,
        "x": [a.assessed_on.isoformat() for a in assessments],
        "y": [a.score for a in assessments],
        "text": [
            f"{a.get_kind_display()}: {a.band} ({a.likelihood}×{a.impact})" for a in assessments
        ],
        "inherent": risk.inherent_score,
        "target": (
            risk.target_likelihood * risk.target_impact
            if risk.target_likelihood and risk.target_impact
            else None
        ),
    }


@member_required
def detail(request: OrgRequest, pk: int) -> HttpResponse:
    risk = _get_risk(request, pk)
    today = request.organisation.today()
    assessments = list(risk.assessments.select_related("assessed_by", "matrix"))
    plan = list(Action.objects.for_source(risk).for_list().order_by("due_date", "pk"))
    panel = records.record_panel_context(request, risk)
    approved = panel["record"].approved
    if panel["record_reads_approved"] and approved is not None and approved.snapshot:
        risk, plan = as_approved(risk, plan, approved.snapshot)
    context = panel | {
        "risk": risk,
        "today": today,
        "assessments": assessments,
        "reviews": [a for a in reversed(assessments) if a.kind == "review"],
        "plan": plan,
        "chart": _chart(risk, assessments),
        "objectives": risk.objectives.all(),
        "findings": risk.findings.select_related("audit"),
        "can_edit": has_perm(request.membership, "risks.risk.edit"),
        "can_review": has_perm(request.membership, "risks.risk.review"),
        "overdue": bool(risk.next_review_date and risk.next_review_date < today)
        and risk.status != "closed",
        "band": risk.matrix.band_named(risk.residual_band) or {},
        "inherent_band": risk.matrix.band_named(risk.inherent_band) or {},
        "likelihood_name": _level(risk.matrix.likelihood, risk.residual_likelihood),
        "impact_name": _level(risk.matrix.impact, risk.residual_impact),
    }
    return render(request, "risks/detail.html", context)


def _level(scale: list[dict], n: int | None) -> str:
    return scale[n - 1]["name"] if n and 0 < n <= len(scale) else ""


@member_required
def review(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "risks.risk.review")
    # A reassessment a lesson learned asks for (?lesson=): checked before the form is read.
    lesson = lessons.lesson_to_improve(request)
    risk = _get_risk(request, pk)
    today = request.organisation.today()
    initial: dict[str, Any] = {
        "reviewed_on": today,
        "likelihood": risk.residual_likelihood,
        "impact": risk.residual_impact,
    }
    if lesson is not None:
        initial["note"] = lessons.improvement_text(lesson)
    form = ReviewForm(
        request.POST or None,
        matrix=services.current_matrix(request.organisation),
        initial=initial,
    )
    done = " The lesson is now an improvement." if lesson is not None else ""
    return form_page(
        request,
        form,
        lambda: services.risk_review_record(
            membership=request.membership, risk=risk, lesson=lesson, **form.cleaned_data
        ),
        f"Review recorded.{done}",
        "risks/review_form.html",
        {"risk": risk, "lesson": lesson},
        to=risk,
    )


@member_required
def plan_action_add(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "risks.risk.edit")
    risk = _get_risk(request, pk)
    today = request.organisation.today()
    form = PlanActionForm(
        request.POST or None,
        organisation=request.organisation,
        initial={"owner": risk.owner, "due_date": services.treatment_due(risk, today)},
    )
    return form_page(
        request,
        form,
        lambda: services.plan_action_add(
            membership=request.membership, risk=risk, **form.cleaned_data
        ),
        "Treatment action added.",
        "risks/plan_form.html",
        {"risk": risk},
        to=risk,
    )


@member_required
def matrix(request: OrgRequest) -> HttpResponse:
    """The matrix: the version in use, any newer draft, and every version (view with
    ?version=N); leaders and managers edit, then submit it for a leader's approval."""
    org = request.organisation
    current = services.current_matrix(org)
    versions = list(RiskMatrix.objects.for_org(org).order_by("-number"))
    number = request.GET.get("version", "")
    shown = next((m for m in versions if str(m.number) == number), None) or versions[0]
    can_edit = has_perm(request.membership, "risks.matrix.edit")
    form = None
    if can_edit:
        latest = versions[0]
        form = MatrixForm(request.POST or None, initial=MatrixForm.initial_for(latest))
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.matrix_update(membership=request.membership, **form.cleaned_data)
            except DomainError as error:
                _errors(form, error)
            else:
                messages.success(request, f"Matrix version {saved.number} saved as a draft.")
                return redirect(saved.get_absolute_url())
    elif request.method == "POST":
        raise PermissionDenied("Only leaders and managers change the matrix.")
    context = records.record_panel_context(request, shown) | {
        "matrix": shown,
        "current": current,
        "versions": versions,
        "form": form,
        "grid": reports.heat_map(shown, {}, "residual", "risk"),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "risks/matrix.html", context, status=status)


@require_GET
@member_required
def export(request: OrgRequest) -> HttpResponse:
    risks = Risk.objects.for_org(request.organisation).for_list().order_by("reference")
    response = HttpResponse(
        "".join(csvio.export_lines(risks.iterator(chunk_size=500))),
        content_type="text/csv; charset=utf-8",
    )
    name = f"risks-{request.organisation.slug}-{request.organisation.today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_required
def import_register(request: OrgRequest) -> HttpResponse:
    require(request, "risks.risk.import")
    return upload_page(
        request,
        ImportForm,
        lambda upload: csvio.import_register(membership=request.membership, upload=upload),
        csvio.ImportFailed,
        lambda created: f"Imported {len(created)} risk(s).",
        "risks:index",
        "risks/import.html",
        {"columns": csvio.COLUMNS, "processes": Process.objects.for_org(request.organisation)},
    )
