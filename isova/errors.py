"""One error hierarchy for everything a user should read, and one map from kind to HTTP status.

Services raise one of four kinds (or an app's subclass of one); views catch `DomainError`
once and show its message with `status_for(error)`; `DomainErrorMiddleware` answers an
uncaught one with the same status, never a 500:

- `NotFound`    404: no such thing in this organisation (another organisation's ids too);
- `NotAllowed`  403: this member may not do this (role, own submission); `Forbidden` names it;
- `Invalid`     422: the input breaks a rule (a value, a choice, a wrong signing password);
- `Conflict`    409: the state moved on (a stale form, a record changed since it was shown).

A bare `DomainError` is a move the rules do not allow in the current state: 422.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    """A move the rules do not allow; the message is written for the user."""

    @property
    def message(self) -> str:
        return str(self)


class NotFound(DomainError, Http404):
    """No such thing here (also what another organisation's ids get)."""


class NotAllowed(DomainError, PermissionDenied):
    """This member may not do this (role, own submission, another organisation)."""


Forbidden = NotAllowed


class Invalid(DomainError):
    """The input breaks a rule: the message names what to change."""


class WrongPassword(Invalid):
    """The re-entered password did not match: nothing was signed. The one definition: apps
    let it through rather than wrapping it."""

    def __init__(self, message: str = "That is not your password. Nothing was signed.") -> None:
        super().__init__(message)


class Conflict(DomainError):
    """The row changed since the caller loaded it (optimistic concurrency, stale forms).

    `current` is the row as it is now, when the caller wants to show it.
    """

    def __init__(self, message: str, current: Any = None) -> None:
        self.current = current
        super().__init__(message)


# The one place a kind becomes an HTTP status (most specific first).
HTTP_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (NotAllowed, 403),
    (Conflict, 409),
    (Invalid, 422),
    (DomainError, 422),
)


def status_for(error: DomainError) -> int:
    return next(status for kind, status in HTTP_STATUS if isinstance(error, kind))
