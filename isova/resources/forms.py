"""Forms of the resources pages: a month is typed as YYYY-MM (a month input)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from isova.accounts.models import Membership, Organisation
from isova.forms import (
    EARLIEST_DATE,
    LATEST_DATE,
    MemberChoiceField,
    SafeForm,
    limit_choices,
    member_choices,
)

from .models import LineKind

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTH_HOURS = 744  # 31 days × 24 hours


def parse_month(value: str) -> datetime.date | None:
    """ "2027-03" → 1 March 2027; None for anything else (or outside 1900–2999)."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and EARLIEST_DATE.year <= year <= LATEST_DATE.year):
        return None
    day = datetime.date(year, month, 1)
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.CharField):
    widget = MonthInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Year and month, e.g. 2027-03.")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        text = super().to_python(value)
        if not text:
            return None
        day = parse_month(text)
        if day is None:
            raise ValidationError("Give a month as YEAR-MONTH, e.g. 2027-03.", code="month")
        return day


class AllocationForm(SafeForm):
    person = MemberChoiceField(queryset=None, label="Person")
    hours = forms.DecimalField(
        label="Estimated hours (in total)",
        min_value=Decimal("0.5"),
        max_value=Decimal("99999"),
        max_digits=7,
        decimal_places=1,
    )
    start_month = MonthField(label="From month")
    end_month = MonthField(label="To month", help_text="The hours are spread evenly.")
    note = forms.CharField(label="What they will do", max_length=300, required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["person"], member_choices(organisation))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", "The last month cannot come before the first.")
        return data


class LineForm(SafeForm):
    kind = forms.ChoiceField(label="Kind", choices=LineKind.choices)
    description = forms.CharField(label="What", max_length=200)
    amount_approved = forms.DecimalField(
        label="Amount", min_value=Decimal(0), max_digits=12, decimal_places=2
    )


class SpentForm(SafeForm):
    amount_spent = forms.DecimalField(
        label="Spent so far", min_value=Decimal(0), max_digits=12, decimal_places=2
    )


class ReassignForm(SafeForm):
    to = MemberChoiceField(queryset=None, label="Reassign to")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["to"], member_choices(organisation))


class CapacityForm(SafeForm):
    """The default and one field per member (`member_<membership id>`, empty: the default)."""

    default = forms.IntegerField(
        label="Default hours a month", min_value=0, max_value=MAX_MONTH_HOURS
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for membership in members:
            self.fields[f"member_{membership.pk}"] = forms.IntegerField(
                label=f"{membership.user.get_full_name()} (hours a month)",
                min_value=0,
                max_value=MAX_MONTH_HOURS,
                required=False,
                initial=membership.capacity_hours,
            )

    def per_member(self) -> dict[int, int | None]:
        return {m.pk: self.cleaned_data.get(f"member_{m.pk}") for m in self.members}

    def member_fields(self) -> list[tuple[Membership, forms.BoundField]]:
        return [(m, self[f"member_{m.pk}"]) for m in self.members]
