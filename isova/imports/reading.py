"""A CSV or XLSX file as a table of text and dates, or a message saying why it is not one."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from isova.csvsafe import restore
from isova.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000

Cell = str | datetime.date


class Unreadable(DomainError):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass
class RowError:
    """A problem with one line of an uploaded file (the header is line 1)."""

    line: int
    message: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]  # each as long as `headers`; row i is line i + 2 of the sheet
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""


def _headers(raw: list[Any]) -> list[str]:
    """Blank headers get their column letter and repeated ones a number, so that every source
    column can be named in the mapping and the report."""
    names: list[str] = []
    for i, value in enumerate(raw):
        name = str(value).strip() if value is not None else ""
        if not name:
            name = f"Column {_letter(i)}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (with BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Windows; 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined there.
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise Unreadable(
            "This file is not text (it contains NUL bytes): upload a CSV or an Excel .xlsx file."
        )
    text, encoding = _decode(data)
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise Unreadable(f"This file is not valid CSV ({error}).") from None
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise Unreadable("The file is empty: it has no header row and no rows.")
    headers = _headers(lines[0])
    if len(headers) < 2 and len(lines) > 1 and len(lines[0][0]) > 200:
        raise Unreadable("This does not look like a table: upload a CSV or an Excel .xlsx file.")
    rows: list[list[Cell]] = []
    for line in lines[1:]:
        cells: list[Cell] = [restore(c) for c in line]
        if len(cells) > len(headers):
            headers = headers + _headers([None] * len(cells))[len(headers) :]
        rows.append(cells)
    width = len(headers)
    return Table(headers, [r + [""] * (width - len(r)) for r in rows], encoding=encoding)


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return restore(str(value))


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Unreadable(
            "This file is not a readable Excel workbook: save it as .xlsx or as CSV."
        ) from None
    names = list(book.sheetnames)
    if sheet and sheet not in names:
        raise Unreadable(f"The workbook has no sheet “{sheet}” (it has: {', '.join(names)}).")
    ws = book[sheet or names[0]]
    lines = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    lines = [r for r in lines if any(v not in (None, "") for v in r)]
    if not lines:
        raise Unreadable(f"The sheet “{ws.title}” is empty: it has no header row and no rows.")
    headers = _headers(lines[0])
    while (
        headers
        and headers[-1].startswith("Column ")
        and all(len(r) < len(headers) or r[len(headers) - 1] in (None, "") for r in lines)
    ):
        headers.pop()
    width = len(headers)
    rows = [[_xlsx_cell(v) for v in (r + [None] * width)[:width]] for r in lines[1:]]
    return Table(headers, rows, sheets=names, sheet=ws.title, encoding="XLSX")


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> Table:
    """The file as a table; raises `Unreadable` with a message for people."""
    if len(data) > MAX_BYTES:
        raise Unreadable(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is 10 MB. "
            "Split it into smaller files, or remove columns you do not need."
        )
    if not data.strip():
        raise Unreadable("The file is empty.")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data, sheet)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable("Old Excel (.xls) files cannot be read: save it as .xlsx or as CSV.")
    else:
        table = _read_csv(data)
    if not table.rows:
        raise Unreadable("The file has a header row but no rows below it.")
    if len(table.rows) > MAX_ROWS:
        raise Unreadable(f"The file has {len(table.rows):,} rows; the limit is {MAX_ROWS:,}.")
    return table
