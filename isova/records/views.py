"""Pages of the approval mechanism: the approvals inbox, the record panel's endpoints
(submit, approve / reject) for any approvable, and the quality policy's own pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from isova import records
from isova.accounts import tenancy
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.errors import DomainError, NotAllowed
from isova.forms import (
    DateInput,
    MemberChoiceField,
    SafeForm,
    SafeModelForm,
    SigningPasswordField,
    limit_choices,
    member_choices,
)
from isova.http import safe_next
from isova.idempotency import OnceMixin, create_once
from isova.records import policy as policy_services
from isova.records.approved import approved_copy
from isova.records.models import (
    Approvable,
    QualityPolicy,
    RecordStatus,
    RecordVersion,
    RecordVersionQuerySet,
)
from isova.records.proofs import signing_offer, signing_proof
from isova.registry import SigningOffer

# --- forms -----------------------------------------------------------------------------


class SubmitForm(SafeForm):
    comment = forms.CharField(
        label="Note to the approver (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(SafeForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    password = SigningPasswordField()
    # A textarea in the panel and the inbox: it may hold line breaks.
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # SHA-256 of the snapshot shown: the decision binds exactly that content.
    snapshot_hash = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form does not say what you were shown. Nothing was signed: "
            "reload the page.",
            "invalid": "This form does not say what you were shown. Nothing was signed: "
            "reload the page.",
        },
    )

    def __init__(self, *args: Any, offer: SigningOffer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Confirming at the provider instead: no password to send (records.proofs).
        self.fields["password"].required = offer is None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Refused here, before a confirmation at the provider is spent on it.
        if cleaned.get("decision") == "reject" and not cleaned.get("comment", "").strip():
            raise forms.ValidationError("Say why you reject it: the comment is required.")
        return cleaned


class QualityPolicyForm(OnceMixin, SafeModelForm):
    class Meta:
        model = QualityPolicy
        fields = list(policy_services.POLICY_FIELDS)
        widgets = {"effective_from": DateInput(), "text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "title": "Retitling does not need a new approval.",
            "text": "Changing the text, owner or effective date needs a leader’s approval.",
        }
        error_messages = {
            "effective_from": {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-12-31."},
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))


# The event a dashboard dialog's success sends (HX-Trigger): the dialog closes and every
# dashboard panel reloads its figures (templates/isova/dashboard.html).
DASHBOARD_CHANGED = "dashboard-changed"


# --- helpers ---------------------------------------------------------------------------


def _approvable(request: OrgRequest, model_key: str, pk: int) -> Approvable:
    """The approvable `app_label.model` #pk of the request's organisation, or 404."""
    try:
        model = apps.get_model(model_key)
    except (LookupError, ValueError):
        raise Http404("No such kind of record.") from None
    if not issubclass(model, Approvable):
        raise Http404("No such kind of record.")
    return get_for_org(request, model._default_manager.all(), pk=pk)


def _panel(request: OrgRequest, obj: Approvable, status: int = 200, **extra: Any) -> HttpResponse:
    context = records.record_panel_context(request, obj) | extra
    context["record_next"] = safe_next(request, obj.get_absolute_url())
    return render(request, "isova/_record_panel.html", context, status=status)


def _waiting_for(request: OrgRequest) -> RecordVersionQuerySet:
    """What waits for this member's decision (nothing for those who do not approve)."""
    base = RecordVersion.objects.for_org(request.organisation).awaiting_decision()
    if not tenancy.has_perm(request.membership, "isova.record.approve"):
        return base.none()
    return base.exclude(submitted_by=request.user)


def _inbox_row(request: OrgRequest, obj: Approvable, status: int, **extra: Any) -> HttpResponse:
    """The decided card, and the inbox's count swapped out of band in the same response."""
    row = records.state(obj).current
    if row is not None:
        row.record = obj
    context = {"row": row, "signing": signing_offer(request)} | extra
    count = {"waiting_count": _waiting_for(request).count(), "oob": True}
    html = render_to_string("isova/records/approvals.html#row", context, request)
    html += render_to_string("isova/records/approvals.html#count", count, request)
    return HttpResponse(html, status=status)


