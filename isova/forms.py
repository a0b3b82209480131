from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Action, ActionStatus, Organisation, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def member_choices(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=organisation, is_active=True).order_by(
        "full_name", "email"
    )


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
    """A member of the organisation, shown by full name (the form sets the queryset)."""

    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class MembersChoiceField(forms.ModelMultipleChoiceField):
    """Several members of the organisation, shown by full name."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


def limit_choices(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer only `queryset` in a model choice field (a ModelForm builds one per relation)."""
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"not a model choice field: {field!r}")
    field.queryset = queryset


class ActionForm(forms.ModelForm):
    """Create or edit an action; the owner must belong to the form's organisation."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "owner",
            "due_date",
            "priority",
            "estimated_effort_hours",
            "estimated_cost",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "due_date": {"invalid": "Enter the due date as YYYY-MM-DD, e.g. 2026-12-31."},
            "owner": {"invalid_choice": "Choose an owner from this organisation’s members."},
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["owner"], member_choices(organisation))
        for name in ("estimated_effort_hours", "estimated_cost"):
            self.fields[name].validators.append(MinValueValidator(0))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.has_error("version"):
            # The hidden field's own error would never be seen: say what to do instead.
            self.add_error(
                None,
                "This form is incomplete or out of date, so nothing was saved: "
                "reload the page and make your change again.",
            )
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionFilterForm(forms.Form):
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
        if data["source"] == "none":
            queryset = queryset.filter(source_type__isnull=True)
        elif data["source"]:
            app_label, model = data["source"].split(".", 1)
            queryset = queryset.filter(source_type__app_label=app_label, source_type__model=model)
        return queryset
