"""Small HTTP helpers every app's views use: one spelling each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the form or query names when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


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
