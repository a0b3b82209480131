"""Canonical JSON, snapshots of approvables and the differences between two snapshots.

A snapshot is the JSON-able dict `approval_snapshot()` returns, serialised canonically
(sorted keys, no whitespace, dates and decimals as strings) so that the same content always
gives the same text and the same SHA-256. Values are compared as values: "95" and "95.0000"
are one number, whether a snapshot was taken before or after the database padded it, and
are shown as a person wrote them ("95").
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from isova.history import Change

if TYPE_CHECKING:
    from isova.records.models import Approvable


def format_decimal(value: Decimal) -> str:
    """A decimal as a person wrote it: 95.0000 → "95", 500.50 → "500.5", 1E+2 → "100"."""
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not allowed in a record snapshot")


def canonical_json(data: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept; dates, datetimes (UTC) and decimals as strings."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def snapshot_text(obj: Approvable) -> str:
    return canonical_json(obj.approval_snapshot())


def current_snapshot(obj: Approvable) -> dict:
    """The record's approval snapshot as it would be signed now (dates already strings)."""
    return json.loads(snapshot_text(obj))


def snapshot_hash(snapshot: Any) -> str:
    """SHA-256 of a snapshot's canonical JSON: what a decision form carries to bind the
    decision to the content the signer was shown."""
    return hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()


# --- values compared as values -------------------------------------------------------

