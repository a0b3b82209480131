"""A real-world risk register (its own column names, High/Medium/Low, dd/mm/yyyy, its own
statuses, an opportunity, owners by name) imports with nothing dropped."""

import datetime

import pytest

from isova.imports import engine
from isova.imports.reading import read_table
from isova.registry import registry
from risks.models import Assessment, Risk
from tests.conftest import membership_of
from tests.isova.imports.conftest import run_import, xlsx_of

REGISTER = """Risk ID,Risk,Type,Category,Likelihood,Impact,Risk Owner,Date Identified,Review Date,Status,Mitigation
RR-01,Key supplier delivers late,Risk,Supply chain,High,Medium,Acme Manager,03/02/2026,15/03/2026,Mitigated,Second supplier approved
RR-02,New market in Spain,Opportunity,Strategic,Medium,High,Acme Leader,04/02/2026,20/03/2026,Accepted,
RR-03,Key person leaves,Risk,HR,Low,High,acme manager,05/02/2026,21/03/2026,Closed,Cross-training
"""  # noqa: E501


@pytest.fixture
def leader(org):
    return membership_of(org.leader, org.organisation)


def suggestion(org, text=REGISTER):
    table = read_table(text.encode())
    ctx = engine.make_context(membership_of(org.leader, org.organisation))
    return engine.suggest(registry.import_kind("risks"), ctx, table), ctx, table


def test_columns_are_suggested_from_common_header_names(org):
    mapping, _, _ = suggestion(org)
    columns = {h: (c["action"], c["field"]) for h, c in mapping["columns"].items()}
    assert columns == {
        "Risk ID": ("kept", "external_ref"),
        "Risk": ("mapped", "title"),
        "Type": ("mapped", "kind"),
        "Category": ("mapped", "category"),
        "Likelihood": ("mapped", "inherent_likelihood"),
        "Impact": ("mapped", "inherent_impact"),
        "Risk Owner": ("mapped", "owner"),
        "Date Identified": ("kept", "description"),
        "Review Date": ("mapped", "next_review_date"),
        "Status": ("mapped", "status"),
        "Mitigation": ("mapped", "existing_controls"),
    }


def test_levels_statuses_types_and_categories_are_recognised(org, leader):
    report = run_import("risks", leader, REGISTER.encode(), write=False)
    assert report.errors == []
    values = {h: c["values"] for h, c in report.columns.items()}
    # Low/Medium/High spread over the default 5-level scales, whichever a column uses.
    assert values["Likelihood"] == {"High": "5", "Medium": "3", "Low": "1"}
    assert values["Impact"] == {"Medium": "3", "High": "5"}
    assert values["Status"] == {
        "Mitigated": "monitoring",
        "Accepted": "monitoring",
        "Closed": "closed",
    }
    assert values["Type"] == {"Risk": "risk", "Opportunity": "opportunity"}
    assert values["Category"] == {
        "Supply chain": "supplier",
        "Strategic": "strategic",
        "HR": "people",
    }
    assert values["Risk Owner"] == {
        "Acme Manager": org.manager.email,
        "Acme Leader": org.leader.email,
        "acme manager": org.manager.email,
    }
    assert report.dates == "dmy"


def test_the_register_is_saved_with_nothing_dropped(org, leader):
    report = run_import("risks", leader, REGISTER.encode())
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    risks = {r.external_ref: r for r in Risk.objects.filter(organisation=org.organisation)}
    late, spain, leaves = risks["RR-01"], risks["RR-02"], risks["RR-03"]
    assert late.title == "Key supplier delivers late"
    assert (late.inherent_likelihood, late.inherent_impact) == (5, 3)
    assert late.category == "supplier" and late.status == "monitoring"
    assert late.owner == org.manager
    assert late.next_review_date == datetime.date(2026, 3, 15)
    assert late.existing_controls == "Second supplier approved"
    assert "Date Identified: 03/02/2026" in late.description
    assert spain.kind == "opportunity" and spain.treatment == "pursue"
    assert spain.reference.startswith("O-")
    assert leaves.status == "closed" and leaves.owner == org.manager
    assert Assessment.objects.filter(risk__in=risks.values(), kind="initial").count() == 3


def test_re_importing_the_same_register_updates_instead_of_duplicating(org, leader):
    run_import("risks", leader, REGISTER.encode())
    changed = REGISTER.replace("Key supplier delivers late", "Key supplier delivers very late")
    report = run_import("risks", leader, changed.encode())
    assert (report.created, report.updated) == (0, 3)
    assert Risk.objects.filter(organisation=org.organisation).count() == 3
    late = Risk.objects.get(organisation=org.organisation, external_ref="RR-01")
    assert late.title == "Key supplier delivers very late"
    assert late.description.count("Date Identified") == 1


