"""The action forms: create and edit an action, move its status, filter the list."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator

from isova.accounts.models import Organisation, User
from isova.actions.models import ACTION_AGE_BUCKETS, Action, ActionStatus, action_source_models
from isova.actions.services import EDITABLE_FIELDS
from isova.forms import (
    DateInput,
    MemberChoiceField,
    SafeForm,
    SafeModelForm,
    limit_choices,
    member_choices,
)
from isova.idempotency import OnceMixin


def source_key(obj: Any) -> str:
    """How a form names an action's source: "objectives.objective:12"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def source_from_key(organisation: Organisation, key: str) -> Any:
    """The record of `organisation` that `key` ("objectives.objective:12", `source_key`) names
    and a new action may serve (`action_source_choices`), or None (1 query at most)."""
    label, _, pk = key.partition(":")
    if not pk.isdigit() or len(pk) > 18:
        return None
    for model in action_source_models():
        if model._meta.label_lower == label:
            return model.action_source_choices(organisation).filter(pk=int(pk)).first()
    return None


class SourceChoiceField(forms.ChoiceField):
    """What a new action serves: one of the organisation's objectives, findings, … (any model
    that subclasses ActionSource), grouped by kind. Cleans to the object, or None."""

    def __init__(self, *, organisation: Organisation, **kwargs: Any) -> None:
        self.objects: dict[str, Any] = {}
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for model in sorted(action_source_models(), key=lambda m: m._meta.label_lower):
            # One query per kind of source.
            rows = [(source_key(obj), obj) for obj in model.action_source_choices(organisation)]
            self.objects.update(rows)
            if rows:
                kind = str(model._meta.verbose_name_plural).capitalize()
                groups.append((kind, [(key, str(obj)) for key, obj in rows]))
        kwargs.setdefault("label", "What it serves")
        kwargs.setdefault(
            "help_text", "The objective, finding or other record this action works towards."
        )
        super().__init__(choices=[("", "Nothing in particular"), *groups], required=False, **kwargs)
        self.error_messages["invalid_choice"] = (
            "Choose what the action serves from this organisation’s open records."
        )

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.objects.get(key) if key else None


class ActionForm(OnceMixin, SafeModelForm):
    """Create or edit an action; the owner must belong to the form's organisation.

    The one action form: the actions pages use it as it is, objectives (plan steps) and audits
    (corrective actions) subclass it for labels and a required due date. `action_fields()` is
    what `isova.actions.action_create` / `action_update` take.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "due_date": {"invalid": "Enter the due date as YYYY-MM-DD, e.g. 2026-12-31."},
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(
        self, *args, organisation: Organisation, with_source: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        if with_source:
            self.fields["source"] = SourceChoiceField(organisation=organisation)
        for name in ("estimated_effort_hours", "estimated_cost"):
            self.fields[name].validators.append(MinValueValidator(0))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        self._today = organisation.today()
        if self._past_due_entered():
            # Shown only once a past date was entered: the page asks, the person confirms.
            self.fields["confirm_past_due"] = forms.BooleanField(
                required=False,
                label="Yes, the due date is in the past: create it already overdue",
            )

    def _past_due_entered(self) -> bool:
        if not self.is_bound:
            return False
        try:
            due = datetime.date.fromisoformat(str(self.data.get(self.add_prefix("due_date"), "")))
        except ValueError:
            return False
        unchanged = self.instance.pk is not None and due == self.instance.due_date
        return due < self._today and not unchanged

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        due = cleaned.get("due_date")
        if (
            "confirm_past_due" in self.fields
            and due is not None
            and due < self._today
            and not cleaned.get("confirm_past_due")
        ):
            self.add_error(
                "due_date",
                f"{due:%-d %B %Y} is in the past: the action would be overdue from the start. "
                "Correct the date, or tick the box below to confirm.",
            )
        if self.has_error("version"):
            # The hidden field's own error would never be seen: say what to do instead.
            self.add_error(
                None,
                "This form is incomplete or out of date, so nothing was saved: "
                "reload the page and make your change again.",
            )
        return cleaned

    def action_fields(self) -> dict[str, Any]:
        """The cleaned action fields, as keyword arguments of the action services."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class StatusForm(SafeForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(SafeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Progress note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the note first: it was empty."},
    )


class ActionFilterForm(SafeForm):
    """The filters of the "All actions" list; every field optional; invalid values show errors."""

    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("outstanding", "Outstanding")] + ActionStatus.choices,
    )
    owner = MemberChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    overdue = forms.BooleanField(required=False, label="Overdue only")
    due_from = forms.DateField(required=False, widget=DateInput(), label="Due from")
    due_to = forms.DateField(required=False, widget=DateInput(), label="Due to")
    source = forms.ChoiceField(required=False, label="Source")
    # The dashboard's period links here: actions created on or after this day.
    created_from = forms.DateField(required=False, widget=DateInput(), label="Created from")
    age = forms.ChoiceField(
        required=False,
        label="Age (days since created)",
        choices=[("", "Any age"), *((b, b) for b in ACTION_AGE_BUCKETS)],
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        types = ContentType.objects.filter(
            pk__in=Action.objects.for_org(organisation).values("source_type")
        ).order_by("app_label", "model")
        models = [(ct, ct.model_class()) for ct in types]
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "Any source"), ("none", "No source")] + [
            (f"{ct.app_label}.{ct.model}", str(model._meta.verbose_name).capitalize())
            for ct, model in models
            if model is not None
        ]

    def filter(self, queryset, today):
        """Apply every filter whose value is valid; the invalid ones show their errors."""
        self.is_valid()
        data = dict.fromkeys(self.fields) | getattr(self, "cleaned_data", {})
        if data["status"] == "outstanding":
            queryset = queryset.outstanding()
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["owner"]:
            queryset = queryset.filter(owner=data["owner"])
        if data["overdue"]:
            queryset = queryset.overdue(today)
        if data["due_from"]:
            queryset = queryset.filter(due_date__gte=data["due_from"])
        if data["due_to"]:
            queryset = queryset.filter(due_date__lte=data["due_to"])
        if data["created_from"]:
            queryset = queryset.created_since(data["created_from"])
        if data["age"]:
            queryset = queryset.aged(today, data["age"])
        if data["source"] == "none":
            queryset = queryset.filter(source_type__isnull=True)
        elif data["source"]:
            app_label, model = data["source"].split(".", 1)
            queryset = queryset.filter(source_type__app_label=app_label, source_type__model=model)
        return queryset
