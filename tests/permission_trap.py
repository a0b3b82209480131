"""Instruments a request to tell whether a view decided permission before reading input.

While the view runs (from `process_view` on), reading `request.POST` or `request.FILES`
raises `InputRead`, and every lookup in the role permission table (`tenancy.PERMISSIONS`, which
`has_perm` and `require` consult) is noted. A view that answers 403/404 never reached the
input; a view that reads input first must have consulted the permission table before."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse

from isova.accounts import tenancy

_state = threading.local()


class InputRead(Exception):
    """The view read the request's input (with whether a permission was consulted first)."""

    def __init__(self, checked: list[str]) -> None:
        super().__init__(", ".join(checked) or "no permission consulted")
        self.checked = checked


class _RecordingPermissions(dict):
    def __getitem__(self, key: str) -> Any:
        if getattr(_state, "armed", False):
            _state.checked.append(key)
        return super().__getitem__(key)


class TrapMiddleware:
    """Arms the trap just before the view runs (after every middleware read what it needs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            _state.armed = False

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        _state.armed, _state.checked = True, []


def _trapped(name: str) -> property:
    original = getattr(WSGIRequest, name)

    def read(self: WSGIRequest) -> Any:
        if getattr(_state, "armed", False):
            _state.armed = False
            raise InputRead(list(_state.checked))
        return original.__get__(self)

    return property(read, original.fset)


@contextlib.contextmanager
def trap_input() -> Iterator[None]:
    """Install the trap (and the recording permission table) for the `with` block."""
    saved = {name: WSGIRequest.__dict__[name] for name in ("POST", "FILES")}
    permissions = tenancy.PERMISSIONS
    tenancy.PERMISSIONS = _RecordingPermissions(permissions)  # type: ignore[misc]
    for name in saved:
        setattr(WSGIRequest, name, _trapped(name))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(WSGIRequest, name, value)
        tenancy.PERMISSIONS = permissions  # type: ignore[misc]
        _state.armed = False
