"""The register as CSV: export (safe to open in a spreadsheet) and import (all or nothing).

An export re-imports into another organisation: owners are matched by e-mail among its
members, processes by name, levels by number on its current matrix.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from typing import IO, Any

from django.db import transaction

from audits.models import Process
from isova.accounts.tenancy import has_perm
from isova.csvsafe import neutralise, restore
from isova.errors import NotAllowed
from isova.imports.reading import RowError
from isova.models import Membership, User

from . import services
from .models import Category, Kind, Risk, Status, Treatment

# The form's fields, the owner by e-mail (an export re-imports into another organisation).
COLUMNS = ["reference", *("owner_email" if f == "owner" else f for f in services.RISK_FIELDS)]
REQUIRED = ("title", "owner_email", "inherent_likelihood", "inherent_impact")
MAX_ROWS = 5000


def export_rows(risks: Iterable[Risk]) -> Iterable[list[str]]:
    yield COLUMNS
    for r in risks:
        values = [
            r.reference,
            r.kind,
            r.title,
            r.description,
            r.category,
            r.process.name if r.process else "",
            r.cause,
            r.consequence,
            r.owner.email,
            r.existing_controls,
            r.inherent_likelihood,
            r.inherent_impact,
            r.residual_likelihood,
            r.residual_impact,
            r.target_likelihood or "",
            r.target_impact or "",
            r.treatment,
            r.treatment_justification,
            r.status,
            r.review_every_days or "",
            r.next_review_date.isoformat() if r.next_review_date else "",
        ]
        yield [neutralise(v) for v in values]


class Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(risks: Iterable[Risk]) -> Iterable[str]:
    writer = csv.writer(Echo())
    for row in export_rows(risks):
        yield writer.writerow(row)


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s)")


def _choice(value: str, choices: Any, label: str) -> str:
    wanted = value.strip().lower()
    for code, name in choices.choices:
        if wanted in (code, str(name).lower()):
            return str(code)
    raise ValueError(f"{label} “{value}” is not one of: " + ", ".join(choices.values) + ".")


def _int(value: str, label: str, required: bool = False) -> int | None:
    value = value.strip()
    if not value:
        if required:
            raise ValueError(f"{label} is required.")
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{label} “{value}” is not a whole number.") from None


def _read(upload: IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    raw = upload.read()
    if b"\x00" in raw:
        raise ImportFailed([RowError(0, "The file contains NUL bytes: is it really a CSV file?")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFailed(
            [RowError(line, "The file is not UTF-8 text: save it as “CSV UTF-8”.")]
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed([RowError(1, "Missing columns: " + ", ".join(missing) + ".")])
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportFailed([RowError(reader.line_num, f"More than {MAX_ROWS} rows.")])
            if None in row:
                rows.append((reader.line_num, {"__extra__": "yes"}))
                continue
            rows.append((reader.line_num, {k: restore(v or "") for k, v in row.items() if k}))
    except csv.Error as error:
        raise ImportFailed(
            [RowError(reader.line_num, f"The file is not valid CSV ({error}).")]
        ) from None
    return rows


def _parse_row(
    data: dict[str, str], people: dict[str, User], processes: dict[str, Process]
) -> dict[str, Any]:
    _check_complete(data)
    owner = _owner(data, people)
    process = _process(data, processes)
    kind = _choice(data.get("kind") or "risk", Kind, "Kind")
    next_review_date = _next_review_date(data)
    review_every = _review_every(data)
    fields: dict[str, Any] = {
        "kind": kind,
        "title": data["title"].strip()[:200],
        "description": data.get("description", ""),
        "category": _choice(data.get("category") or "process", Category, "Category"),
        "process": process,
        "cause": data.get("cause", ""),
        "consequence": data.get("consequence", ""),
        "owner": owner,
        "existing_controls": data.get("existing_controls", ""),
        "inherent_likelihood": _int(data["inherent_likelihood"], "Inherent likelihood", True),
        "inherent_impact": _int(data["inherent_impact"], "Inherent impact", True),
        "residual_likelihood": _int(data.get("residual_likelihood", ""), "Residual likelihood"),
        "residual_impact": _int(data.get("residual_impact", ""), "Residual impact"),
        "target_likelihood": _int(data.get("target_likelihood", ""), "Target likelihood"),
        "target_impact": _int(data.get("target_impact", ""), "Target impact"),
        "treatment": _choice(
            data.get("treatment") or ("pursue" if kind == Kind.OPPORTUNITY else "reduce"),
            Treatment,
            "Treatment",
        ),
        "treatment_justification": data.get("treatment_justification", ""),
        "status": _choice(data.get("status") or "open", Status, "Status"),
        "review_every_days": review_every,
        "next_review_date": next_review_date,
    }
    return fields


def _check_complete(data: dict[str, str]) -> None:
    """Raise ValueError when the row has more cells than the header or a required one empty."""
    if data.get("__extra__"):
        raise ValueError("This row has more cells than the header.")
    for column in REQUIRED:
        if not data.get(column, "").strip():
            raise ValueError(f"{column} is required.")


def _owner(data: dict[str, str], people: dict[str, User]) -> User:
    """The member the row's owner_email names."""
    email = data["owner_email"].strip().lower()
    owner = people.get(email)
    if owner is None:
        raise ValueError(f"Owner “{email}” is not a member of this organisation.")
    return owner