def _dialog_review(
    request: OrgRequest, obj: Approvable, status: int, *, error: str | None, flash: str | None
) -> HttpResponse:
    """The dashboard dialog's answer to a decision: the record's current version again with
    the reason (wrong password, changed since shown) in place, or, once signed, the news and
    the `dashboard-changed` event that closes the dialog and refreshes the panels."""
    row = records.state(obj).current
    if row is not None:
        row.record = obj
    context = {"row": row, "error": error, "flash": flash}
    response = render(request, "isova/records/_approval_dialog.html", context, status=status)
    if flash:
        trigger_client_event(response, DASHBOARD_CHANGED, {"message": flash})
    return response


@member_required
def approval_review(request: OrgRequest, pk: int) -> HttpResponse:
    """One waiting version as the inbox shows it, for the dashboard's "Review and sign"
    dialog (signed through `record_decide`); without HTMX, its card in the inbox."""
    require(request, "isova.record.approve")  # the role before anything is read
    version = get_for_org(request, RecordVersion.objects.for_inbox(), pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('approvals')}#approval-{version.pk}")
    if not _waiting_for(request).filter(pk=version.pk).exists():
        error = (
            f"Version {version.number} of “{version.record or version.record_label}” no "
            "longer waits for your decision: it was decided, or you submitted it."
        )
        context: dict[str, Any] = {"row": None, "error": error}
        return render(request, "isova/records/_approval_dialog.html", context, status=409)
    context = {"row": version, "signing": signing_offer(request)}
    return render(request, "isova/records/_approval_dialog.html", context)


# --- record endpoints (any approvable) ---------------------------------------------------


@require_POST
@member_required
def record_submit(request: OrgRequest, model_key: str, pk: int) -> HttpResponse:
    obj = _approvable(request, model_key, pk)
    if records.own_submit_page(obj):
        raise Http404("This kind of record is submitted from its own page.")
    require(request, "isova.record.submit")  # the role before the form
    form = SubmitForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    error, status = None, 200
    try:
        version = records.submit(membership=request.membership, obj=obj, comment=comment)
    except NotAllowed:
        raise
    except DomainError as exc:
        error, status = str(exc), 422
    flash = None if error else f"Version {version.number} submitted: the leaders are asked."
    return _answer(request, obj, status, error, flash)


def _answer(
    request: OrgRequest, obj: Approvable, status: int, error: str | None, flash: str | None
) -> HttpResponse:
    """A move on a record answered: its panel in place for HTMX, else the message flashed
    and back to the page it came from."""
    if request.htmx:
        return _panel(request, obj, status, record_error=error, record_flash=flash)
    if error:
        messages.error(request, error)
    elif flash:
        messages.success(request, flash)
    return redirect(safe_next(request, obj.get_absolute_url()))


@require_POST
@member_required
def record_decide(request: OrgRequest, model_key: str, pk: int) -> HttpResponse:
    """Approve or reject with the password re-entered: from the record panel or the inbox."""
    obj = _approvable(request, model_key, pk)
    require(request, "isova.record.approve")
    offer = signing_offer(request)
    form = DecisionForm(request.POST, offer=offer)
    error, status, flash = None, 200, None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 422
    else:
        data = form.cleaned_data
        decide = records.approve if data["decision"] == "approve" else records.reject
        try:
            signoff = decide(
                membership=request.membership,
                obj=obj,
                password=data["password"],
                comment=data["comment"],
                version=data["version"],
                snapshot_hash=data["snapshot_hash"],
                proof=signing_proof(request, data["password"], offer),
            )
        except records.Stale as exc:
            error, status = str(exc), 409
        except NotAllowed:
            raise
        except DomainError as exc:
            error, status = str(exc), 422
        else:
            flash = (
                f"You {signoff.meaning} version {signoff.version_number} of “{obj}”. "
                f"Sign-off #{signoff.sequence}."
            )
    if request.htmx:
        # base.html's htmx-config swaps 409 and 422 bodies, so the reason shows in place.
        if request.POST.get("fragment") == "inbox":
            return _inbox_row(request, obj, status, error=error, flash=flash)
        if request.POST.get("fragment") == "dialog":
            return _dialog_review(request, obj, status, error=error, flash=flash)
    return _answer(request, obj, status, error, flash)