def test_an_unknown_owner_is_an_error_naming_row_and_column_until_mapped(org, leader):
    text = REGISTER.replace("Acme Leader", "Bob Nobody")
    report = run_import("risks", leader, text.encode(), write=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Risk Owner")]
    assert "“Bob Nobody” is not a member" in report.errors[0].message
    mapping, _, _ = suggestion(org, text)
    mapping["values"] = {"Risk Owner": {"Bob Nobody": org.leader.email}}
    report = run_import("risks", leader, text.encode(), mapping=mapping)
    assert report.errors == [] and report.created == 3
    assert Risk.objects.get(external_ref="RR-02").owner == org.leader


def test_a_file_with_errors_in_many_rows_reports_every_one_and_saves_nothing(org, leader):
    bad = (
        REGISTER.replace("High,Medium,Acme", "Huge,Medium,Acme")
        .replace("20/03/2026", "31/02/2026")
        .replace("Low,High,acme manager", "Low,High,Nobody")
    )
    bad += "RR-04,,Risk,HR,Low,Low,Acme Manager,,,Open,\n"
    bad += "RR-01,Duplicate,Risk,HR,Low,Low,Acme Manager,,,Open,\n"
    report = run_import("risks", leader, bad.encode())
    found = sorted((e.row, e.column) for e in report.errors)
    assert found == [
        (2, "Likelihood"),
        (3, "Review Date"),
        (4, "Risk Owner"),
        (5, "Risk"),
        (6, "Risk ID"),
    ]
    assert report.saved is False and report.created == 0
    assert not Risk.objects.filter(organisation=org.organisation).exists()


def test_month_first_dates_are_detected_from_the_data(org, leader):
    text = (
        REGISTER.replace("15/03/2026", "03/15/2026")
        .replace("20/03/2026", "03/20/2026")
        .replace("21/03/2026", "03/21/2026")
        .replace("03/02/2026", "02/03/2026")
    )
    text = text.replace("Date Identified", "Identified")
    report = run_import("risks", leader, text.encode())
    assert report.dates == "mdy" and report.errors == []
    assert Risk.objects.get(external_ref="RR-01").next_review_date == datetime.date(2026, 3, 15)


def test_dates_that_read_both_ways_are_read_day_first_with_a_warning_to_confirm(org, leader):
    text = (
        REGISTER.replace("15/03/2026", "01/03/2026")
        .replace("20/03/2026", "02/03/2026")
        .replace("21/03/2026", "03/04/2026")
    )
    report = run_import("risks", leader, text.encode(), write=False)
    assert report.dates == "dmy"
    assert any("Confirm" in w.message for w in report.warnings)
    mapping, _, _ = suggestion(org, text)
    mapping["dates"] = "mdy"
    run_import("risks", leader, text.encode(), mapping=mapping)
    assert Risk.objects.get(external_ref="RR-03").next_review_date == datetime.date(2026, 3, 4)


def test_an_ignored_column_is_reported_as_ignored_and_a_kept_one_lands_labelled(org, leader):
    mapping, _, _ = suggestion(org)
    mapping["columns"]["Date Identified"] = {"field": None, "action": "ignored"}
    mapping["columns"]["Mitigation"] = {"field": "description", "action": "kept"}
    report = run_import("risks", leader, REGISTER.encode(), mapping=mapping)
    assert report.columns["Date Identified"]["action"] == "ignored"
    late = Risk.objects.get(external_ref="RR-01")
    assert "Date Identified" not in late.description
    assert "Mitigation: Second supplier approved" in late.description
    assert late.existing_controls == ""


def test_a_risk_register_imports_from_xlsx_with_real_dates(org, leader):
    rows = [line.split(",") for line in REGISTER.strip().splitlines()]
    for row in rows[1:]:
        day, month, year = map(int, row[8].split("/"))
        row[8] = datetime.datetime(year, month, day)
    report = run_import("risks", leader, xlsx_of(rows, "Register"), filename="reg.xlsx")
    assert report.errors == [] and report.created == 3
    assert Risk.objects.get(external_ref="RR-02").next_review_date == datetime.date(2026, 3, 20)


def test_a_required_field_with_no_column_is_named(org, leader):
    text = "Risk ID,Risk,Likelihood,Impact\nR1,Fire,High,High\n"
    report = run_import("risks", leader, text.encode(), write=False)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (None, None, "No column is mapped to Owner, which every row needs.")
    ]
