"""Helpers for the import/export tests: run an import as a member, and a second organisation
with the same people (the round trips import into it)."""

from __future__ import annotations

import io
from typing import Any

from django.http import QueryDict

from isova.imports import engine
from isova.imports.exporting import csv_bytes, xlsx_bytes
from isova.imports.reading import read_table
from isova.models import Membership
from isova.registry import registry
from tests.conftest import Org
from tests.factories import MembershipFactory, OrganisationFactory


def run_import(
    kind: str,
    membership: Membership,
    data: bytes,
    filename: str = "register.csv",
    mapping: dict[str, Any] | None = None,
    write: bool = True,
    sheet: str | None = None,
) -> engine.Report:
    table = read_table(data, filename, sheet)
    ctx = engine.make_context(membership)
    chosen = (
        mapping if mapping is not None else engine.suggest(registry.import_kind(kind), ctx, table)
    )
    return engine.run(registry.import_kind(kind), ctx, table, chosen, write=write)


def csv_of(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_of(rows: list[list[Any]], title: str = "Sheet1", extra: dict | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for name, more in (extra or {}).items():
        other = book.create_sheet(name)
        for row in more:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def twin(org: Org, name: str = "Newco"):
    """A new organisation whose members are the same people in the same roles."""
    organisation = OrganisationFactory(name=name)
    for role in ("leader", "manager", "staff", "auditor"):
        MembershipFactory(organisation=organisation, user=org.user(role), role=role)
    return organisation


def export_sheets(name: str, organisation, query: str = "") -> list:
    sheets = registry.export_kind(name).sheets(organisation, QueryDict(query))
    return [(s.title, list(s.headers), [list(r) for r in s.rows]) for s in sheets]


def export_csv(name: str, organisation, query: str = "") -> bytes:
    return csv_bytes(registry.export_kind(name).sheets(organisation, QueryDict(query))[0])


def export_xlsx(name: str, organisation, query: str = "") -> bytes:
    return xlsx_bytes(registry.export_kind(name).sheets(organisation, QueryDict(query)))


def leader_of(organisation) -> Membership:
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation=organisation, role="leader")
        .first()
    )
