"""Read-only copies of a record as its leaders last approved it: what staff read (issue 22.3).

A change awaiting approval lives on the record's row; staff are shown the last approved
snapshot instead. `approved_copy` lays the snapshot's values over a copy of the row (fields
the snapshot does not name keep the row's value) and makes the copy impossible to save.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import OuterRef, Subquery

from isova.accounts.models import User

T = TypeVar("T")


def _never_saved(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("A copy showing an approved version is never saved.")


def approved_copy(
    obj: T,
    snapshot: Any,
    *,
    fields: Iterable[str] = (),
    dates: Iterable[str] = (),
    people: Iterable[str] = ("owner",),
) -> T:
    """A copy of `obj` with `fields` (as stored), `dates` (ISO dates) and `people`
    (`{"id", "name"}`, shown by name) taken from `snapshot`; its `save` raises."""
    snap = snapshot if isinstance(snapshot, dict) else {}
    shown = copy.copy(obj)
    for name in fields:
        if name in snap:
            setattr(shown, name, snap[name])
    for name in dates:
        value = snap.get(name)
        if value in (None, ""):
            if name in snap:
                setattr(shown, name, None)
            continue
        with contextlib.suppress(TypeError, ValueError):
            setattr(shown, name, datetime.date.fromisoformat(str(value)))
    for name in people:
        person = snap.get(name)
        if isinstance(person, dict) and person.get("id") != getattr(obj, f"{name}_id", None):
            setattr(shown, name, User(pk=person.get("id"), full_name=str(person.get("name", ""))))
    shown.save = _never_saved  # type: ignore[attr-defined]
    return shown


def approved_ids(snapshot: Any, key: str) -> set[int]:
    """The ids a snapshot's list of `{"id", "name"}` under `key` names (its links)."""
    rows = snapshot.get(key) if isinstance(snapshot, dict) else None
    return {row["id"] for row in rows or [] if isinstance(row, dict) and "id" in row}


def last_approved_snapshot(model: type[models.Model], field: str = "snapshot") -> Subquery:
    """A subquery of `model`'s rows: the snapshot (or another `field`) of each one's last
    approved version (None for a record never approved). The content type is joined by name
    (no lookup of its own)."""
    from .models import RecordStatus, RecordVersion

    approved = RecordVersion.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=OuterRef("pk"),
        status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED),
    ).order_by("-number")
    return Subquery(approved.values(field)[:1])
