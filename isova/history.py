"""Field-level history (django-simple-history) turned into readable change lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    who: Any
    kind: str  # "created", "changed" or "deleted"
    changes: list[Change] = field(default_factory=list)
    via: str = ""  # "via API" for a write made with an API token


# A "record" below is a row of django-simple-history's historical model (the library is untyped).


def _field(record: Any, name: str) -> Any:
    """The model field `name` of a historical row: its own, else the tracked model's (a
    many-to-many tracked with `m2m_fields` is not a field of the historical model), else None."""
    for model in (record.__class__, getattr(record, "instance_type", None)):
        if model is None:
            continue
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _label(record: Any, name: str) -> str:
    model_field = _field(record, name)
    return str(getattr(model_field, "verbose_name", name) if model_field else name)


def _display(record: Any, name: str, value: Any, users: dict[int, Any]) -> Any:
    model_field = _field(record, name)
    if model_field is None:
        return "—" if value in (None, "") else value
    if model_field.many_to_many:
        # simple-history gives the through rows as dicts: name the related rows.
        target = model_field.m2m_reverse_field_name()
        ids = [row[target] for row in value or [] if isinstance(row, dict) and target in row]
        return ", ".join(str(users.get(pk, pk)) for pk in ids) or "—"
    if model_field.is_relation and value in users:
        return users[value]
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")  # as entered: 95, not 95.0000
    if isinstance(value, list | tuple):
        # A JSON list (the five whys): its filled-in items, not Python's repr.
        value = "; ".join(str(item) for item in value if item not in (None, ""))
    return "—" if value in (None, "") else value


def entries(
    records: list[Any],
    *,
    users: dict[int, Any] | None = None,
    ignore: tuple[str, ...] = (),
) -> list[HistoryEntry]:
    """Newest first. `records` are one object's historical rows, newest first (one query)."""
    out: list[HistoryEntry] = []
    users = users or {}
    for newer, older in zip(records, [*records[1:], None], strict=True):
        kind = {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type]
        entry = HistoryEntry(
            when=newer.history_date,
            who=users.get(newer.history_user_id, newer.history_user_id and "a former user"),
            kind=kind,
            via="via API" if (newer.history_change_reason or "").endswith("via API") else "",
        )
        if older is not None and kind == "changed":
            delta = newer.diff_against(older, excluded_fields=ignore, foreign_keys_are_objs=False)
            for change in delta.changes:
                name = change.field
                entry.changes.append(
                    Change(
                        field=_label(newer, name),
                        old=_display(newer, name, change.old, users),
                        new=_display(newer, name, change.new, users),
                    )
                )
        out.append(entry)
    return out
