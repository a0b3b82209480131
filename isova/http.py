"""Small HTTP helpers every app's views use: one spelling each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError, NotAllowed, NotFound, WrongPassword, status_for


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the form or query names when it is a path on this site, else `default`.

    Only a local path counts: a leading "/", not "//" or "/\\" (another host), no scheme,
    no control characters. Never a URL name: `next=dashboard` is not reversed.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target) else default


def is_local_path(target: str) -> bool:
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set())
    )


def wants_fragment(request: HttpRequest) -> bool:
    """An HTMX request that swaps part of a page (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`, or only its named `partial` for an HTMX request.

    The answer varies on HX-Request, so a cache never serves the fragment to a plain request
    or the page to htmx.
    """
    name = f"{template}#{partial}" if partial and wants_fragment(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def paginate(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], per_page: int) -> Page:
    """The page `?page=` names (the last for a number past the end, the first for nonsense)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """This request's query string without `page`: what `_pagination.html` links keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def flash_redirect(
    request: HttpRequest,
    to: Any,
    message: str,
    *,
    level: int = messages.SUCCESS,
    **url_kwargs: Any,
) -> HttpResponse:
    """After a service call: say what happened, then go to `to` (a URL, a URL name with its
    `url_kwargs`, or a model with `get_absolute_url`)."""
    messages.add_message(request, level, message)
    return redirect(to, **url_kwargs)


def save_or_error(
    request: HttpRequest,
    form: Any,
    write: Callable[[], Any],
    message: str | Callable[[Any], str],
    to: Any = None,
    *,
    field: str | None = None,
) -> HttpResponse | None:
    """A form view's write: `write()` (the service call) and, when it is done, `message` (or
    `message(result)`) flashed and a redirect to `to` (default: the result). A DomainError
    puts its message on the form (on `field`, default the whole form; a wrong signing
    password on the form's password field) and answers None: the view shows the form again.
    A create view's `write` calls `create_once`: the redirect of a repeated form is answered
    as it is."""
    try:
        result = write()
    except DomainError as error:
        wrong_password = isinstance(error, WrongPassword) and "password" in form.fields
        form.add_error("password" if wrong_password else field, error.message)
        return None
    if isinstance(result, HttpResponse):
        return result  # the same form again: its first submission made the record
    text = message(result) if callable(message) else message
    return flash_redirect(request, result if to is None else to, text)


def form_page(
    request: HttpRequest,
    form: Any,
    write: Callable[[], Any],
    message: str | Callable[[Any], str],
    template: str,
    context: dict[str, Any],
    *,
    to: Any = None,
    invalid_status: int = 422,
) -> HttpResponse:
    """A form's page: a valid POST is written with `save_or_error(request, form, write,
    message, to)` and answered with its redirect; otherwise (a GET, an invalid form, a
    DomainError) `template` shows `form` with `context`, with `invalid_status` after a POST."""
    if request.method == "POST" and form.is_valid():
        done = save_or_error(request, form, write, message, to)
        if done:
            return done
    status = invalid_status if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def upload_page(
    request: HttpRequest,
    form_class: Any,
    load: Callable[[Any], Any],
    rejected: type[Exception],
    message: Callable[[Any], str],
    to: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A CSV upload's page: a valid file goes to `load(upload)`, then `message(result)` is
    flashed with a redirect to `to`; a `rejected` error's row errors (its `errors`) are
    listed on the page, which answers 422 after any POST that saved nothing."""
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    errors: list[Any] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = load(form.cleaned_data["file"])
            except rejected as failed:
                errors = failed.errors  # type: ignore[attr-defined]
            else:
                return flash_redirect(request, to, message(result))
        status = 422
    return render(request, template, {"form": form, "errors": errors, **context}, status=status)


def act_and_redirect(
    request: HttpRequest, write: Callable[[], Any], to: Any, message: str
) -> HttpResponse:
    """A write without a form (hold, close, acknowledge): flash `message`, or the
    DomainError's message as an error, and go to `to` either way."""
    try:
        write()
    except DomainError as error:
        return flash_redirect(request, to, error.message, level=messages.ERROR)
    return flash_redirect(request, to, message)


class DomainErrorMiddleware:
    """A DomainError no view caught answers with its kind's status (`errors.status_for`) and
    its message, never a 500. NotFound and NotAllowed are Http404 and PermissionDenied too,
    so Django's own handlers answer those."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or isinstance(exception, NotFound | NotAllowed):
            return None
        status = status_for(exception)
        if wants_fragment(request):
            return HttpResponse(exception.message, status=status, content_type="text/plain")
        return render(request, "domain_error.html", {"message": exception.message}, status=status)
