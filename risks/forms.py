from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from audits.forms import ProcessChoiceField
from audits.models import Finding, Process
from isova.forms import DateInput, MemberChoiceField, limit_choices, member_choices
from isova.models import Action, Organisation, User
from objectives.models import Objective

from .models import Category, Kind, Risk, RiskMatrix, Status
from .services import RISK_FIELDS

MAX_UPLOAD_BYTES = 2_000_000


def _levels(field: forms.Field, scale: list[dict], label: str, empty: str = "") -> None:
    field.choices = [("", empty or f"Choose the {label}")] + [  # type: ignore[attr-defined]
        (str(i), f"{i} – {level['name']}") for i, level in enumerate(scale, start=1)
    ]


class RiskForm(forms.ModelForm):
    """Raise or edit a risk; people, processes and levels come from the organisation."""

    inherent_likelihood = forms.TypedChoiceField(coerce=int)
    inherent_impact = forms.TypedChoiceField(coerce=int)
    residual_likelihood = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Current likelihood"
    )
    residual_impact = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Current impact"
    )
    target_likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    target_impact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives it threatens or serves",
    )
    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Audit findings it comes from",
    )

    class Meta:
        model = Risk
        fields = [*RISK_FIELDS, "objectives", "findings"]
        widgets = {
            "next_review_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "existing_controls": forms.Textarea(attrs={"rows": 2}),
            "treatment_justification": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
            "process": {"invalid_choice": "Choose one of this organisation’s processes."},
        }
        field_classes = {"owner": MemberChoiceField, "process": ProcessChoiceField}
        help_texts = {
            "next_review_date": "Leave empty to follow the band’s review frequency.",
        }

    def __init__(
        self, *args: Any, organisation: Organisation, matrix: RiskMatrix, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        limit_choices(self.fields["process"], Process.objects.for_org(organisation))
        limit_choices(self.fields["objectives"], Objective.objects.for_org(organisation))
        limit_choices(self.fields["findings"], Finding.objects.for_org(organisation))
        for name, scale, label in (
            ("inherent_likelihood", matrix.likelihood, "likelihood"),
            ("residual_likelihood", matrix.likelihood, "likelihood"),
            ("target_likelihood", matrix.likelihood, "likelihood"),
            ("inherent_impact", matrix.impact, "impact"),
            ("residual_impact", matrix.impact, "impact"),
            ("target_impact", matrix.impact, "impact"),
        ):
            _levels(self.fields[name], scale, label)
        self.fields["residual_likelihood"].help_text = "Leave empty: the same as inherent."


class FilterForm(forms.Form):
    """Filters of the register; every field optional. The heat map links with basis,
    likelihood and impact (a cell)."""

    q = forms.CharField(required=False, label="Search", max_length=100)
    kind = forms.ChoiceField(
        required=False, choices=[("", "Risks and opportunities")] + Kind.choices
    )
    band = forms.ChoiceField(required=False, label="Current band")
    owner = MemberChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    process = ProcessChoiceField(
        queryset=Process.objects.none(), required=False, empty_label="Any process"
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("live", "Not closed")] + Status.choices
    )
    category = forms.ChoiceField(required=False, choices=[("", "Any category")] + Category.choices)
    review_overdue = forms.BooleanField(required=False, label="Review overdue")
    appetite = forms.BooleanField(required=False, label="Above the appetite")
    basis = forms.ChoiceField(
        required=False,
        label="Position",
        choices=[("", "Current (residual)"), ("residual", "Residual"), ("inherent", "Inherent")],
    )
    likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    impact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Highest current score first"),
            ("score", "Lowest current score first"),
            ("-inherent", "Highest inherent score first"),
            ("reference", "Reference"),
            ("review", "Next review date"),
        ],
    )

    ORDER = {
        "": ("-residual_score", "-inherent_score", "reference"),
        "score": ("residual_score", "inherent_score", "reference"),
        "-inherent": ("-inherent_score", "-residual_score", "reference"),
        "reference": ("reference",),
        "review": ("next_review_date", "reference"),
    }

    def __init__(
        self, *args: Any, organisation: Organisation, matrix: RiskMatrix, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        limit_choices(self.fields["owner"], member_choices(organisation))
        limit_choices(self.fields["process"], Process.objects.for_org(organisation))
        self.fields["band"].choices = [("", "Any band")] + [  # type: ignore[attr-defined]
            (b["name"], b["name"]) for b in matrix.bands
        ]
        _levels(self.fields["likelihood"], matrix.likelihood, "likelihood", "Any likelihood")
        _levels(self.fields["impact"], matrix.impact, "impact", "Any impact")

    def filter(self, queryset: Any, today: Any) -> Any:
        if not self.is_valid():
            return queryset.order_by(*self.ORDER[""])
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(
                Q(title__icontains=data["q"]) | Q(reference__icontains=data["q"])
            )
        for name in ("kind", "owner", "process", "category"):
            if data[name]:
                queryset = queryset.filter(**{name: data[name]})
        if data["band"]:
            queryset = queryset.filter(residual_band=data["band"])
        if data["status"] == "live":
            queryset = queryset.live()
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["review_overdue"]:
            queryset = queryset.review_overdue(today)
        if data["appetite"]:
            queryset = queryset.above_appetite(self.matrix)
        basis = data["basis"] or "residual"
        for name in ("likelihood", "impact"):
            if data[name]:  # an inherent position as approved on staff's reading
                field = queryset.inherent_field(name) if basis == "inherent" else f"{basis}_{name}"
                queryset = queryset.filter(**{field: data[name]})
        return queryset.order_by(*self.ORDER[data["sort"] or ""])


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Review date", widget=DateInput())
    likelihood = forms.TypedChoiceField(coerce=int, label="Current likelihood")
    impact = forms.TypedChoiceField(coerce=int, label="Current impact")
    controls_effective = forms.TypedChoiceField(
        label="Are the controls effective?",
        choices=[("yes", "Yes"), ("partly", "Not yet known"), ("no", "No")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args: Any, matrix: RiskMatrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _levels(self.fields["likelihood"], matrix.likelihood, "likelihood")
        _levels(self.fields["impact"], matrix.impact, "impact")


class PlanActionForm(forms.ModelForm):
    """A treatment action of the risk's plan."""

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "priority"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        self.fields["due_date"].required = True


def _parse_levels(text: str, label: str) -> list[dict[str, str]]:
    levels = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, description = line.partition("|")
        levels.append({"name": name.strip()[:60], "description": description.strip()[:300]})
    return levels


def _levels_text(levels: list[dict]) -> str:
    return "\n".join(f"{lv['name']} | {lv.get('description', '')}" for lv in levels)


def _bands_text(bands: list[dict]) -> str:
    return "\n".join(
        f"{b['name']} | {b['min']} | {b['max']} | {b.get('colour', '')} | "
        f"{b.get('review_days', '')} | {b.get('treatment_days', '')} | "
        f"{'yes' if b.get('approval') else 'no'}"
        for b in bands
    )


class MatrixForm(forms.Form):
    """The matrix as text a quality manager can edit: one level or band per line."""

    likelihood = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Likelihood levels",
        help_text="One per line, the least likely first: name | description.",
    )
    impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Impact levels",
        help_text="One per line, the mildest first: name | description.",
    )
    bands = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Score bands",
        help_text=(
            "One per line, the lowest first: name | lowest score | highest score | colour "
            "(#rrggbb) | review every (days) | treat within (days) | needs a leader’s "
            "approval (yes/no)."
        ),
    )

    @classmethod
    def initial_for(cls, matrix: RiskMatrix) -> dict[str, str]:
        return {
            "likelihood": _levels_text(matrix.likelihood),
            "impact": _levels_text(matrix.impact),
            "bands": _bands_text(matrix.bands),
        }

    def clean_likelihood(self) -> list[dict[str, str]]:
        return _parse_levels(self.cleaned_data["likelihood"], "likelihood")

    def clean_impact(self) -> list[dict[str, str]]:
        return _parse_levels(self.cleaned_data["impact"], "impact")

    def clean_bands(self) -> list[dict[str, Any]]:
        bands = []
        for number, line in enumerate(self.cleaned_data["bands"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 7:
                raise forms.ValidationError(f"Line {number}: give the seven values separated by |.")
            name, low, high, colour, review, treat, approval = parts
            try:
                values = [int(low), int(high), int(review), int(treat)]
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: scores and days are whole numbers."
                ) from None
            if min(values) < 1 or values[2] > 3660 or values[3] > 3660:
                raise forms.ValidationError(f"Line {number}: scores and days start at 1.")
            if not (len(colour) == 7 and colour.startswith("#")) or not all(
                c in "0123456789abcdefABCDEF" for c in colour[1:]
            ):
                raise forms.ValidationError(f"Line {number}: a colour looks like #e16f24.")
            if approval.lower() not in ("yes", "no") or not name:
                raise forms.ValidationError(
                    f"Line {number}: name it and say yes or no to approval."
                )
            bands.append(
                {
                    "name": name[:40],
                    "min": values[0],
                    "max": values[1],
                    "colour": colour.lower(),
                    "review_days": values[2],
                    "treatment_days": values[3],
                    "approval": approval.lower() == "yes",
                }
            )
        return bands


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="The columns of the export (first row).")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload
