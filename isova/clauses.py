"""The clauses of ISO 9001:2015 (4 to 10.3), loaded once from isova/data/.

Findings, audit criteria and any other record that cites the standard validate their clause
references here, so "8.5.1" is accepted and "8.9" or "11" are refused with a clear message.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.core.exceptions import ValidationError

DATA_FILE = Path(__file__).resolve().parent / "data" / "iso9001-2015-clauses.csv"


def _load() -> tuple[dict[str, str], frozenset[str]]:
    titles: dict[str, str] = {}
    headings: set[str] = set()
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            titles[row["clause"]] = row["title"]
            if row["kind"] == "heading":
                headings.add(row["clause"])
    return titles, frozenset(headings)


#: clause number → title (or, for numbered subclauses without a heading, a short description)
CLAUSES, HEADINGS = _load()

_PREFIX = re.compile(r"^(clause|cl\.?|§)\s*", re.IGNORECASE)


def normalise_clause(value: str | None) -> str:
    """ "Clause 8.5.1." → "8.5.1": what people type, made into a clause number (not validated)."""
    value = _PREFIX.sub("", (value or "").strip()).strip()
    return value.rstrip(".").strip()


def validate_clause(value: str) -> None:
    """Raise ValidationError unless `value` is exactly a clause number of ISO 9001:2015."""
    if value in CLAUSES:
        return
    if not value or not value.strip():
        raise ValidationError("Enter an ISO 9001:2015 clause number, for example 8.5.1.")
    raise ValidationError(
        "“%(value)s” is not a clause of ISO 9001:2015. Use a clause number from 4 to 10.3, "
        "for example 7.1.5 or 8.5.1.",
        code="invalid_clause",
        params={"value": value},
    )


def parse_clause_list(value: str) -> list[str]:
    """ "8.4, clause 8.5.1" → ["8.4", "8.5.1"]; ValidationError naming every unknown number."""
    numbers = [normalise_clause(part) for part in re.split(r"[,;\s]+", value or "")]
    numbers = [n for n in numbers if n]
    unknown = [n for n in numbers if n not in CLAUSES]
    if unknown:
        raise ValidationError(
            "Not clauses of ISO 9001:2015: %(unknown)s. Use numbers from 4 to 10.3, "
            "separated by commas, for example 8.4, 8.5.1.",
            code="invalid_clause",
            params={"unknown": ", ".join(unknown)},
        )
    return list(dict.fromkeys(numbers))


def validate_clause_list(value: str) -> None:
    parse_clause_list(value)


def clause_title(number: str) -> str:
    return CLAUSES.get(number, "")


def clause_label(number: str) -> str:
    """ "8.5.1 Control of production and service provision" (or the bare value if unknown)."""
    title = CLAUSES.get(number)
    return f"{number} {title}" if title else number


def clause_choices() -> list[tuple[str, str]]:
    return [(number, clause_label(number)) for number in CLAUSES]
