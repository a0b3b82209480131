"""CSV cells a spreadsheet shows as text (OWASP "CSV injection"), for every app's export.

A cell that starts like a formula ("=", "+", "-", "@", a tab or a carriage return) is written
with a leading quote, which spreadsheets show as text; `restore` undoes it on re-import so an
export reads back as it was.
"""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """The cell as text: None is empty, a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo `neutralise`, so an export re-imports as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
