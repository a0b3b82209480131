from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from isova.actions.forms import ActionForm
from isova.clauses import normalise_clause, parse_clause_list, validate_clause
from isova.forms import (
    DateInput,
    MemberChoiceField,
    MembersChoiceField,
    ProviderSigningMixin,
    SafeForm,
    SafeModelForm,
    limit_choices,
    member_choices,
)
from isova.idempotency import OnceMixin
from isova.models import Organisation

from .models import (
    AGE_BUCKETS,
    Audit,
    AuditSettings,
    Finding,
    FindingStatus,
    FindingType,
    Process,
    RootCauseMethod,
    independence_warnings,
)


def _people_field(field: forms.Field, organisation: Organisation) -> None:
    limit_choices(field, member_choices(organisation))


def _process_field(field: forms.Field, organisation: Organisation) -> None:
    limit_choices(field, Process.objects.for_org(organisation).select_related("owner"))


class ProcessChoiceField(forms.ModelChoiceField):
    """A process of the organisation, shown with its owner."""

    def label_from_instance(self, obj: Any) -> str:
        owner = obj.owner
        return f"{obj.name} (owner {owner.get_full_name()})" if owner else obj.name


class ClauseField(forms.CharField):
    """An ISO 9001:2015 clause number; "Clause 8.5.1." is accepted as 8.5.1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "iso-clauses"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_clause(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value:
            validate_clause(value)


class AuditForm(OnceMixin, SafeModelForm):
    """Plan or edit an audit. Independence problems are warnings that need one confirmation."""

    confirm_independence = forms.BooleanField(
        required=False,
        label="I have read the independence warning and plan this audit anyway",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Audit
        fields = [
            *Audit.PLAN_FIELDS,
            "team",
            "external_auditor",
            "planned_date",
        ]
        widgets = {
            "planned_date": DateInput(),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "team": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "planned_date": {"invalid": "Enter the planned date as YYYY-MM-DD, e.g. 2026-05-14."},
            "lead_auditor": {"invalid_choice": "Choose a member of this organisation."},
            "process": {"invalid_choice": "Choose one of this organisation’s processes."},
        }
        field_classes = {
            "process": ProcessChoiceField,
            "lead_auditor": MemberChoiceField,
            "team": MembersChoiceField,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _process_field(self.fields["process"], organisation)
        _people_field(self.fields["lead_auditor"], organisation)
        _people_field(self.fields["team"], organisation)
        self.fields["team"].help_text = "Other members who audit with the lead auditor."
        self.warnings: list[str] = []

    def clean_clauses(self) -> str:
        return ", ".join(parse_clause_list(self.cleaned_data["clauses"]))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("process") and not (data.get("area") or "").strip():
            self.add_error("area", "Choose the process audited or name the area.")
        self.warnings = independence_warnings(
            data.get("process"), data.get("lead_auditor"), list(data.get("team") or [])
        )
        if self.warnings:
            self.fields["confirm_independence"].widget = forms.CheckboxInput()
        return data

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings) and not self.cleaned_data.get("confirm_independence")

    def service_fields(self) -> dict[str, Any]:
        """What the plan and update services take: every field, the team as a list."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return fields | {"team": list(fields["team"])}


class AuditReportForm(SafeModelForm):
    class Meta:
        model = Audit
        fields = ["summary", "conclusion"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
        }


class StartForm(SafeForm):
    started_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Actual start date",
        help_text="Leave empty for today.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )


class SignForm(ProviderSigningMixin, SafeForm):
    """Re-enter the password to sign (issue a report), or confirm at the provider."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password (to sign)",
    )
    comment = forms.CharField(required=False, max_length=500, label="Comment (optional)")


class FindingForm(OnceMixin, SafeModelForm):
    clause = ClauseField(help_text="The ISO 9001:2015 clause, e.g. 8.5.1.")

    class Meta:
        model = Finding
        fields = ["finding_type", "clause", "process", "description", "evidence"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "process": {"invalid_choice": "Choose one of this organisation’s processes."},
        }
        field_classes = {"process": ProcessChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _process_field(self.fields["process"], organisation)
        self.fields["process"].help_text = "Leave empty for the audit’s own process."


class StepForm(SafeForm):
    """A form of one 10.2 step; several share the finding page, so ids carry the step.

    `anchor`: the part of the finding's page it sits in (the page opens there again); `done`:
    what is said once the step is saved; `step_fields()`: what the step's service takes. Every
    step's form is given the organisation; those that limit choices to it take it first."""

    step = "step"
    anchor = ""
    done = ""

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.step}_%s")
        super().__init__(*args, **kwargs)

    def step_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ContainmentForm(StepForm):
    step = "containment"
    anchor = "containment"
    done = "Containment saved."

    containment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Containment and correction",
        help_text="What was done straight away to control and correct it (10.2.1 a).",
    )


