"""Allocations import from CSV/XLSX (plan reference, person e-mail, hours, months, note):
the export imports back unchanged, other tools' columns map, every bad row is reported with
its line and reason and then nothing is written; leaders and managers only, this
organisation's plans only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from isova.resources.models import Allocation
from tests.conftest import membership_of
from tests.isova.imports.conftest import (
    csv_of,
    export_csv,
    export_sheets,
    export_xlsx,
    run_import,
    xlsx_of,
)
from tests.objectives.conftest import make_objective
from tests.risks.conftest import raise_risk

from .conftest import APR, FEB, MAR, allocate


def _manager(org):
    return membership_of(org.manager, org.organisation)


def _rows(org):
    return sorted(
        Allocation.objects.for_org(org.organisation).values_list(
            "plan_type_id", "plan_id", "person_id", "hours", "start_month", "end_month", "months",
            "note", "plan_label",
        )
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_into_the_same_allocations(org, plan, fmt):
    risk = raise_risk(org, title="Late deliveries")
    allocate(org, plan, org.staff, 30, FEB, MAR)
    allocate(org, plan, org.manager, 12, MAR)
    allocate(org, risk, org.staff, "7.5", APR)
    Allocation.objects.filter(person=org.manager).update(note="Supplier visits")
    before_rows, before = _rows(org), export_sheets("allocations", org.organisation)[:1]
    [(_, headers, rows)] = before
    assert headers[0] == "Plan reference"
    assert sorted(r[0] for r in rows) == sorted(
        [f"OBJ-{plan.pk}", f"OBJ-{plan.pk}", risk.reference]
    )
    data = (
        export_csv("allocations", org.organisation)
        if fmt == "csv"
        else export_xlsx("allocations", org.organisation)
    )
    # importing it over itself: found again, nothing new, nothing changed
    report = run_import("allocations", _manager(org), data, filename=f"export.{fmt}")
    assert report.errors == [], report.errors
    assert (report.created, report.updated) == (0, 3)
    assert _rows(org) == before_rows
    # every column is accounted for: mapped, or ignored as computed by isova
    actions = {h: (c["action"], c["field"]) for h, c in report.columns.items()}
    assert actions == {
        "Plan reference": ("mapped", "plan"),
        "Plan": ("ignored", None),
        "Person": ("ignored", None),
        "E-mail": ("mapped", "person"),
        "Hours": ("mapped", "hours"),
        "From month": ("mapped", "start_month"),
        "To month": ("mapped", "end_month"),
        "Hours a month": ("ignored", None),
        "Note": ("mapped", "note"),
    }
    # and into an organisation whose allocations were lost: the same again
    Allocation.objects.all().delete()
    report = run_import("allocations", _manager(org), data, filename=f"export.{fmt}")
    assert report.errors == [] and report.created == 3
    assert _rows(org) == before_rows
    assert export_sheets("allocations", org.organisation)[:1] == before


def test_another_tools_columns_map_and_an_unknown_column_is_reported(org, plan):
    risk = raise_risk(org)
    data = csv_of(
        "Objective ref,Email,Effort,Start,End,Comments,Budget code\n"
        f"OBJ-{plan.pk},{org.staff.email},24,2027-02,Mar 2027,Kick-off,B-17\n"
        f"{risk.reference},{org.manager.email.upper()},6,01/04/2027,,,\n"
    )
    report = run_import("allocations", _manager(org), data)
    assert report.errors == [], report.errors
    assert report.columns["Budget code"]["action"] == "kept"  # reported, kept in the note
    staff = Allocation.objects.get(person=org.staff)
    assert (staff.plan, staff.hours, staff.start_month, staff.end_month, staff.months) == (
        plan, Decimal("24.0"), FEB, MAR, 2,
    )  # fmt: skip
    assert staff.note == "Kick-off\n\nBudget code: B-17"
    assert staff.plan_label == plan.title and staff.plan_url == plan.get_absolute_url()
    manager = Allocation.objects.get(person=org.manager)
    assert (manager.plan, manager.start_month, manager.end_month) == (risk, APR, APR)
    # a changed row updates its allocation rather than adding one
    again = csv_of(
        f"Plan reference,E-mail,Hours,From month\nOBJ-{plan.pk},{org.staff.email},40,2027-02\n"
    )
    report = run_import("allocations", _manager(org), again)
    assert (report.errors, report.created, report.updated) == ([], 0, 1)
    staff.refresh_from_db()
    assert staff.hours == Decimal("40.0") and staff.end_month == FEB and staff.months == 1


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(org, other_org, plan):
    theirs = make_objective(other_org.organisation, other_org.manager, title="Rival plan")
    allocate(org, plan, org.staff, 10, MAR)
    before = _rows(org)
    data = csv_of(
        "Plan reference,E-mail,Hours,From month,To month,Note\n"
        f"OBJ-{plan.pk},{org.manager.email},10,2027-03,,fine\n"  # line 2: good
        f"OBJ-{theirs.pk},{org.staff.email},5,2027-03,,\n"  # 3: another organisation's plan
        f"OBJ-{plan.pk},nobody@example.com,5,2027-03,,\n"  # 4: not a member
        f"OBJ-{plan.pk},{org.leader.email},0,2027-03,,\n"  # 5: no hours
        f"OBJ-{plan.pk},{org.leader.email},5,2027-13,,\n"  # 6: no such month
        f"OBJ-{plan.pk},{org.leader.email},5,2027-04,2027-02,\n"  # 7: ends before it starts
        f"OBJ-{plan.pk},{org.leader.email},many,2027-04,,\n"  # 8: not a number
        f"OBJ-{plan.pk},{org.manager.email},3,2027-03,,\n"  # 9: the same as line 2
        f",{org.leader.email},5,2027-04,,\n"  # 10: no plan
    )
    report = run_import("allocations", _manager(org), data)
    problems = {(e.row, e.column): e.message for e in report.errors}
    assert sorted(row for row, _ in problems) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "is not a plan reference isova knows" in problems[(3, "Plan reference")]
    assert "is not a member of this organisation" in problems[(4, "E-mail")]
    assert problems[(5, "Hours")] == "Give the estimated hours (more than 0)."
    assert "is not a month" in problems[(6, "From month")]
    assert problems[(7, "To month")] == "The last month cannot come before the first."
    assert "many" in problems[(8, "Hours")]
    assert "also on row 2" in problems[(9, None)]
    assert problems[(10, "Plan reference")] == "Plan reference is empty; every row needs one."
    assert not report.saved and _rows(org) == before  # not even line 2


def test_only_leaders_and_managers_import_allocations(org, as_user):
    assert as_user(org.staff).get("/data/import/allocations/").status_code in (403, 404)
    assert as_user(org.auditor).get("/data/import/allocations/").status_code in (403, 404)
    assert as_user(org.manager).get("/data/import/allocations/").status_code == 200


def test_a_spreadsheets_date_cells_are_months(org, plan):
    import datetime

    data = xlsx_of(
        [
            ["Plan reference", "E-mail", "Hours", "From month", "To month"],
            [
                f"OBJ-{plan.pk}",
                org.staff.email,
                9,
                datetime.date(2027, 2, 14),
                datetime.date(2027, 4, 2),
            ],
        ]
    )
    report = run_import("allocations", _manager(org), data, filename="plan.xlsx")
    assert report.errors == [], report.errors
    row = Allocation.objects.get()
    assert (row.start_month, row.end_month, row.months) == (FEB, APR, 3)


def test_kept_columns_that_would_overfill_the_note_are_a_row_error_not_a_refused_batch(org, plan):
    long = "x" * 290
    data = csv_of(
        "Plan reference,E-mail,Hours,From month,Note,Budget code\n"
        f"OBJ-{plan.pk},{org.manager.email},10,2027-03,short,B-1\n"  # line 2: fits
        f"OBJ-{plan.pk},{org.staff.email},5,2027-03,{long},B-2\n"  # 3: note + kept > 300
    )
    before = _rows(org)
    report = run_import("allocations", _manager(org), data)
    [problem] = report.errors
    assert problem.row == 3
    assert "“Budget code”" in problem.message and "at most 300" in problem.message
    assert not report.saved and _rows(org) == before  # all or nothing
