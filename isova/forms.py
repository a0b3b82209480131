from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from isova.accounts.models import Membership, Organisation, Role, User

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


class ProviderSigningMixin:
    """A signing form that may be signed by confirming at the organisation's provider.

    `offer` (isova.registry.SigningOffer, from `records.signing_offer(request)`; None: the
    password only, the form unchanged): the password becomes optional, or is dropped when the
    provider is required; `shown_hash` carries the hash of what the page showed, which the
    confirmation is bound to."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, offer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer is None:
            return
        self.fields["shown_hash"] = forms.RegexField(
            regex=r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput
        )
        if offer.required:
            del self.fields["password"]
        else:
            self.fields["password"].required = False


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
