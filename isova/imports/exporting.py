"""Registers out as CSV (the first sheet) or XLSX (every sheet): formula-safe, dates as dates."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from isova.csvsafe import FORMULA_STARTS, neutralise

from .kinds import Field, Sheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral() else value
        return format(value, "f")
    return neutralise(value)


def csv_bytes(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM, so Excel opens accents correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([_csv_value(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _xlsx_title(title: str, used: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(_xlsx_title(sheet.title, used))
        ws.append(list(sheet.headers))
        for row in sheet.rows:
            cells = []
            for value in row:
                if isinstance(value, datetime.datetime):
                    value = value.replace(tzinfo=None)
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    # Text, never a formula: the cell is stored as a string.
                    cell.data_type = "s"
                cells.append(cell)
            ws.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_cell(row: Any, f: Field) -> Any:
    """A field's value as its import reads it back: a person by e-mail, a looked-up row by
    its name, any other value as it is."""
    value = getattr(row, f.name)
    if f.type == "person":
        return value.email if value else ""
    if f.type == "lookup":
        return str(value) if value else ""
    return value


def register_sheet(
    title: str,
    fields: Sequence[Field],
    rows: Iterable[Any],
    reference: Callable[[Any], str],
    derived: dict[str, str] | None = None,
) -> Sheet:
    """A register as a sheet that re-imports unchanged: a Reference column, a column per import
    field, then the `derived` columns (header → attribute) isova computes."""
    derived = derived or {}
    return Sheet(
        title,
        ["Reference", *[f.label for f in fields], *derived],
        [
            [
                reference(row),
                *[export_cell(row, f) for f in fields],
                *[getattr(row, name) for name in derived.values()],
            ]
            for row in rows
        ],
    )
