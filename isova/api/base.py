"""What every resource view shares: the organisation of the token, 404 outside it."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

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


class OrgViewSet(viewsets.GenericViewSet):
    """A resource of the token's organisation. `lookup_value_regex` keeps non-numeric ids
    out (404), and `get_object` finds rows of this organisation only (404 for others')."""

    lookup_value_regex = r"[0-9]+"
    # Subclasses name the permission that reading this resource takes on the pages.
    read_permission: str = ""

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