def _process(data: dict[str, str], processes: dict[str, Process]) -> Process | None:
    """The organisation's process the row names, None when it names none."""
    if not data.get("process", "").strip():
        return None
    process = processes.get(data["process"].strip().lower())
    if process is None:
        raise ValueError(
            f"Process “{data['process'].strip()}” is not one of this organisation’s "
            "(add it under Audits › Processes first)."
        )
    return process


def _next_review_date(data: dict[str, str]) -> datetime.date | None:
    next_review = data.get("next_review_date", "").strip()
    try:
        return datetime.date.fromisoformat(next_review) if next_review else None
    except ValueError:
        raise ValueError(f"Next review date “{next_review}” is not a date (YYYY-MM-DD).") from None


def _review_every(data: dict[str, str]) -> int | None:
    review_every = _int(data.get("review_every_days", ""), "Review every (days)")
    if review_every is not None and not 1 <= review_every <= 3660:
        raise ValueError("Review every (days) must be 1 to 3660.")
    return review_every


def import_register(*, membership: Membership, upload: IO[bytes]) -> list[Risk]:
    """Every row saved, or none: raises ImportFailed with each bad row's line number."""
    if not has_perm(membership, "risks.risk.import"):
        raise NotAllowed("Only leaders and managers import risks.")
    organisation = membership.organisation
    rows = _read(upload)
    if not rows:
        raise ImportFailed([RowError(1, "The file has no rows.")])
    people = {
        u.email.lower(): u for u in User.objects.filter(memberships__organisation=organisation)
    }
    processes = {p.name.lower(): p for p in Process.objects.for_org(organisation)}
    existing = {
        r.lower() for r in Risk.objects.for_org(organisation).values_list("reference", flat=True)
    }
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    created: list[Risk] = []
    with transaction.atomic():
        for line, data in rows:
            reference = data.get("reference", "").strip()[:20]
            key = reference.lower()
            if key and key in seen:
                errors.append(RowError(line, f"Reference {reference} is also on line {seen[key]}."))
                continue
            if key and key in existing:
                errors.append(RowError(line, f"Reference {reference} is already in the register."))
                continue
            if key:
                seen[key] = line
            try:
                fields = _parse_row(data, people, processes)
                with transaction.atomic():
                    created.append(
                        services.risk_create(membership=membership, reference=reference, **fields)
                    )
            except (ValueError, services.RiskError) as error:
                errors.append(RowError(line, str(error)))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors)
    return created