@member_required
def approvals(request: OrgRequest) -> HttpResponse:
    """The approvals inbox: what waits for my decision, oldest first, and my own submissions."""
    base = RecordVersion.objects.for_org(request.organisation).awaiting_decision().for_inbox()
    waiting = list(_waiting_for(request).for_inbox())
    mine = list(base.filter(submitted_by=request.user))
    return render(
        request,
        "isova/records/approvals.html",
        {
            "waiting": waiting,
            "waiting_count": len(waiting),
            "mine": mine,
            "decision_form": DecisionForm(),
            "signing": signing_offer(request) if waiting else None,
        },
    )


# --- the quality policy ----------------------------------------------------------------


def _as_approved(policy: QualityPolicy, snapshot: Any) -> QualityPolicy:
    """A read-only copy of `policy` carrying its approved snapshot's title, text, owner and
    date (what staff read); never saved."""
    return approved_copy(policy, snapshot, fields=("title", "text"), dates=("effective_from",))


@member_required
def quality_policy_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    policies = list(QualityPolicy.objects.filter(organisation=org).select_related("owner"))
    latest: dict[int, RecordVersion] = {}
    for version in RecordVersion.objects.for_org(org).filter(
        content_type__app_label="isova", content_type__model="qualitypolicy"
    ):
        latest[version.object_id] = version  # ordered by number: the last one wins
    rows = [{"policy": p, "version": latest.get(p.pk)} for p in policies]
    if records.reads_approved_only(request.membership):
        # Staff read the policy as approved: its approved title, never a draft (22.3).
        approved: dict[int, RecordVersion] = {}
        for version in RecordVersion.objects.for_org(org).filter(
            content_type__app_label="isova",
            content_type__model="qualitypolicy",
            status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED),
        ):
            approved[version.object_id] = version
        rows = [
            {"policy": _as_approved(p, approved[p.pk].snapshot), "version": approved[p.pk]}
            for p in policies
            if p.pk in approved
        ]
    return render(
        request,
        "isova/records/policy_list.html",
        {"rows": rows, "can_edit": tenancy.has_perm(request.membership, "isova.policy.edit")},
    )


@member_required
def quality_policy_detail(request: OrgRequest, pk: int) -> HttpResponse:
    policy = get_for_org(request, QualityPolicy.objects.select_related("owner"), pk=pk)
    panel = records.record_panel_context(request, policy)
    if panel["record_reads_approved"]:
        approved = panel["record"].approved
        if approved is None:
            raise Http404("This policy has not been approved yet.")
        policy = _as_approved(policy, approved.snapshot)
    context = panel | {
        "policy": policy,
        "can_edit": tenancy.has_perm(request.membership, "isova.policy.edit"),
    }
    return render(request, "isova/records/policy_detail.html", context)


@member_required
def quality_policy_create(request: OrgRequest) -> HttpResponse:
    require(request, "isova.policy.edit")
    org = request.organisation
    form = QualityPolicyForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in policy_services.POLICY_FIELDS}
        try:
            policy = create_once(
                request,
                form,
                lambda: policy_services.policy_create(membership=request.membership, **data),
            )
        except records.RecordError as error:
            form.add_error(None, str(error))
        else:
            if isinstance(policy, HttpResponse):
                return policy  # the same form again: its first submission made it
            messages.success(request, "Quality policy saved as a draft. Submit it for approval.")
            return redirect(policy)
    return render(request, "isova/records/policy_form.html", {"form": form, "policy": None})


@member_required
def quality_policy_edit(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.policy.edit")
    policy = get_for_org(request, QualityPolicy.objects.select_related("owner"), pk=pk)
    form = QualityPolicyForm(
        request.POST or None, instance=policy, organisation=policy.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in policy_services.POLICY_FIELDS}
        policy = QualityPolicy.objects.select_related("owner").get(pk=pk)  # before the form's edit
        try:
            policy, moved = policy_services.policy_update(
                membership=request.membership, policy=policy, **data
            )
        except records.RecordError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _edit_message(moved))
            return redirect(policy)
    return render(request, "isova/records/policy_form.html", {"form": form, "policy": policy})


def _edit_message(moved: RecordVersion | None) -> str:
    if moved is None:
        return "Quality policy saved."
    if moved.submitted_at is None:
        return (
            f"Saved. This change needs a new approval: version {moved.number} is a draft; "
            "submit it to the leaders."
        )
    return "Saved. The submission went back to draft: submit it again for approval."
