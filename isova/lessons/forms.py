"""The lessons pages' forms: filter the list, capture, skip, record by hand, make an action."""

from __future__ import annotations

from typing import Any

from django import forms

from isova.accounts.models import Organisation, User
from isova.forms import DateInput, MemberChoiceField, member_choices
from isova.idempotency import OnceMixin
from isova.registry import registry

from .models import LessonStatus, SourceKind

TAG_HELP = "Separate tags with commas, e.g. “Despatch, Purchasing”."


def process_names(organisation: Organisation) -> list[str]:
    """The organisation's process names (the dashboard's "process" filter: 1 query), offered
    as tags; none when no app provides processes."""
    choices = registry.dashboard_filter("process")
    return [label for _, label in choices(organisation)] if choices else []


class TagsField(forms.CharField):
    """Comma-separated tags, cleaned to a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("label", "Processes (tags)")
        kwargs.setdefault("help_text", TAG_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [part for part in (p.strip() for p in text.split(",")) if part]


class LessonFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=200, widget=forms.TextInput({"type": "search"})
    )
    tag = forms.CharField(label="Process (tag)", required=False, max_length=120)
    kind = forms.ChoiceField(
        label="Where from", choices=[("", "Anywhere"), *SourceKind.choices], required=False
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *LessonStatus.choices], required=False
    )
    mine = forms.BooleanField(label="Mine only", required=False)

    def filter(self, lessons: Any, user: User | None = None) -> Any:
        """`lessons` narrowed as the form says (the list, its export and the API agree);
        unfiltered when the form is not valid. "Mine only" needs the `user`."""
        if not self.is_valid():
            return lessons
        data = self.cleaned_data
        if data["q"]:
            lessons = lessons.search(data["q"])
        if data["tag"]:
            lessons = lessons.tagged(data["tag"].strip())
        if data["kind"]:
            lessons = lessons.filter(source_kind=data["kind"])
        if data["status"]:
            lessons = lessons.filter(status=data["status"])
        if data["mine"] and user is not None:
            lessons = lessons.filter(owner=user)
        return lessons


class CaptureForm(forms.Form):
    what_worked = forms.CharField(
        label="What worked", widget=forms.Textarea({"rows": 4}), required=False, max_length=5000
    )
    what_did_not = forms.CharField(
        label="What didn't work", widget=forms.Textarea({"rows": 4}), required=False,
        max_length=5000,
    )  # fmt: skip
    tags = TagsField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not (data.get("what_worked") or "").strip()
            and not (data.get("what_did_not") or "").strip()
        ):
            raise forms.ValidationError("Say what worked, what didn't, or both.")
        return data


class RecordForm(OnceMixin, CaptureForm):
    label = forms.CharField(
        label="What it is about", max_length=300, help_text="A project, an incident, a change."
    )
    field_order = ["label", "what_worked", "what_did_not", "tags"]


class SkipForm(forms.Form):
    reason = forms.CharField(
        label="Why there is no lesson to capture",
        widget=forms.Textarea({"rows": 2}),
        max_length=1000,
    )


class ImproveForm(OnceMixin, forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    owner = MemberChoiceField(queryset=User.objects.none(), label="Owner")
    due_date = forms.DateField(label="Due", widget=DateInput(), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organisation)  # type: ignore[attr-defined]
