"""What every resource view shares: the organisation of the token, 404 outside it, and a
list's page filters and ordering."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from isova import records
from isova.accounts import tenancy
from isova.accounts.models import Membership, Organisation

from .serializers import form_errors
from .signals import via

T = TypeVar("T", bound=models.Model)


def membership(request: Request) -> Membership:
    return request.membership


def organisation(request: Request) -> Organisation:
    return request.organisation


def require(request: Request, perm: str) -> None:
    """The pages' role check (before any input is read)."""
    if not tenancy.has_perm(membership(request), perm):
        raise PermissionDenied(f"Your role cannot do this ({perm}).")


def form_data(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON body as a page form's data: each field a single value (a list only for the
    multiple-choice fields named in `lists`), so `{"title": ["a"]}` is an error, not "['a']"."""
    data = dict(request.data)
    wrong = {
        name: ["Give one value." if name not in lists else "Give a list of ids."]
        for name, value in data.items()
        if isinstance(value, dict)
        or (isinstance(value, list) and name not in lists)
        or (name in lists and not isinstance(value, list))
    }
    if wrong:
        raise ValidationError(wrong)
    return data


def valid(form: Any) -> dict[str, Any]:
    """The page form's cleaned data, or a 400 that names each field's errors."""
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


def _parameter(name: str, field: forms.Field, note: str = "") -> dict[str, Any]:
    """One form field as an OpenAPI query parameter: its type, its fixed choices, its label."""
    schema: dict[str, Any] = {"type": "string"}
    text = str(field.label or name.replace("_", " ").capitalize())
    if isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer"}
        text += ": an id"
    elif isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        schema = {"type": "integer"}
    elif isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        values = [str(value) for value, _ in choices if value != ""]
        if values:
            schema["enum"] = values
    elif isinstance(field, forms.CharField) and field.max_length:
        schema["maxLength"] = field.max_length
    if note:
        text += f" ({note})"
    return {"name": name, "in": "query", "required": False, "description": text, "schema": schema}


class PageFilters(BaseFilterBackend):
    """A list's filters are its page's: the view's `filter_form`, bound to the query string,
    filters the list (a 400 naming each invalid field, where the page shows the error)."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        if getattr(view, "filter_form", None) is None or view.action != "list":
            return queryset
        form = view.filter_form(view.filter_form_data(), **view.filter_form_kwargs())
        valid(form)
        view.filters = form
        return view.apply_filters(form, queryset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        form = getattr(view, "filter_form", None)
        if form is None:
            return []
        notes = getattr(view, "filter_notes", {})
        return [_parameter(name, f, notes.get(name, "")) for name, f in form.base_fields.items()]


class ListOrdering(BaseFilterBackend):
    """`ordering=name` or `-name` (comma-separated for more than one) among the view's
    `ordering_fields`; the pages (isova.api.conventions.StablePages) end it with the id."""

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> list[str] | None:
        fields: dict[str, str] = getattr(view, "ordering_fields", {})
        raw = request.query_params.get("ordering", "").strip()
        if not raw or not fields:
            if raw:
                raise ValidationError({"ordering": ["This list has no ordering to choose."]})
            return view.default_ordering() if hasattr(view, "default_ordering") else None
        names = []
        for item in raw.split(","):
            name = item.strip()
            if name.lstrip("-") not in fields:
                choices = ", ".join(sorted(fields))
                raise ValidationError(
                    {"ordering": [f"Order by one of: {choices} (- first to go down)."]}
                )
            names.append(("-" if name.startswith("-") else "") + fields[name.lstrip("-")])
        return names

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        return queryset  # the pages order (their cursor holds the order's values)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = getattr(view, "ordering_fields", {})
        if not fields:
            return []
        values = [v for name in sorted(fields) for v in (name, f"-{name}")]
        text = "The order: a name, or -name to go down; ties and the default go by id."
        schema = {"type": "string", "enum": values}
        return [
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "description": text,
                "schema": schema,
            }
        ]


class OrgViewSet(viewsets.GenericViewSet):
    """A resource of the token's organisation. `lookup_value_regex` keeps non-numeric ids
    out (404), and `get_object` finds rows of this organisation only (404 for others').

    A list names its page's filter form in `filter_form` (PageFilters runs it) and what it
    may be ordered by in `ordering_fields` ({query name: field or annotation})."""

    lookup_value_regex = r"[0-9]+"
    # Subclasses name the permission that reading this resource takes on the pages.
    read_permission: str = ""
    filter_backends = [ListOrdering, PageFilters]
    filter_form: type[forms.Form] | None = None
    filter_notes: dict[str, str] = {}
    ordering_fields: dict[str, str] = {}
    filters: Any = None  # the list's valid filter form, once PageFilters has run it

    def filter_form_data(self) -> Any:
        return self.request.query_params

    def filter_form_kwargs(self) -> dict[str, Any]:
        return {"organisation": organisation(self.request)}

    def apply_filters(self, form: Any, queryset: Any) -> Any:
        """The page's own filtering with the valid form (most forms have `filter`)."""
        return form.filter(queryset)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The token's authentication marks this request's history rows "via API"; the mark
        # must not outlive it (a worker thread serves pages next).
        mark = via.set("")
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            via.reset(mark)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.read_permission:
            require(request, self.read_permission)

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(organisation=organisation(self.request))

    # --- what staff read: the last approved version, as on the pages (issue 22.3) ---------

    def reads_approved(self) -> bool:
        return records.reads_approved_only(membership(self.request))

    def as_read(self, obj: Any) -> Any:
        """`obj` as a member who reads approved versions only is shown it (a resource of
        approvable records overrides this, and narrows `get_queryset` for them)."""
        return obj

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is None or not self.reads_approved():
            return page
        return [self.as_read(obj) for obj in page]

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.request.method in SAFE_METHODS and self.reads_approved():
            return self.as_read(obj)
        return obj
