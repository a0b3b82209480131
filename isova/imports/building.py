"""What the apps' import kinds share when they build rows: lookups loaded once per import,
cleaned values set on a row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .kinds import Choice, Context


def lookup_choices(
    ctx: Context,
    key: str,
    rows: Iterable[Any],
    label: Callable[[Any], str] = str,
    synonyms: Callable[[Any], tuple[str, ...]] = lambda row: (),
) -> list[Choice]:
    """A "lookup" field's choices: `rows` by primary key (as text), loaded once per import
    into `ctx.cache[key]`, where a kind's `build` finds the chosen row."""
    if key not in ctx.cache:
        ctx.cache[key] = {str(row.pk): row for row in rows}
    return [Choice(pk, label(row), synonyms(row)) for pk, row in ctx.cache[key].items()]


def fill(instance: Any, values: dict[str, Any]) -> Any:
    """`instance` with the cleaned `values` set on it (not saved)."""
    for name, value in values.items():
        setattr(instance, name, value)
    return instance