class RootCauseForm(StepForm):
    step = "root_cause"
    anchor = "root-cause"
    done = "Root cause saved."
    method = forms.ChoiceField(
        choices=RootCauseMethod.choices,
        widget=forms.RadioSelect,
        initial=RootCauseMethod.FIVE_WHYS,
        label="Method",
    )
    why1 = forms.CharField(required=False, max_length=500, label="Why? (1)")
    why2 = forms.CharField(required=False, max_length=500, label="Why? (2)")
    why3 = forms.CharField(required=False, max_length=500, label="Why? (3)")
    why4 = forms.CharField(required=False, max_length=500, label="Why? (4)")
    why5 = forms.CharField(required=False, max_length=500, label="Why? (5)")
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Root cause"
    )
    similar_elsewhere = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        label="Similar nonconformities elsewhere?",
        help_text="Do similar ones exist, or could they occur? (10.2.1 b 3)",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("method") == RootCauseMethod.FIVE_WHYS and not data.get("why1"):
            self.add_error("why1", "Answer at least the first “why?”.")
        return data

    @property
    def whys(self) -> list[str]:
        return [self.cleaned_data.get(f"why{i}", "") for i in range(1, 6)]

    def step_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "whys": self.whys,
            "root_cause": data["root_cause"],
            "similar_elsewhere": data["similar_elsewhere"],
        }

    @classmethod
    def initial_for(cls, finding: Finding) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "method": finding.root_cause_method or RootCauseMethod.FIVE_WHYS,
            "root_cause": finding.root_cause,
            "similar_elsewhere": finding.similar_elsewhere,
        }
        for i, why in enumerate(finding.root_cause_whys or [], start=1):
            initial[f"why{i}"] = why
        return initial


class CorrectiveActionForm(ActionForm):
    """A corrective action (10.2.1 c): the one action form, with the finding page's step ids
    (several forms share that page) and a due date required."""

    step = "action"
    anchor = "actions"
    done = "Corrective action assigned."

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.step}_%s")
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["title"].label = "Corrective action"
        self.fields["due_date"].label = "Due"
        self.fields["due_date"].required = True


class EffectivenessPlanForm(StepForm):
    step = "plan"
    anchor = "effectiveness"
    done = "Effectiveness check date saved."
    check_after = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Check effectiveness on or after",
        help_text="Leave time for evidence that the actions worked.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class RiskDecisionForm(StepForm):
    step = "risk"
    anchor = "risks"
    done = "Risk decision saved."
    changes_risks = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Does this change our risks or opportunities?",
        error_messages={"required": "Answer yes or no."},
    )
    risks: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None,  # the register's risks of the organisation, set in __init__
        required=False,
        label="Risks and opportunities it changes",
        help_text="From the risk register; or raise a new one from this finding.",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="How",
        help_text="Required when yes and no risk is chosen.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The risk register (risks app) links itself to findings (Risk.findings): reach it by
        # that relation rather than by importing the app that sits above this one.
        register = Finding._meta.get_field("risks").related_model
        limit_choices(
            self.fields["risks"], register._default_manager.filter(organisation=organisation)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        named = (data.get("note") or "").strip() or data.get("risks")
        if data.get("changes_risks") == "yes" and not named:
            self.add_error("note", "Name the risk (or opportunity) that changes and how.")
        return data

    def step_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "changes_risks": data["changes_risks"] == "yes",
            "note": data["note"],
            "risks": list(data["risks"]),
        }


class EffectivenessForm(ProviderSigningMixin, StepForm):
    step = "check"
    anchor = "effectiveness"
    done = "Effectiveness check recorded."
    effective = forms.ChoiceField(
        choices=[("yes", "Effective"), ("no", "Not effective")],
        widget=forms.RadioSelect,
        label="Were the corrective actions effective?",
        error_messages={"required": "Choose effective or not effective."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Evidence",
        help_text="What shows the nonconformity has not recurred (or has)?",
    )
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password (signs an “effective” check)",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("effective") == "yes" and not data.get("password") and self.offer is None:
            self.add_error("password", "Re-enter your password to sign this check.")
        return data


class AuditSettingsForm(SafeModelForm):
    class Meta:
        model = AuditSettings
        fields = ["sla_major_days", "sla_minor_days", "sla_observation_days", "sla_ofi_days"]


class ProcessForm(OnceMixin, SafeModelForm):
    class Meta:
        model = Process
        fields = ["name", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"owner": {"invalid_choice": "Choose a member of this organisation."}}
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], organisation)

    def validate_unique(self) -> None:
        pass  # the organisation is not a form field; services.process_save checks names


AGE_CHOICES = [("", "Any age")] + [(b, f"{b} days") for b in AGE_BUCKETS]


class FindingFilterForm(SafeForm):
    """The register's filters: every one optional; bad values show errors, never a 500."""

    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *FindingType.choices])
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("unresolved", "Not closed"), *FindingStatus.choices],
    )
    process = forms.ModelChoiceField(
        queryset=Process.objects.none(), required=False, empty_label="Any process"
    )
    clause = ClauseField(required=False, help_text="", label="Clause")
    overdue = forms.BooleanField(required=False, label="Past response date")
    age = forms.ChoiceField(required=False, choices=AGE_CHOICES, label="Age")
    # The dashboard's period links here: findings raised on or after this day.
    raised_from = forms.DateField(required=False, widget=DateInput(), label="Raised from")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["process"], Process.objects.for_org(organisation))
        self.fields["clause"].widget.attrs["size"] = 8

    def filter(self, queryset: Any, today: datetime.date) -> Any:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["type"]:
            queryset = queryset.filter(finding_type=data["type"])
        if data["status"] == "unresolved":
            queryset = queryset.unresolved()
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["process"]:
            queryset = queryset.filter(process=data["process"])
        if data["clause"]:
            queryset = queryset.with_clause(data["clause"])
        if data["overdue"]:
            queryset = queryset.past_response_due(today)
        if data["age"]:
            queryset = queryset.aged(today, data["age"])
        if data["raised_from"]:
            queryset = queryset.filter(raised_on__gte=data["raised_from"])
        return queryset


def validate_year(value: str | None, default: int) -> int:
    try:
        year = int(value) if value else default
    except (TypeError, ValueError):
        raise ValidationError("Choose a year such as 2026.") from None
    if not 1990 <= year <= 2200:
        raise ValidationError("Choose a year between 1990 and 2200.")
    return year
