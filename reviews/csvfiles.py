"""CSV in and out of the feedback register: survey results in (all or nothing), register out."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from isova.csvsafe import neutralise

from .models import Feedback

IMPORT_COLUMNS = ("date", "customer", "score", "category", "comment")
EXPORT_COLUMNS = (
    "id", "kind", "date", "summary", "customer", "category", "severity", "score", "status",
    "owner", "response_due", "response", "submitted_by",
)  # fmt: skip
MAX_ROWS = 5000


@dataclass(frozen=True)
class SurveyRow:
    received_on: datetime.date
    customer: str
    score: Decimal
    category: str
    comment: str


def parse_surveys(data: bytes, today: datetime.date) -> tuple[list[SurveyRow], list[str]]:
    """Every row parsed, or the errors by line (the caller saves nothing when there are any)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text (save it as CSV UTF-8)."]
    if "\x00" in text:
        # PostgreSQL stores no NUL character: name the lines rather than fail on saving.
        lines = [str(n) for n, line in enumerate(text.splitlines(), start=1) if "\x00" in line]
        return [], [f"Line {', '.join(lines[:10])}: contains a NUL character (not text)."]
    try:
        return _parse_rows(csv.DictReader(io.StringIO(text, newline=""), strict=True), today)
    except csv.Error as error:
        return [], [f"The file is not valid CSV: {error}."]


def _parse_rows(reader: csv.DictReader, today: datetime.date) -> tuple[list[SurveyRow], list[str]]:
    missing = set(IMPORT_COLUMNS) - set(reader.fieldnames or [])
    if missing:
        return [], [f"Missing column(s): {', '.join(sorted(missing))}."]
    rows: list[SurveyRow] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            return [], [f"More than {MAX_ROWS} rows: split the file."]
        problems = []
        try:
            day = datetime.date.fromisoformat((raw["date"] or "").strip())
            if day > today:
                problems.append("the date is in the future")
        except ValueError:
            problems.append(f"“{raw['date']}” is not a date (YYYY-MM-DD)")
            day = today
        try:
            score = Decimal((raw["score"] or "").strip())
            if not (0 <= score <= 10) or not score.is_finite():
                problems.append("the score must be between 0 and 10")
        except InvalidOperation:
            problems.append(f"“{raw['score']}” is not a number")
            score = Decimal(0)
        customer = (raw["customer"] or "").strip()
        if len(customer) > 200 or len((raw["category"] or "").strip()) > 80:
            problems.append("the customer or category is too long")
        if problems:
            errors.append(f"Line {line}: " + "; ".join(problems) + ".")
            continue
        rows.append(
            SurveyRow(day, customer, score, (raw["category"] or "").strip(), raw["comment"] or "")
        )
    if not rows and not errors:
        errors.append("The file has no rows.")
    return rows, errors


def export_rows(feedback: Iterable[Feedback]) -> Iterable[list[str]]:
    yield list(EXPORT_COLUMNS)
    for f in feedback:
        yield [
            neutralise(v)
            for v in (
                f.pk, f.kind, f.received_on, f.title, f.customer, f.category, f.severity,
                f.score, f.status, f.owner.get_full_name() if f.owner else "",
                f.response_due or "", f.response, f.submitted_by.get_full_name(),
            )
        ]  # fmt: skip
