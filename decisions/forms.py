from __future__ import annotations

from typing import Any

from django import forms

from audits.models import Finding, Process
from isova.forms import (
    DateInput,
    MemberChoiceField,
    SafeForm,
    SafeModelForm,
    limit_choices,
    member_choices,
)
from isova.idempotency import OnceMixin
from isova.models import Organisation
from objectives.models import Objective
from reviews.models import Feedback
from risks.models import Risk

from .models import Decision, Shown
from .services import FIELDS, LINKS


def _many(label: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Risk.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
    )


class DecisionForm(OnceMixin, SafeModelForm):
    """Record, edit or revisit a decision; the links offer this organisation's rows only."""

    processes = forms.ModelMultipleChoiceField(
        queryset=Process.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Processes affected",
    )
    risks = _many("Risks behind it")
    objectives = _many("Objectives it serves")
    findings = _many("Audit findings behind it")
    feedback = _many("Feedback behind it")

    class Meta:
        model = Decision
        fields = [*FIELDS, *LINKS]
        widgets = {
            "decided_on": DateInput(),
            "review_date": DateInput(),
            "context": forms.Textarea(attrs={"rows": 3}),
            "options": forms.Textarea(attrs={"rows": 3}),
            "decision": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "affects_customers": forms.Textarea(attrs={"rows": 2}),
            "revisit_reason": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"owner": MemberChoiceField}
        error_messages = {
            "owner": {"invalid_choice": "Choose someone of this organisation."},
            "decided_on": {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-12-31."},
            "review_date": {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-12-31."},
        }

    def __init__(self, *args: Any, organisation: Organisation, revisiting: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        limit_choices(self.fields["processes"], Process.objects.for_org(organisation))
        limit_choices(self.fields["risks"], Risk.objects.for_org(organisation))
        limit_choices(self.fields["objectives"], Objective.objects.for_org(organisation))
        findings = Finding.objects.for_org(organisation).select_related("audit")
        limit_choices(self.fields["findings"], findings.order_by("audit__reference", "number"))
        limit_choices(self.fields["feedback"], Feedback.objects.for_org(organisation))
        for name in ("risks", "objectives", "findings", "feedback"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose from this organisation’s records."
            )
        if revisiting:
            self.fields["revisit_reason"].required = True
        else:
            del self.fields["revisit_reason"]


SHOWN_CHOICES = [
    ("", "Any state"),
    (Shown.DRAFT, "Draft"),
    (Shown.AWAITING, "Awaiting sign-off"),
    (Shown.SIGNED, "Signed"),
    ("due", "Due for review"),
    (Shown.REVISITING, "Being revisited"),
    (Shown.REJECTED, "Sent back"),
    (Shown.MINUTES_SIGNED, "Management review: minutes signed"),
    (Shown.MINUTES_OPEN, "Management review: minutes not yet signed"),
]


class FilterForm(SafeForm):
    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.ChoiceField(required=False, choices=SHOWN_CHOICES, label="State")
    source = forms.ChoiceField(
        required=False,
        label="Taken",
        choices=[
            ("", "Anywhere"),
            ("register", "Recorded here"),
            ("review", "In a management review"),
        ],
    )

    # What staff may filter by: they read signed decisions and signed minutes only (22.3).
    SIGNED_ONLY = ("", Shown.SIGNED, "due", Shown.MINUTES_SIGNED)

    def __init__(self, *args: Any, signed_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signed_only:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in SHOWN_CHOICES if c[0] in self.SIGNED_ONLY]

    def values(self) -> dict[str, str]:
        """The valid filters (an invalid one is shown as a form error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "shown": data.get("status") or "",
            "source": data.get("source") or "",
        }
