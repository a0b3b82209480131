from __future__ import annotations

import datetime
from typing import Any

from django import forms

from isova.actions.forms import ActionForm
from isova.forms import (
    DateInput,
    MemberChoiceField,
    SafeForm,
    SafeModelForm,
    limit_choices,
    member_choices,
)
from isova.idempotency import OnceMixin
from isova.models import Organisation, User

from .models import (
    Decision,
    Frequency,
    Objective,
    Rag,
    Status,
    StrategicGoal,
    parse_period,
    period_bounds,
    period_label,
)
from .services import EDITABLE_FIELDS

MAX_UPLOAD_BYTES = 1_000_000


def _people(field: forms.Field, organisation: Organisation) -> None:
    limit_choices(field, member_choices(organisation))


class GoalForm(OnceMixin, SafeModelForm):
    class Meta:
        model = StrategicGoal
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(OnceMixin, SafeModelForm):
    """Create or edit an objective; people and goals come from the form's organisation."""

    class Meta:
        model = Objective
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "start_date": DateInput(),
            "target_date": DateInput(),
            "next_review_date": DateInput(),
            "why": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
            "goal": {"invalid_choice": "Choose one of this organisation’s strategic goals."},
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self.fields["owner"], organisation)
        limit_choices(self.fields["goal"], StrategicGoal.objects.for_org(organisation))
        for name in ("start_date", "target_date", "next_review_date"):
            self.fields[name].error_messages["invalid"] = "Enter a date as YYYY-MM-DD."


class PlanStepForm(ActionForm):
    """A step of the objective's plan: the one action form, with a due date required."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["due_date"].required = True


class MeasurementForm(SafeForm):
    """One value for one period; the period is typed the way the objective's frequency reads."""

    period = forms.CharField(max_length=20)
    value = forms.DecimalField(max_digits=14, decimal_places=4)
    comment = forms.CharField(max_length=500, required=False)

    def __init__(
        self, *args: Any, objective: Objective, today: datetime.date, **kwargs: Any
    ) -> None:
        self.objective = objective
        kwargs.setdefault("initial", {"period": self.default_period(objective, today)})
        super().__init__(*args, **kwargs)
        self.fields["value"].label = f"Value ({objective.unit})" if objective.unit else "Value"
        period = self.fields["period"]
        if objective.frequency == Frequency.MONTHLY:
            period.widget.input_type = "month"
            period.help_text = "The month the value is for."
        elif objective.frequency == Frequency.WEEKLY:
            period.widget.input_type = "week"
            period.help_text = "The week the value is for."
        else:
            period.widget.attrs["placeholder"] = "2025-Q1"
            period.help_text = "The quarter the value is for, e.g. 2025-Q1."

    @staticmethod
    def default_period(objective: Objective, today: datetime.date) -> str:
        """The last complete period (or the current one when none has ended yet)."""
        start, _ = period_bounds(today, objective.frequency)
        previous, _ = period_bounds(start - datetime.timedelta(days=1), objective.frequency)
        chosen = previous if previous >= objective.start_date else start
        return period_label(chosen, objective.frequency)

    def clean_period(self) -> datetime.date:
        try:
            return parse_period(self.cleaned_data["period"], self.objective.frequency)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ImportForm(SafeForm):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: objective_id, period, value, comment (optional). UTF-8, at most 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; split it in parts.")
        return upload


class ReviewForm(SafeForm):
    reviewed_on = forms.DateField(label="Date of the review", widget=DateInput())
    decision = forms.ChoiceField(choices=Decision.choices, label="Decision")
    new_target = forms.DecimalField(
        max_digits=14,
        decimal_places=4,
        required=False,
        label="New target",
        help_text="Only when the decision is to change the target.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="What was found and why this decision",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == Decision.CHANGE_TARGET and data.get("new_target") is None:
            self.add_error("new_target", "Give the new target.")
        return data


class SubmitForm(SafeForm):
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(SafeForm):
    reason = forms.CharField(max_length=90, label="Why is it withdrawn?")


class ObjectiveFilterForm(SafeForm):
    """Filters of the objectives list; every field optional."""

    goal = forms.ModelChoiceField(
        queryset=StrategicGoal.objects.none(), required=False, empty_label="Any goal"
    )
    owner = MemberChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("open", "Not closed")] + Status.choices
    )
    rag = forms.ChoiceField(required=False, label="Progress", choices=[("", "Any")] + Rag.choices)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["goal"], StrategicGoal.objects.for_org(organisation))
        _people(self.fields["owner"], organisation)

    def filter(self, queryset: Any) -> Any:
        """`queryset` must already carry `with_progress` (the RAG filter needs it)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["goal"]:
            queryset = queryset.filter(goal=data["goal"])
        if data["owner"]:
            queryset = queryset.filter(owner=data["owner"])
        if data["status"] == "open":
            queryset = queryset.open()
        elif data["status"]:
            queryset = queryset.with_shown_status().filter(shown_status=data["status"])
        if data["rag"]:
            queryset = queryset.filter(rag=data["rag"])
        return queryset
