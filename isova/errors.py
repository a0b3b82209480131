"""One error hierarchy for everything a user should read.

Services raise a `DomainError` (or an app's subclass of it) when a move is not allowed; views
catch `DomainError` once and show its message. `NotAllowed` is also a `PermissionDenied`, so
an uncaught one still answers 403 rather than 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A move the rules do not allow; the message is written for the user."""

    @property
    def message(self) -> str:
        return str(self)


class NotAllowed(DomainError, PermissionDenied):
    """This member may not do this (role, own submission, another organisation)."""


class WrongPassword(DomainError):
    """The re-entered password did not match: nothing was signed."""

    def __init__(self, message: str = "That is not your password. Nothing was signed.") -> None:
        super().__init__(message)


class Conflict(DomainError):
    """The row changed since the caller loaded it (optimistic concurrency, stale forms).

    `current` is the row as it is now, when the caller wants to show it.
    """

    def __init__(self, message: str, current: Any = None) -> None:
        self.current = current
        super().__init__(message)
