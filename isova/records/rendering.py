"""A version's content as a signer reads it: every field of the snapshot, by label.

The inbox and the record panel render the snapshot itself (never the live record), and the
decision form carries that snapshot's hash, so what a leader signs is what was on screen.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format

from .snapshots import display

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keys that identify rows for the machine and mean nothing to a reader.
_HIDDEN_KEYS = {"id", "pk"}


@dataclass
class ContentRow:
    label: str
    value: str = ""
    items: list[str] = field(default_factory=list)  # a list of child rows (plan steps, …)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def readable(value: Any) -> str:
    """One snapshot value as people write it: ISO dates as "1 January 2026"."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return display(value)


def _item(value: Any) -> str:
    if not isinstance(value, dict):
        return readable(value)
    parts = [
        f"{_label(key)}: {readable(child)}"
        for key, child in value.items()
        if key not in _HIDDEN_KEYS and child not in (None, "")
    ]
    return "; ".join(parts) or "—"


def content_rows(snapshot: Any) -> list[ContentRow]:
    """Every field of a snapshot, in its order, lists of rows as items."""
    if not isinstance(snapshot, dict):
        return [ContentRow("Content", readable(snapshot))]
    rows = []
    for key, value in snapshot.items():
        if key in _HIDDEN_KEYS:
            continue
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            rows.append(ContentRow(_label(key), items=[_item(v) for v in value]))
        else:
            rows.append(ContentRow(_label(key), readable(value)))
    return rows
