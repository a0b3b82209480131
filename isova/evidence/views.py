"""Pages of the leadership evidence pack: the live pack for a period, signing it, the packs
kept, and a self-contained HTML download for the certification auditor."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova import records
from isova.accounts import tenancy
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.errors import DomainError
from isova.evidence import services as evidence
from isova.evidence.models import EvidencePack
from isova.forms import DateInput, SafeForm, SigningPasswordField
from isova.records.proofs import signing_offer, signing_proof
from isova.registry import SigningOffer


class PeriodForm(SafeForm):
    start = forms.DateField(label="From", widget=DateInput())
    end = forms.DateField(label="To", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The period must end on or after its start.")
            if (end - start).days > 3 * 366:
                raise forms.ValidationError("Choose a period of at most three years.")
        return cleaned


class SignPackForm(PeriodForm):
    prefix = "sign"  # its period fields are hidden copies of the period form's

    def __init__(self, *args: Any, offer: SigningOffer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Confirming at the provider instead: no password to send (records.proofs).
        self.fields["password"].required = offer is None

    pack_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    password = SigningPasswordField()
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _period(request: OrgRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    start, end = evidence.default_period(request.organisation)
    form = PeriodForm(request.GET if "start" in request.GET else None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    return form, start, end


def _render_pack(
    request: OrgRequest,
    form: PeriodForm,
    start: datetime.date,
    end: datetime.date,
    sign_form: SignPackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pack = evidence.build(request.organisation, start, end)
    can_sign = tenancy.has_perm(request.membership, "isova.evidence.sign")
    signing = signing_offer(request) if can_sign else None
    if sign_form is None:
        sign_form = SignPackForm(
            initial={"start": start, "end": end, "pack_hash": pack.hash}, offer=signing
        )
    context = {
        "pack": pack,
        "period_form": form,
        "sign_form": sign_form,
        "can_sign": can_sign,
        "signing": signing,
        "signing_next": request.get_full_path(),
        "kept": list(
            EvidencePack.objects.filter(organisation=request.organisation).select_related(
                "created_by"
            )[:10]
        ),
        "query": f"start={start.isoformat()}&end={end.isoformat()}",
    }
    return render(request, "isova/evidence.html", context, status=status)


@member_required
def evidence_page(request: OrgRequest) -> HttpResponse:
    require(request, "isova.evidence.view")
    form, start, end = _period(request)
    return _render_pack(request, form, start, end)


@member_required
def evidence_download(request: OrgRequest) -> HttpResponse:
    """The pack as one self-contained HTML file (styles inline, no links to this server's
    assets), for the auditor's file."""
    require(request, "isova.evidence.view")
    _, start, end = _period(request)
    pack = evidence.build(request.organisation, start, end)
    html = render_to_string(
        "isova/evidence_download.html", {"pack": pack, "kept": None}, request=request
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    name = f"leadership-evidence-{request.organisation.slug}-{start:%Y%m%d}-{end:%Y%m%d}.html"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@member_required
def evidence_sign(request: OrgRequest) -> HttpResponse:
    require(request, "isova.evidence.sign")
    offer = signing_offer(request)
    sign_form = SignPackForm(request.POST, offer=offer)
    start, end = evidence.default_period(request.organisation)
    if not sign_form.is_valid():
        period = PeriodForm(request.POST, prefix="sign")
        if period.is_valid():
            start, end = period.cleaned_data["start"], period.cleaned_data["end"]
        form = PeriodForm(initial={"start": start, "end": end})
        return _render_pack(request, form, start, end, sign_form, status=422)
    data = sign_form.cleaned_data
    start, end = data["start"], data["end"]
    try:
        kept = evidence.pack_sign(
            membership=request.membership,
            start=start,
            end=end,
            shown_hash=data["pack_hash"],
            password=data["password"],
            comment=data["comment"],
            proof=signing_proof(request, data["password"], offer),
        )
    except DomainError as error:
        # Shown again as it is now, with a fresh hash: the leader signs what they see next.
        messages.error(request, str(error))
        form = PeriodForm(initial={"start": start, "end": end})
        return _render_pack(request, form, start, end, status=422)
    signoff = records.state(kept).last_signoff
    number = f" as sign-off #{signoff.sequence}" if signoff else ""
    messages.success(request, f"You signed the leadership evidence pack{number}.")
    return redirect(kept.get_absolute_url())


@member_required
def evidence_pack(request: OrgRequest, pk: int) -> HttpResponse:
    """A signed pack as it was shown when signed."""
    require(request, "isova.evidence.view")
    kept = get_for_org(request, EvidencePack.objects.select_related("created_by"), pk=pk)
    context = {
        "kept_pack": kept,
        "pack": kept.pack,
        "signoff": records.state(kept).last_signoff,
        "evidence_url": reverse("evidence"),
    }
    return render(request, "isova/evidence_pack.html", context)
