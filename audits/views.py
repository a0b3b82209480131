"""Pages of the audits app: the programme, audits, the findings register and 10.2 steps."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova import history, records
from isova.accounts import tenancy
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.actions import permissions as action_permissions
from isova.clauses import CLAUSES
from isova.errors import DomainError
from isova.forms import member_choices
from isova.http import (
    act_and_redirect,
    flash_redirect,
    paginate,
    query_without_page,
    render_page,
    save_or_error,
)
from isova.idempotency import create_once, save_once
from isova.models import Action, SignOff

from . import services
from .forms import (
    AuditForm,
    AuditReportForm,
    AuditSettingsForm,
    ContainmentForm,
    CorrectiveActionForm,
    EffectivenessForm,
    EffectivenessPlanForm,
    FindingFilterForm,
    FindingForm,
    ProcessForm,
    RiskDecisionForm,
    RootCauseForm,
    SignForm,
    StartForm,
    validate_year,
)
from .models import (
    Audit,
    AuditSettings,
    AuditStatus,
    Finding,
    FindingType,
    Process,
    independence_warnings,
)

PAGE_SIZE = 25
# Who and when of each step: the history line itself says who changed what, and when.
HISTORY_IGNORED = (
    "created_at",
    "containment_at",
    "containment_by",
    "root_cause_at",
    "root_cause_by",
    "risk_decided_at",
    "risk_decided_by",
    "effectiveness_at",
    "effectiveness_by",
    "closed_by",
)


def _get_audit(request: OrgRequest, pk: int) -> Audit:
    """The audit `pk` of the request's organisation, or 404."""
    qs = Audit.objects.for_programme().select_related("process__owner")
    return get_for_org(request, qs, pk=pk)


def _get_finding(request: OrgRequest, pk: int) -> Finding:
    qs = Finding.objects.select_related("audit", "process__owner", "raised_by")
    return get_for_org(request, qs, pk=pk)


# --- the programme ----------------------------------------------------------------------


@member_required
def index(request: OrgRequest) -> HttpResponse:
    """The year's audit programme, month by month; late audits flagged."""
    org = request.organisation
    today = org.today()
    try:
        year = validate_year(request.GET.get("year"), today.year)
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400)
    audits = list(Audit.objects.for_org(org).in_year(year).for_programme().with_flags(today))
    months: list[dict[str, Any]] = [
        {"number": m, "name": calendar.month_name[m], "audits": []} for m in range(1, 13)
    ]
    for audit in audits:
        months[audit.planned_date.month - 1]["audits"].append(audit)
    years = sorted({*Audit.objects.for_org(org).years(), today.year, year})
    context = {
        "year": year,
        "years": years,
        "months": months,
        "audits": audits,
        "late_count": sum(a.late for a in audits),
        "today": today,
    }
    return render_page(request, "audits/programme.html", context, partial="programme")


# --- audits -----------------------------------------------------------------------------


def _audit_form_page(request: OrgRequest, form: AuditForm, audit: Audit | None) -> HttpResponse:
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit})


@member_required
def audit_create(request: OrgRequest) -> HttpResponse:
    require(request, "audits.audit.plan")
    org = request.organisation
    initial = {"lead_auditor": request.user, "planned_date": org.today()}
    form = AuditForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        done = save_once(
            request,
            form,
            lambda: services.audit_plan(membership=request.membership, **form.service_fields()),
            lambda audit: f"Audit {audit.reference} is on the programme.",
        )
        if done:
            return done
    return _audit_form_page(request, form, None)


@member_required
def audit_edit(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "audits.audit.plan")
    audit = _get_audit(request, pk)
    form = AuditForm(request.POST or None, instance=audit, organisation=request.organisation)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        done = save_or_error(
            request,
            form,
            lambda: services.audit_update(
                membership=request.membership, audit=audit, **form.service_fields()
            ),
            "Audit saved.",
            audit,
        )
        if done:
            return done
    return _audit_form_page(request, form, audit)


def _audit_context(
    request: OrgRequest, audit: Audit, *, with_actions: bool = False, **forms: Any
) -> dict[str, Any]:
    today = request.organisation.today()
    team = list(audit.team.all())
    findings = audit.findings.for_register().with_flags(today).order_by("number")
    if with_actions:
        findings = findings.with_actions()
    return {
        "audit": audit,
        "team": team,
        "findings": list(findings),
        "warnings": independence_warnings(audit.process, audit.lead_auditor, team),
        "report_blockers": services.report_blockers(audit),
        "today": today,
        "late": audit.is_late(today),
        "start_form": forms.get("start_form") or StartForm(),
        "report_form": forms.get("report_form") or AuditReportForm(instance=audit),
        "signoffs": _signoffs(audit),
    } | _signing(request, audit, forms.get("sign_form"))


