"""Double submits of a create form make one record.

Every create form carries a hidden one-time token (`OnceMixin`, a new UUID each time the
form is drawn). The view makes its record through `create_once`, which claims the token in
the same transaction: a second POST with that token (a double click, a resend after a slow
answer, two tabs) waits for the first, finds its claim and is redirected to the first
result instead of creating again. A failed first attempt rolls its claim back with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect

from isova.accounts.models import FormSubmission
from isova.accounts.tenancy import OrgRequest
from isova.http import save_or_error

TOKEN = "form_token"
T = TypeVar("T")


class OnceMixin:
    """Put before the form's base class: `class GoalForm(OnceMixin, SafeModelForm)`.

    The token is not part of `cleaned_data` (views pass that to services as is): it is
    `form.submission_token` after validation (None when the POST carried none).
    """

    fields: dict[str, forms.Field]
    submission_token: uuid.UUID | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[TOKEN] = forms.UUIDField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4
        )

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is not None:
            self.submission_token = cleaned.pop(TOKEN, None)


def create_once(
    request: OrgRequest,
    form: Any,
    create: Callable[[], T],
    url: Callable[[T], str] | None = None,
) -> T | HttpResponseRedirect:
    """`create()` unless this form's token was already used: then a redirect to the first
    result. `url(result)` (default `result.get_absolute_url()`) is where a repeat goes."""
    token = getattr(form, "submission_token", None)
    if token is None:
        return create()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(token=token, user=request.user)
        except IntegrityError:
            # Another request claimed it (and has committed: the unique index made us wait).
            earlier = FormSubmission.objects.filter(token=token, user=request.user).first()
            target = earlier.result_url if earlier and earlier.result_url else request.path
            return HttpResponseRedirect(target)
        result = create()
        claim.result_url = (url or _absolute_url)(result)[:500]
        claim.save(update_fields=["result_url"])
        return result


def save_once(
    request: OrgRequest,
    form: Any,
    create: Callable[[], Any],
    *args: Any,
    url: Callable[[Any], str] | None = None,
    **kwargs: Any,
) -> HttpResponse | None:
    """A create form view's write: `http.save_or_error` (the message, where to go and the
    rest as its own) of `create_once(..., create, url)`, so a repeat of the same form is sent
    where the first one went and makes nothing again."""
    return save_or_error(
        request, form, lambda: create_once(request, form, create, url), *args, **kwargs
    )


def _absolute_url(result: Any) -> str:
    return str(result.get_absolute_url())
