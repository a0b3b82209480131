"""What an app declares to offer a register for import and export (see isova.registry)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db import models
    from django.http import QueryDict

    from isova.accounts.models import Membership, Organisation, User

# Field types: "text", "int", "decimal", "date", "bool", "choice" (fixed values), "level" (an
# ordered scale, e.g. likelihood 1–5, that High/Medium/Low map onto), "person" (a member, by
# name or e-mail), "lookup" (a row of another register, by name or reference).
FIELD_TYPES = ("text", "int", "decimal", "date", "bool", "choice", "level", "person", "lookup")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    synonyms: tuple[str, ...] = ()  # other words registers use for it ("mitigated")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    # Header names that suggest this field (besides its name and label), lower case.
    synonyms: tuple[str, ...] = ()
    choices: Sequence[Choice] | Callable[[Context], Sequence[Choice]] = ()
    max_length: int | None = None
    help: str = ""
    # A person field: whether someone not yet a member may be invited for it (where its rows
    # cannot be left unassigned, the member importing holds them until handing them over);
    # False where the person is what the row is about (an allocation's person).
    invite: bool = True


@dataclass
class Context:
    """What a kind's callbacks get; `cache` holds what `prepare` loaded once per import."""

    organisation: Organisation
    membership: Membership
    today: datetime.date
    members: dict[int, User] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


class RowProblem(ValueError):
    """Raised by a kind's `build` for one row: `field` names the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class ImportKind:
    """One register that can be imported.

    `build(ctx, instance, values)` sets the cleaned `values` (field name → value, absent
    fields left out) on `instance` (None for a new row: it makes one) without saving it, and
    returns it and its warnings; it raises `RowProblem` for what cannot be saved. `model`'s
    rows carry `organisation` and `external_ref` unless `existing` finds rows another way.
    """

    name: str
    label: str
    order: int
    permission: str
    fields: tuple[Field, ...]
    model: type[models.Model]
    build: Callable[[Context, Any, dict[str, Any]], tuple[Any, list[str]]]
    notes_field: str  # where kept columns are appended, labelled
    # What a re-import saves of a row it updates (with the notes and external reference);
    # default: the fields (see `saved_fields`).
    update_fields: tuple[str, ...] = ()
    prepare: Callable[[Context], None] | None = None
    after_create: Callable[[Context, list[Any]], None] | None = None
    # Called after each batch's existing rows are updated, with those rows.
    after_update: Callable[[Context, list[Any]], None] | None = None
    # (ctx, refs) → {ref: instance}; default: the model's rows of the organisation by ref.
    existing: Callable[[Context, list[str]], dict[str, Any]] | None = None
    # A row's key for re-import when it is not its external reference ((ctx, values) → str;
    # may raise RowProblem).
    key: Callable[[Context, dict[str, Any]], str] | None = None
    # Columns of isova's own export that isova computes (scores, timestamps): suggested as
    # ignored, so that an export re-imports unchanged.
    derived: tuple[str, ...] = ()
    list_url: str = ""  # where the register is, for the result page
    description: str = ""

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def saved_fields(self) -> tuple[str, ...]:
        return self.update_fields or tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[Sequence[Any]]  # text, numbers, dates, None


@dataclass(frozen=True)
class ExportKind:
    """One register as CSV/XLSX: `sheets(organisation, params)` filters as the list page does
    (its query string) and returns the register's sheets; a CSV holds the first one."""

    name: str
    label: str
    order: int
    permission: str
    sheets: Callable[[Organisation, QueryDict], list[Sheet]]
    # The register's rows as they stand, changes awaiting approval included: exported only
    # by the roles that read those (`isova.record.read_unapproved`; staff read the pages).
    unapproved: bool = False


@dataclass(frozen=True)
class Inviter:
    """How an import invites the people it names who are not members yet (isova.onboarding
    provides it, with the rules of its invite page; without one, "invite" is not offered).

    `may_invite(membership, role)`: whether the member may invite people to `role`;
    `waiting(organisation, emails)`: those of the (lower-case) addresses with an invitation
    waiting already; `invite(membership, role, [(email, name)])`: one invitation each, all or
    none, e-mailed once the import's transaction commits, → the addresses invited; raises
    `isova.errors.DomainError` (or PermissionDenied) when they cannot be made."""

    name: str
    may_invite: Callable[[Membership, str], bool]
    waiting: Callable[[Organisation, list[str]], set[str]]
    invite: Callable[[Membership, str, list[tuple[str, str]]], list[str]]