_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    if isinstance(value, str) and not _NUMBER_RE.match(value):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def same_value(old: Any, new: Any) -> bool:
    """Equal as values: numbers numerically ("95" == "95.0000"), dicts and lists item by item."""
    if old == new:
        return True
    if isinstance(old, dict) and isinstance(new, dict):
        return set(old) == set(new) and all(same_value(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same_value(a, b) for a, b in zip(old, new, strict=True))
    a, b = _as_number(old), _as_number(new)
    return a is not None and b is not None and a == b


# --- differences between snapshots -----------------------------------------------------


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def display(value: Any) -> str:
    """A snapshot value as people read it (decimals as entered, names of linked rows)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        for key in ("name", "title", "label"):
            if key in value:
                return str(value[key])
        return canonical_json(value)
    if isinstance(value, list):
        return ", ".join(display(v) for v in value) or "—"
    number = _as_number(value)
    if isinstance(value, str) and number is not None and "." in value:
        return format_decimal(number)
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def _is_keyed_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def diff_snapshots(old: Any, new: Any, path: str = "") -> list[Change]:
    """What differs between two snapshots, as readable changes ("Plan › Train staff › Due").

    Nested dicts are compared key by key; lists of dicts with an "id" (children such as plan
    actions) item by item, so an added, removed or edited child reads as such. Values equal
    as values (95 and 95.0000) are no change.
    """
    if same_value(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict) and old.get("id") == new.get("id"):
        changes: list[Change] = []
        for key in sorted(set(old) | set(new)):
            if key == "id":
                continue
            name = f"{path} › {_label(key)}" if path else _label(key)
            changes += diff_snapshots(old.get(key), new.get(key), name)
        return changes
    if _is_keyed_list(old) and _is_keyed_list(new) and (old or new):
        before = {item["id"]: item for item in old}
        after = {item["id"]: item for item in new}
        changes = []
        for item in old:
            if item["id"] not in after:
                changes.append(Change(path or "Items", display(item), "removed"))
        for item in new:
            if item["id"] not in before:
                changes.append(Change(path or "Items", "added", display(item)))
            else:
                name = f"{path} › {display(item)}"
                changes += diff_snapshots(before[item["id"]], item, name)
        return changes
    return [Change(path or "Record", display(old), display(new))]


def changed_keys(old: dict | None, new: dict) -> set[str]:
    """Top-level snapshot keys whose values differ (as values)."""
    old = old or {}
    return {key for key in set(old) | set(new) if not same_value(old.get(key), new.get(key))}


def without_progress(obj: Approvable, snapshot: dict | None) -> dict:
    """`snapshot` without the children's progress fields (`PROGRESS_FIELDS`): a plan step
    being started or done is progress on the plan, not a change to what leaders approved."""
    snapshot = dict(snapshot or {})
    for key, fields in obj.PROGRESS_FIELDS.items():
        children = snapshot.get(key)
        if isinstance(children, list):
            snapshot[key] = [
                {k: v for k, v in child.items() if k not in fields}
                if isinstance(child, dict)
                else child
                for child in children
            ]
    return snapshot


def material_changes(obj: Approvable, old: dict | None, new: dict) -> set[str]:
    """The snapshot keys whose change between `old` and `new` needs a new approval."""
    return material_keys(obj, changed_keys(without_progress(obj, old), without_progress(obj, new)))


def material_keys(obj: Approvable, keys: Iterable[str]) -> set[str]:
    """The snapshot keys among `keys` whose change needs a new approval.

    A key is material when it names one of the model's MATERIAL_FIELDS (or its `_id`), or
    when it is not one of the model's own fields at all: children such as plan actions.
    """
    material = set(obj.MATERIAL_FIELDS)
    own_fields = set()
    for f in obj._meta.concrete_fields:
        own_fields |= {f.name, f.attname}
    out = set()
    for key in keys:
        base = key.removesuffix("_id")
        if key in material or base in material or key not in own_fields:
            out.add(key)
    return out


def changes_json(changes: list[Change]) -> list[dict]:
    return [{"field": c.field, "old": c.old, "new": c.new} for c in changes]


# --- word-level differences, for people about to sign ------------------------------------

_WORD_RE = re.compile(r"\s+|\S+\s*")  # a word with the space after it (leading space alone)
CONTEXT_WORDS = 8  # words kept either side of a change in the excerpt of a long text
LONG_CHARS = 300  # longer values get an excerpt, with the whole text one click away


@dataclass(frozen=True)
class WordDiff:
    """A word-level difference as safe HTML: deletions in <del>, insertions in <ins>, each
    also announced in text ("deleted:", "inserted:") for readers who do not see colour.

    `html` is the whole new text with the changes marked; for a long value, `excerpt` shows
    only the changes and a few words around them, and the page offers `html` in a <details>.
    """

    html: SafeString
    excerpt: SafeString
    long: bool


def _marked(tag: str, words: list[str]) -> str:
    label = "deleted" if tag == "del" else "inserted"
    return f'<{tag}><span class="visually-hidden">{label}: </span>{escape("".join(words))}</{tag}>'


def _context(words: list[str], *, head: bool, tail: bool) -> str:
    """Equal words between changes, cut to CONTEXT_WORDS at the ends that are not kept."""
    n = CONTEXT_WORDS
    if len(words) <= n * 2 or (head and tail):
        return escape("".join(words))
    if head:
        return escape("".join(words[:n])) + " … "
    if tail:
        return " … " + escape("".join(words[-n:]))
    return escape("".join(words[:n])) + " … " + escape("".join(words[-n:]))


def word_diff(old: str, new: str) -> WordDiff:
    """Compare two values word by word (difflib); every piece of text is escaped."""
    a = _WORD_RE.findall("" if old == "—" else str(old))
    b = _WORD_RE.findall("" if new == "—" else str(new))
    full: list[str] = []
    short: list[str] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for k, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            full.append(escape("".join(a[i1:i2])))
            first, last = k == 0, k == len(opcodes) - 1
            short.append(_context(a[i1:i2], head=not first and last, tail=first and not last))
            continue
        piece = ""
        if op in ("delete", "replace"):
            piece += _marked("del", a[i1:i2])
        if op in ("insert", "replace"):
            piece += _marked("ins", b[j1:j2])
        full.append(piece)
        short.append(piece)
    long = max(len(str(old)), len(str(new))) > LONG_CHARS
    # Every piece above went through escape(); the tags are ours.
    return WordDiff(
        html=mark_safe("".join(full)),  # noqa: S308
        excerpt=mark_safe("".join(short)),  # noqa: S308
        long=long,
    )
