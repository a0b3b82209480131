"""Field-level history (django-simple-history) turned into readable change lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


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


# A "record" below is a row of django-simple-history's historical model (the library is untyped).


def _display(record: Any, name: str, value: Any, users: dict[int, Any]) -> Any:
    model_field = record._meta.get_field(name)
    if model_field.is_relation and value in users:
        return users[value]
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")  # as entered: 95, not 95.0000
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
        )
        if older is not None and kind == "changed":
            delta = newer.diff_against(older, excluded_fields=ignore, foreign_keys_are_objs=False)
            for change in delta.changes:
                name = change.field
                entry.changes.append(
                    Change(
                        field=str(newer._meta.get_field(name).verbose_name),
                        old=_display(newer, name, change.old, users),
                        new=_display(newer, name, change.new, users),
                    )
                )
        out.append(entry)
    return out
