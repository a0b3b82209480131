"""The records workflow's errors, in the core hierarchy (`isova.errors`)."""

from __future__ import annotations

from isova.errors import Conflict, DomainError, NotAllowed, WrongPassword

__all__ = [
    "NotAllowed",
    "ReauthRefused",
    "RecordError",
    "SigningLocked",
    "Stale",
    "WrongPassword",
]


class RecordError(DomainError):
    """A move the approval workflow does not allow; the message is shown to the user."""


class Stale(Conflict, RecordError):
    """The record moved on since the caller's page was loaded (another version, status or
    content than the one shown): nothing was signed."""


class SigningLocked(RecordError):
    """Too many wrong signing passwords lately: signing is refused for a while."""


class ReauthRefused(RecordError):
    """A fresh sign-in at the provider that does not stand for this signature (someone
    else's, too old, already used, or made for other content): nothing was signed."""
