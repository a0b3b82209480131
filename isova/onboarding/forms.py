"""Forms of onboarding: inviting (a pasted list or a CSV), roles, deactivation, accepting."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from isova.forms import member_choices, member_label
from isova.models import Organisation, Role, User

from .invitations import Invitee

MAX_INVITEES = 200
MAX_CSV_BYTES = 256 * 1024
CSV_COLUMNS = {"email", "role", "name"}
ROLE_WORDS = {r.value: r.value for r in Role} | {r.label.lower(): r.value for r in Role}


def _role(word: str, default: str, where: str) -> str:
    word = word.strip().lower()
    if not word:
        return default
    if word not in ROLE_WORDS:
        raise ValidationError(
            f"{where}: “{word}” is not a role (leader, manager, staff or auditor)."
        )
    return ROLE_WORDS[word]


def _email(value: str, where: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(f"{where}: “{value}” is not an e-mail address.") from None
    return value


def parse_list(text: str, default_role: str) -> list[Invitee]:
    """Lines of "address", "address, role" or "address, role, full name" (commas, semicolons
    or tabs); blank lines are skipped, anything else that does not read is an error."""
    invitees, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(";", ",").replace("\t", ",").split(",")]
        where = f"Line {number}"
        try:
            if len(parts) > 3:
                raise ValidationError(f"{where}: too many parts (address, role, name).")
            email = _email(parts[0], where)
            role = _role(parts[1] if len(parts) > 1 else "", default_role, where)
            invitees.append(Invitee(email, role, parts[2] if len(parts) > 2 else ""))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return invitees


def parse_csv(data: bytes, default_role: str) -> list[Invitee]:
    """A CSV with a header naming `email` and optionally `role` and `name`; any other
    column is an error (nothing is dropped silently)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The CSV file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        raise ValidationError("The CSV file needs a header row with an “email” column.")
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ValidationError(
            f"Unknown column(s) {', '.join(unknown)}: use email, role and name only."
        )
    reader.fieldnames = header
    invitees, errors = [], []
    for number, row in enumerate(reader, start=2):
        if None in row:
            errors.append(f"Row {number}: more values than columns.")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        where = f"Row {number}"
        try:
            invitees.append(
                Invitee(
                    _email(row.get("email") or "", where),
                    _role(row.get("role") or "", default_role, where),
                    (row.get("name") or "").strip(),
                )
            )
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return invitees


class InviteForm(forms.Form):
    people = forms.CharField(
        label="E-mail addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One person a line: address, and optionally role and full name, e.g. "
        "“sam@example.com, manager, Sam Patel”.",
    )
    csv_file = forms.FileField(
        label="Or a CSV file",
        required=False,
        help_text="Columns: email, and optionally role and name.",
    )
    role = forms.ChoiceField(label="Role (where a line names none)", choices=[])

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.value, r.label) for r in Role if r.value in roles]
        field.initial = Role.STAFF if Role.STAFF in roles else roles[0]
        self.allowed_roles = roles

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if not role:
            return data
        upload = data.get("csv_file")
        invitees: list[Invitee] = []
        try:
            if data.get("people", "").strip():
                invitees += parse_list(data["people"], role)
            if upload:
                if upload.size > MAX_CSV_BYTES:
                    raise ValidationError("The CSV file is too large (256 KB at most).")
                invitees += parse_csv(upload.read(), role)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if not invitees:
            raise ValidationError("Give at least one e-mail address.")
        if len(invitees) > MAX_INVITEES:
            raise ValidationError(f"At most {MAX_INVITEES} people at once.")
        seen: set[str] = set()
        errors = []
        for invitee in invitees:
            if invitee.email in seen:
                errors.append(f"{invitee.email} is listed twice.")
            seen.add(invitee.email)
            if invitee.role not in self.allowed_roles:
                errors.append(f"{invitee.email}: your role cannot invite a {invitee.role}.")
        if errors:
            raise ValidationError(errors)
        data["invitees"] = invitees
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class DeactivateForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        label="Give their open work to",
        queryset=User.objects.none(),
        required=False,
        help_text="Their open actions, objectives and risks go to this person.",
    )

    def __init__(self, *args: Any, organisation: Organisation, person: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["reassign_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = member_choices(organisation).exclude(pk=person.pk)
        field.label_from_instance = member_label  # type: ignore[method-assign,assignment]


class AcceptForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class SingleSignOnForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        required=False,
        help_text="Leave empty to keep the one saved.",
    )

    class Meta:
        from .models import SingleSignOn

        model = SingleSignOn
        fields = [
            "enabled",
            "issuer",
            "client_id",
            "client_secret",
            "join_domain",
            "required",
            "break_glass",
        ]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from isova.models import Membership

        leaders = Membership.objects.filter(organisation=organisation, role=Role.LEADER)
        field = self.fields["break_glass"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=leaders.values("user"))

    def clean_join_domain(self) -> str:
        domain = self.cleaned_data.get("join_domain", "").strip().lower().lstrip("@")
        if domain and ("." not in domain or " " in domain or "@" in domain):
            raise ValidationError("Give a domain such as example.com.")
        return domain

    def clean(self) -> dict[str, Any]:
        from .sso import discover

        data = super().clean() or {}
        if not data.get("client_secret"):
            if not self.instance.client_secret:
                self.add_error("client_secret", "The provider gives you a client secret.")
            data["client_secret"] = self.instance.client_secret
        if data.get("required") and not data.get("break_glass"):
            self.add_error(
                "break_glass",
                "Name a leader who may still use a password, in case the provider is down.",
            )
        if data.get("issuer") and not self.errors:
            self.instance.issuer = data["issuer"]
            try:
                discover(self.instance)
            except ValidationError as error:
                self.add_error("issuer", error)
        return data


class PasswordLoginForm(AuthenticationForm):
    """The login form: a person whose organisation requires single sign-on is refused a
    password sign-in (except the break-glass leader), with where to go instead."""

    def confirm_login_allowed(self, user: Any) -> None:
        from .sso import password_refused

        super().confirm_login_allowed(user)
        organisation = password_refused(user)
        if organisation is not None:
            raise ValidationError(
                f"{organisation} signs in with its identity provider: use “Sign in with your "
                f"organisation” below (short name “{organisation.slug}”).",
                code="sso_required",
            )
