from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .actions import EDITABLE_FIELDS
from .idempotency import OnceMixin
from .models import (
    ACTION_AGE_BUCKETS,
    Action,
    ActionStatus,
    Membership,
    Organisation,
    Role,
    User,
    action_source_models,
)

# Dates a person can mean: outside these, date arithmetic (period ends, reminders a week
# ahead) would leave Python's calendar (year 1 to 9999) and answer a 500.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def single_line(value: Any) -> None:
    """A title or a name is one line: a line break would, for one, break an e-mail header."""
    if isinstance(value, str) and ("\r" in value or "\n" in value):
        raise ValidationError("Keep this on one line: remove the line breaks.", code="single_line")


def sensible_date(value: Any) -> None:
    if isinstance(value, datetime.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"Give a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.",
            code="date_range",
        )


class InputRulesMixin:
    """Rules every form of isova applies to what people type (use SafeForm / SafeModelForm).

    Single-line text inputs refuse CR and LF; dates stay within EARLIEST_DATE..LATEST_DATE.
    (Django's CharField already refuses NUL characters, which PostgreSQL cannot store, and its
    max_length refuses, with a message, text that is too long.)
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
                field.validators.append(single_line)
            if isinstance(field, forms.DateField):
                field.validators.append(sensible_date)


class SafeForm(InputRulesMixin, forms.Form):
    pass


class SafeModelForm(InputRulesMixin, forms.ModelForm):
    pass


class SigningPasswordField(forms.CharField):
    """The password re-entered to sign a record: taken as typed (never stripped), filled by a
    password manager as the current one, and a missing one says that nothing was signed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Your password (to sign)")
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.PasswordInput(attrs={"autocomplete": "current-password"}))
        kwargs.setdefault(
            "error_messages", {"required": "Enter your password to sign. Nothing was signed."}
        )
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def member_choices(organisation: Organisation) -> QuerySet[User]:
    """The organisation's active members, each annotated with `member_role` (here)."""
    role = Membership.objects.filter(organisation=organisation, user=OuterRef("pk"))
    return (
        User.objects.filter(memberships__organisation=organisation, is_active=True)
        .annotate(member_role=Subquery(role.values("role")[:1]))
        .order_by("full_name", "email")
    )


def member_label(user: Any) -> str:
    """ "Helen Hartwell (leader)": pickers show who may do what (approve, verify)."""
    role = getattr(user, "member_role", None)
    name = user.get_full_name()
    return f"{name} ({Role(role).label.lower()})" if role in Role.values else name


def _attrs(attrs: dict[str, Any]) -> str:
    """HTML attributes as django/forms/widgets/attrs.html writes them, in their order."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A single <select> rendered in Python, the same HTML as Django's template widget.

    Django renders each <option> through two included templates: a 500-person member list
    took ~100 ms of a list page at bench scale 1 (see bench/). Option groups fall back to
    the template.
    """

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group, choices, _ in widget["optgroups"]:
            if group:
                return super().render(name, value, attrs, renderer)
            for option in choices:
                options.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        mark_safe(_attrs(option["attrs"])),
                        option["label"],
                    )
                )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            mark_safe(_attrs(widget["attrs"])),
            mark_safe("\n".join(options)),
        )


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the organisation, shown by full name and role (the form sets the queryset)."""

    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


class MembersChoiceField(forms.ModelMultipleChoiceField):
    """Several members of the organisation, shown by full name and role."""

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


def limit_choices(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer only `queryset` in a model choice field (a ModelForm builds one per relation)."""
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"not a model choice field: {field!r}")
    field.queryset = queryset


def source_key(obj: Any) -> str:
    """How a form names an action's source: "objectives.objective:12"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


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