def _signing(request: OrgRequest, audit: Audit, form: SignForm | None) -> dict[str, Any]:
    """The issue form, and how it is signed: the password, or confirming at the provider
    for the audit as shown (while it is in progress: only then is it issued)."""
    in_progress = audit.status == AuditStatus.IN_PROGRESS
    return records.standalone_signing(request, audit, SignForm, form, may_sign=in_progress)


def _signoffs(obj: Audit | Finding) -> list[SignOff]:
    """The record's sign-offs ("issued", "verified") in chain order: one query."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        SignOff.objects.filter(
            organisation_id=obj.organisation_id, content_type=content_type, object_id=obj.pk
        ).order_by("sequence")
    )


def _audit_refused(request: OrgRequest, audit: Audit, **forms: Any) -> HttpResponse:
    """The audit's page again (422) with the refused form as sent, the audit as saved."""
    audit.refresh_from_db()
    context = _audit_context(request, audit, **forms)
    return render(request, "audits/audit_detail.html", context, status=422)


@member_required
def audit_detail(request: OrgRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    return render(request, "audits/audit_detail.html", _audit_context(request, audit))


@member_required
def audit_report(request: OrgRequest, pk: int) -> HttpResponse:
    """The audit report as a printable page for the certification auditor."""
    audit = _get_audit(request, pk)
    context = _audit_context(request, audit, with_actions=True)
    return render(request, "audits/audit_report.html", context)


@require_POST
@member_required
def audit_start(request: OrgRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    require(request, "audits.audit.plan")  # the role before the form
    form = StartForm(request.POST)
    if not form.is_valid():
        return _audit_refused(request, audit, start_form=form)
    return act_and_redirect(
        request,
        lambda: services.audit_start(
            membership=request.membership, audit=audit, **form.cleaned_data
        ),
        audit,
        f"Audit {audit.reference} is in progress.",
    )


@require_POST
@member_required
def audit_save_report(request: OrgRequest, pk: int) -> HttpResponse:
    """Save the summary and conclusion while the audit runs (the draft of its report)."""
    audit = _get_audit(request, pk)
    form = AuditReportForm(request.POST, instance=Audit(organisation=audit.organisation))
    update = partial(services.audit_update, membership=request.membership, audit=audit)
    if form.is_valid():
        saved = "Summary and conclusion saved."
        done = save_or_error(request, form, lambda: update(**form.cleaned_data), saved, audit)
        if done:
            return done
    return _audit_refused(request, audit, report_form=form)


@require_POST
@member_required
def audit_issue(request: OrgRequest, pk: int) -> HttpResponse:
    """Issue the report: signed with the member's password, meaning "issued"."""
    audit = _get_audit(request, pk)
    form, done = records.sign_posted(
        request,
        SignForm,
        partial(services.audit_report, membership=request.membership, audit=audit),
        f"The report of {audit.reference} is issued and signed.",
        audit,
    )
    if done:
        return done
    return _audit_refused(request, audit, sign_form=form)


@require_POST
@member_required
def audit_close(request: OrgRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    return act_and_redirect(
        request,
        lambda: services.audit_close(membership=request.membership, audit=audit),
        audit,
        f"Audit {audit.reference} is closed.",
    )


# --- findings ---------------------------------------------------------------------------


def _clause_datalist() -> list[tuple[str, str]]:
    return list(CLAUSES.items())


@member_required
def finding_create(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "audits.finding.raise")
    audit = _get_audit(request, pk)
    org = request.organisation
    form = FindingForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        raise_finding = partial(services.finding_raise, membership=request.membership, audit=audit)
        done = save_once(
            request,
            form,
            lambda: raise_finding(**form.cleaned_data),
            lambda finding: (
                f"Finding {finding.reference} raised; response due {finding.response_due:%d %B %Y}."
            ),
        )
        if done:
            return done
    settings_row = AuditSettings.for_org(org)
    sla = [(t.label, settings_row.sla_days(t.value)) for t in FindingType]
    context = {"form": form, "audit": audit, "clauses": _clause_datalist(), "sla": sla}
    return render(request, "audits/finding_form.html", context)


@member_required
def finding_edit(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "audits.finding.raise")
    finding = _get_finding(request, pk)
    form = FindingForm(request.POST or None, instance=finding, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.finding_update(
                membership=request.membership, finding=finding, **form.cleaned_data
            ),
            "Finding saved.",
            finding,
        )
        if done:
            return done
    context = {
        "form": form,
        "audit": finding.audit,
        "finding": finding,
        "clauses": _clause_datalist(),
    }
    return render(request, "audits/finding_form.html", context)


@member_required
def finding_list(request: OrgRequest) -> HttpResponse:
    """The findings register: filters, HTMX updates of the results, pages of 25."""
    org = request.organisation
    today = org.today()
    form = FindingFilterForm(request.GET or None, organisation=org)
    qs = form.filter(Finding.objects.for_org(org).for_register().with_flags(today), today)
    page = paginate(request, qs.order_by("-raised_on", "-pk"), PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "query": query_without_page(request),
    }
    return render_page(request, "audits/finding_list.html", context, partial="results")


def _finding_context(request: OrgRequest, finding: Finding, **forms: Any) -> dict[str, Any]:
    org = request.organisation
    membership = request.membership
    today = org.today()
    actions = list(Action.objects.for_source(finding).for_list().order_by("pk"))
    live = [a for a in actions if a.is_live]
    workers = services.action_workers(finding)
    action_rows = action_permissions.action_rows(membership, actions)
    records = list(finding.history.order_by("-history_date", "-history_id")[:50])
    users = {u.pk: u.get_full_name() for u in member_choices(org)}
    return {
        "finding": finding,
        "audit": finding.audit,
        "today": today,
        "overdue": finding.is_overdue(today),
        "action_rows": action_rows,
        "live_actions": live,
        "unfinished": services._unfinished(live),
        "verify_blockers": services.verify_blockers(finding, today, live),
        "owns_or_did_an_action": services.is_action_owner(membership, workers),
        "can_verify": services.can_verify_effectiveness(membership, workers),
        "close_blockers": services.close_blockers(finding, live),
        "containment_form": forms.get("containment_form")
        or ContainmentForm(initial={"containment": finding.containment}),
        "root_cause_form": forms.get("root_cause_form")
        or RootCauseForm(initial=RootCauseForm.initial_for(finding)),
        "action_form": forms.get("action_form")
        or CorrectiveActionForm(organisation=org, initial={"due_date": finding.response_due}),
        "plan_form": forms.get("plan_form")
        or EffectivenessPlanForm(initial={"check_after": finding.effectiveness_check_after}),
        "risk_form": forms.get("risk_form")
        or RiskDecisionForm(initial=_risk_initial(finding), organisation=request.organisation),
        "history": history.entries(records, users=users, ignore=HISTORY_IGNORED),
        "signoffs": _signoffs(finding),
    } | _verify_signing(request, finding, workers, forms.get("effectiveness_form"))


def _verify_signing(
    request: OrgRequest, finding: Finding, workers: set[int], form: EffectivenessForm | None
) -> dict[str, Any]:
    """The effectiveness form, and how an "effective" check is signed: the password, or
    confirming at the provider for the finding as shown (its hash only then worked out)."""
    can = services.can_verify_effectiveness(request.membership, workers)
    return records.standalone_signing(
        request, finding, EffectivenessForm, form, name="effectiveness_form", may_sign=can
    )


def _risk_initial(finding: Finding) -> dict[str, Any]:
    if finding.risk_changes is None:
        return {}
    return {
        "changes_risks": "yes" if finding.risk_changes else "no",
        "note": finding.risk_note,
        "risks": list(finding.risks.all()),
    }


@member_required
def finding_detail(request: OrgRequest, pk: int) -> HttpResponse:
    finding = _get_finding(request, pk)
    return render(request, "audits/finding_detail.html", _finding_context(request, finding))


def _step(
    request: OrgRequest,
    pk: int,
    form_class: type[Any],
    write: Callable[[Finding, Any], Any],
    *,
    perm: str,
    form_name: str = "",
    **form_kwargs: Any,
) -> HttpResponse:
    """One 10.2 step: validate the form, `write(finding, form)` (the service call), or show the
    page with the errors, at the form's anchor.

    The role's permission for the step is checked before the form is read, so a member who
    may not do it gets 403 whatever they send (the service checks it again)."""
    finding = _get_finding(request, pk)
    require(request, perm)
    form = form_class(request.POST, organisation=request.organisation, **form_kwargs)
    if form.is_valid():
        to = f"{finding.get_absolute_url()}#{form.anchor}"
        done = save_or_error(request, form, lambda: write(finding, form), form.done, to)
        if done:
            return done
    finding.refresh_from_db()
    context = _finding_context(request, finding, **{form_name or f"{form.step}_form": form})
    context["focus"] = form.anchor
    return render(request, "audits/finding_detail.html", context, status=422)


# The steps recorded by a form and a service alone, by the step the form names (urls.py gives
# each its address): the service is given the member, the finding and the form's fields.
STEPS: dict[str, tuple[type[Any], Callable[..., Any]]] = {
    "containment": (ContainmentForm, services.finding_record_containment),
    "root_cause": (RootCauseForm, services.finding_record_root_cause),
    "plan": (EffectivenessPlanForm, services.finding_plan_effectiveness_check),
    "risk": (RiskDecisionForm, services.finding_record_risk_decision),
}


@require_POST
@member_required
def finding_step(request: OrgRequest, pk: int, step: str) -> HttpResponse:
    """Containment, root cause, the effectiveness check's date, the decision on risks."""
    form_class, service = STEPS[step]

    def write(finding: Finding, form: Any) -> Any:
        fields = form.step_fields()
        return service(membership=request.membership, finding=finding, **fields)

    return _step(request, pk, form_class, write, perm="audits.finding.respond")


@require_POST
@member_required
def finding_add_action(request: OrgRequest, pk: int) -> HttpResponse:
    def write(finding: Finding, form: CorrectiveActionForm) -> None:
        # A repeat of the same form assigns nothing again (and lands on the same page).
        create_once(
            request,
            form,
            lambda: services.finding_assign_action(
                membership=request.membership, finding=finding, **form.action_fields()
            ),
            url=lambda _: f"{finding.get_absolute_url()}#actions",
        )

    return _step(request, pk, CorrectiveActionForm, write, perm="audits.finding.assign")


@require_POST
@member_required
def finding_verify(request: OrgRequest, pk: int) -> HttpResponse:
    offer = records.signing_offer(request)

    def write(finding: Finding, form: EffectivenessForm) -> None:
        effective = form.cleaned_data["effective"] == "yes"
        password = form.cleaned_data.get("password", "")
        services.finding_verify_effectiveness(
            membership=request.membership,
            finding=finding,
            effective=effective,
            note=form.cleaned_data["note"],
            password=password,
            # Only "effective" is signed: "not effective" spends no confirmation.
            proof=records.signing_proof(request, password, offer) if effective else None,
            shown_hash=form.cleaned_data.get("shown_hash") or None,
        )

    return _step(
        request,
        pk,
        EffectivenessForm,
        write,
        perm="audits.finding.verify",
        form_name="effectiveness_form",
        offer=offer,
    )


@require_POST
@member_required
def finding_close(request: OrgRequest, pk: int) -> HttpResponse:
    finding = _get_finding(request, pk)
    try:
        services.finding_close(membership=request.membership, finding=finding)
    except DomainError as error:
        to = f"{finding.get_absolute_url()}#close"
        return flash_redirect(request, to, error.message, level=messages.ERROR)
    return flash_redirect(request, finding, f"Finding {finding.reference} is closed.")


# --- processes and settings ---------------------------------------------------------------


@member_required
def process_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    processes = Process.objects.for_org(org).select_related("owner")
    form = None
    if tenancy.has_perm(request.membership, "audits.process.manage"):
        form = ProcessForm(request.POST or None, organisation=org)
        if request.method == "POST" and form.is_valid():
            done = save_once(
                request,
                form,
                lambda: services.process_save(membership=request.membership, **form.cleaned_data),
                lambda process: f"Process “{process.name}” added.",
                "audits:process_list",
                url=lambda _: reverse("audits:process_list"),
                field="name",
            )
            if done:
                return done
    elif request.method == "POST":
        raise PermissionDenied("Only managers and leaders manage processes.")
    status = 422 if form is not None and form.errors else 200
    context = {"processes": processes, "form": form}
    return render(request, "audits/process_list.html", context, status=status)


@member_required
def process_edit(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "audits.process.manage")
    process = get_for_org(request, Process.objects.all(), pk=pk)
    form = ProcessForm(request.POST or None, instance=process, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.process_save(
                membership=request.membership, process=process, **form.cleaned_data
            ),
            "Process saved.",
            "audits:process_list",
            field="name",
        )
        if done:
            return done
    return render(request, "audits/process_form.html", {"form": form, "process": process})


@member_required
def audit_settings(request: OrgRequest) -> HttpResponse:
    require(request, "audits.settings.edit")
    current = AuditSettings.for_org(request.organisation)
    form = AuditSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.settings_update(membership=request.membership, **form.cleaned_data),
            "Saved. New response times apply to findings raised now on.",
            "audits:settings",
        )
        if done:
            return done
    context = {"form": form}
    return render(request, "audits/settings.html", context)
