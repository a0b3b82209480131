"""Every register's export imports into a new organisation and exports again unchanged; each
kind also imports from another tool's column names, from CSV and from XLSX."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from audits.models import Finding, Process
from isova.models import Action
from isova.registry import registry
from objectives.models import Measurement, Objective, StrategicGoal
from reviews.models import Feedback
from risks.models import Risk
from tests.audits.conftest import plan, raise_finding, start
from tests.conftest import membership_of
from tests.factories import ActionFactory
from tests.isova.imports.conftest import (
    export_csv,
    export_sheets,
    export_xlsx,
    leader_of,
    run_import,
    twin,
    xlsx_of,
)
from tests.objectives.conftest import add_values, complete, make_objective
from tests.risks.conftest import raise_risk


def _without(sheets, derived):
    out = []
    for title, headers, rows in sheets:
        keep = [i for i, h in enumerate(headers) if h not in derived]
        out.append((title, [headers[i] for i in keep], [[r[i] for i in keep] for r in rows]))
    return out


def _round_trip(kind, export_name, source, target, fmt="csv"):
    data = export_csv(export_name, source) if fmt == "csv" else export_xlsx(export_name, source)
    report = run_import(kind, leader_of(target), data, filename=f"export.{fmt}")
    assert report.errors == [], report.errors
    derived = registry.import_kind(kind).derived
    before = _without(export_sheets(export_name, source)[:1], derived)
    after = _without(export_sheets(export_name, target)[:1], derived)
    assert after == before
    assert all(
        c["action"] != "kept" or c["field"] == "external_ref" for c in report.columns.values()
    )
    return report


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_risk_register_round_trips(org, fmt):
    process = Process.objects.create(organisation=org.organisation, name="Purchasing")
    raise_risk(
        org,
        title='=HYPERLINK("x")',
        process=process,
        cause="Single source",
        residual_likelihood=2,
        residual_impact=3,
        target_likelihood=1,
        target_impact=2,
        next_review_date=datetime.date(2026, 5, 1),
    )
    raise_risk(
        org,
        kind="opportunity",
        title="Export to Spain",
        treatment="pursue",
        category="strategic",
        owner=org.leader,
        status="monitoring",
    )
    newco = twin(org)
    Process.objects.create(organisation=newco, name="Purchasing")
    report = _round_trip("risks", "risks", org.organisation, newco, fmt)
    assert report.created == 2
    assert (
        Risk.objects.get(organisation=newco, title__startswith="=HYP").process.name == "Purchasing"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_actions_round_trip(org, fmt):
    for i, status in enumerate(["open", "in_progress", "done"]):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            status=status,
            title=f"Action {i}",
            priority="high",
            estimated_cost=Decimal("12.50"),
            description="+ means more",
        )
    newco = twin(org)
    report = _round_trip("actions", "actions", org.organisation, newco, fmt)
    assert report.created == 2  # the list (and its export) opens on what is outstanding
    data = export_csv("actions", org.organisation, "status=")
    assert run_import("actions", leader_of(newco), data).created == 1  # the done one, now


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_findings_round_trip(org, fmt):
    audit = start(org, plan(org))
    raise_finding(org, audit)
    raise_finding(
        org,
        audit,
        finding_type="observation",
        clause="7.5.3",
        description="Records kept in two places.",
    )
    newco = twin(org)
    from audits.models import Audit

    Audit.objects.create(
        organisation=newco,
        reference=audit.reference,
        title=audit.title,
        audit_type=audit.audit_type,
        planned_date=audit.planned_date,
        lead_auditor=org.auditor,
        created_by=org.auditor,
        area="Shop floor",
    )
    report = _round_trip("findings", "findings", org.organisation, newco, fmt)
    assert report.created == 2
    assert Finding.objects.filter(organisation=newco, audit__reference=audit.reference).count() == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_objectives_with_their_values_round_trip(org, fmt):
    objective = complete(make_objective(org.organisation, org.manager))
    add_values(objective, [81, 84.5, 90])
    make_objective(
        org.organisation,
        org.leader,
        title="Fewer complaints",
        direction="lower",
        unit="complaints",
        frequency="quarterly",
        baseline=Decimal("5"),
        target=Decimal("2"),
    )
    newco = twin(org)
    StrategicGoal.objects.create(organisation=newco, title="On-time delivery")
    _round_trip("objectives", "objectives", org.organisation, newco, fmt)
    values = export_csv("objective_values", org.organisation)
    report = run_import("objective_values", leader_of(newco), values)
    assert report.errors == [] and report.created == 3
    assert export_sheets("objectives", newco)[1] == export_sheets("objectives", org.organisation)[1]
    again = run_import("objective_values", leader_of(newco), values)
    assert (again.created, again.updated) == (0, 3)
    assert Measurement.objects.filter(objective__organisation=newco).count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_feedback_round_trips(org, fmt):
    Feedback.objects.create(
        organisation=org.organisation,
        submitted_by=org.staff,
        kind="complaint",
        title="Late again",
        customer="Brill Ltd",
        received_on=datetime.date(2026, 2, 3),
        severity="high",
        owner=org.manager,
        response_due=datetime.date(2026, 2, 10),
    )
    Feedback.objects.create(
        organisation=org.organisation,
        submitted_by=org.staff,
        kind="survey",
        title="Q1 survey",
        received_on=datetime.date(2026, 3, 31),
        score=Decimal("8.5"),
    )
    newco = twin(org)
    assert _round_trip("feedback", "feedback", org.organisation, newco, fmt).created == 2


# --- each kind from another tool's column names -------------------------------------------


def test_an_action_log_imports_with_its_own_words(org):
    text = (
        "Action No;Task;Assigned to;Deadline;Priority;Progress;Cost\n"
        "A1;Calibrate gauges;acme staff;31/01/2026;Urgent;WIP;1.234,50\n"
        "A2;Update WI-7;Acme Manager;14/02/2026;P3;Completed;\n"
    )
    report = run_import("actions", membership_of(org.manager, org.organisation), text.encode())
    assert report.errors == [] and report.created == 2
    a1 = Action.objects.get(organisation=org.organisation, external_ref="A1")
    assert (a1.owner, a1.due_date, a1.priority, a1.status) == (
        org.staff,
        datetime.date(2026, 1, 31),
        "critical",
        "in_progress",
    )
    assert a1.estimated_cost == Decimal("1234.50")
    a2 = Action.objects.get(external_ref="A2")
    assert a2.status == "done" and a2.completed_at is not None


def test_a_findings_log_imports_from_xlsx(org):
    audit = start(org, plan(org))
    rows = [
        [
            "NCR #",
            "Audit",
            "Classification",
            "ISO clause",
            "Finding",
            "Date found",
            "Auditor",
            "Status",
        ],
        [
            "N-1",
            audit.reference,
            "Major NC",
            "8.5.1",
            "No WI at lathe",
            datetime.datetime(2026, 2, 3),
            "Acme Auditor",
            "Open",
        ],
        [
            "N-2",
            audit.title,
            "OFI",
            "clause 7.5",
            "Could label better",
            datetime.datetime(2026, 2, 3),
            "",
            "Closed",
        ],
    ]
    report = run_import(
        "findings", membership_of(org.auditor, org.organisation), xlsx_of(rows), filename="ncr.xlsx"
    )
    assert report.errors == [], report.errors
    n1 = Finding.objects.get(organisation=org.organisation, external_ref="N-1")
    assert (n1.finding_type, n1.clause, n1.raised_by, n1.raised_on) == (
        "major",
        "8.5.1",
        org.auditor,
        datetime.date(2026, 2, 3),
    )
    assert n1.response_due == datetime.date(2026, 3, 5)  # the major SLA, 30 days
    n2 = Finding.objects.get(external_ref="N-2")
    assert n2.finding_type == "ofi" and n2.clause == "7.5" and n2.status == "closed"


def test_an_unknown_clause_and_audit_are_errors_by_row(org):
    audit = start(org, plan(org))
    text = f"Audit,Type,Clause,Description\n{audit.reference},minor,99.9,x\nNOPE,minor,8.5.1,y\n"
    report = run_import("findings", membership_of(org.auditor, org.organisation), text.encode())
    assert sorted((e.row, e.column) for e in report.errors) == [(2, "Clause"), (3, "Audit")]
    assert not Finding.objects.exists()


def test_objectives_import_from_a_tracker(org):
    text = (
        "Objective,KPI,Unit,Baseline,Target,Better,Owner,Start,Deadline,Frequency,Status\n"
        "On-time delivery,OTD,%,90,98,Higher,Acme Manager,01/01/2026,31/12/2026,Monthly,On track\n"
    )
    report = run_import("objectives", membership_of(org.manager, org.organisation), text.encode())
    assert report.errors == [], report.errors
    o = Objective.objects.get(organisation=org.organisation)
    assert (o.measure_name, o.target, o.direction, o.status, o.target_date) == (
        "OTD",
        Decimal("98"),
        "higher",
        "active",
        datetime.date(2026, 12, 31),
    )


def test_objective_values_import_by_title_and_period_from_xlsx(org):
    make_objective(org.organisation, org.manager, frequency="quarterly")
    rows = [
        ["Objective", "Quarter", "Actual"],
        ["On-time delivery", "2025-Q1", 91],
        ["On-time delivery", datetime.datetime(2025, 5, 17), 93.5],
    ]
    report = run_import(
        "objective_values",
        membership_of(org.manager, org.organisation),
        xlsx_of(rows),
        filename="v.xlsx",
    )
    assert report.errors == [], report.errors
    assert [(m.period, m.value) for m in Measurement.objects.order_by("period")] == [
        (datetime.date(2025, 1, 1), Decimal("91")),
        (datetime.date(2025, 4, 1), Decimal("93.5")),
    ]


def test_feedback_imports_from_a_complaints_log(org):
    text = (
        "Ref,Date received,Client,Subject,Type,Priority,Handled by,Outcome\n"
        "C-7,3/2/2026,Brill Ltd,Late delivery,Complaint,Serious,Acme Manager,Refund\n"
        "C-8,4/2/2026,Brill Ltd,Great service,Praise,,,\n"
    )
    report = run_import("feedback", membership_of(org.manager, org.organisation), text.encode())
    assert report.errors == [], report.errors
    c7 = Feedback.objects.get(external_ref="C-7")
    assert (c7.kind, c7.severity, c7.owner, c7.response, c7.received_on) == (
        "complaint",
        "high",
        org.manager,
        "Refund",
        datetime.date(2026, 2, 3),
    )
    assert Feedback.objects.get(external_ref="C-8").kind == "compliment"


def test_numbers_and_texts_too_big_for_isova_are_errors_by_row_not_failures(org):
    text = ("Objective,KPI,Unit,Baseline,Target,Owner,Start,Deadline,Budget\n"
            "OTD,OTD,%,90,98,Acme Manager,01/01/2026,31/12/2026,1e40\n"
            "OTD2,OTD,percent of all the orders delivered on time,90,98,Acme Manager,"
            "01/01/2026,31/12/2026,5\n")  # fmt: skip
    report = run_import("objectives", membership_of(org.manager, org.organisation), text.encode())
    found = sorted((e.row, e.column) for e in report.errors)
    assert found == [(2, "Budget"), (3, "Unit")]
    assert not Objective.objects.exists()


# --- every sheet of every export ----------------------------------------------------------

# Each sheet of each export (XLSX; a CSV holds the first): the import kind that takes it back
# into another organisation, in the order they are imported, or why none does.
SHEETS = {
    "risks": {
        "Risks": "risks",
        "Assessments": "export only: the import makes each risk's initial assessment from "
        "its levels; reassessments are the risk's history, not imported",
        "Treatment actions": "export only: the actions import makes actions of their own, "
        "not linked to a risk",
    },
    "actions": {"Actions": "actions"},
    "findings": {"Findings": "findings"},
    "audit_programme": {
        "Audit programme": "export only: there is no audits import (an issued audit report "
        "is a signed record, so audits are planned and run in isova; a finding names its "
        "audit by reference)",
    },
    "objectives": {"Objectives": "objectives", "Objective values": "objective_values"},
    "objective_values": {"Objective values": "objective_values"},
    "feedback": {"Feedback": "feedback"},
    "reviews": {
        "Management reviews": "export only: a review is held and minuted in isova",
        "Decisions and outputs": "export only: a review's outputs are recorded in its meeting",
    },
    "decisions": {
        "Decisions": "decisions",
        "Decided in management reviews": "export only: made in the reviews' meetings",
    },
    "lessons": {"Lessons learned": "lessons"},
    "allocations": {
        "Allocations": "allocations (tests/resources/test_import.py: back into the "
        "organisation of the plans they name)",
        "Tools and budget": "export only: tools and budget lines are entered on the plan",
    },
}


def _kind_of(use: str) -> str | None:
    return use if registry.import_kind(use) is not None else None


def test_every_sheet_of_every_export_is_accounted_for(org):
    found = {
        kind.name: [s.title for s in kind.sheets(org.organisation, QueryDict())]
        for kind in registry.export_kinds()
    }
    assert found == {name: list(sheets) for name, sheets in SHEETS.items()}


def _seed_risks(org):
    process = Process.objects.create(organisation=org.organisation, name="Purchasing")
    raise_risk(org, process=process, cause="Single source", owner=org.staff)
    raise_risk(org, kind="opportunity", title="Export to Spain", treatment="pursue")
    newco = twin(org)
    Process.objects.create(organisation=newco, name="Purchasing")
    return newco


def _seed_actions(org):
    ActionFactory(organisation=org.organisation, owner=org.staff, title="Calibrate gauges")
    ActionFactory(organisation=org.organisation, owner=org.manager, status="in_progress")
    return twin(org)


def _seed_findings(org):
    from audits.models import Audit

    audit = start(org, plan(org))
    raise_finding(org, audit)
    raise_finding(org, audit, finding_type="observation", clause="7.5.3", description="Two.")
    newco = twin(org)
    Audit.objects.create(
        organisation=newco,
        reference=audit.reference,
        title=audit.title,
        audit_type=audit.audit_type,
        planned_date=audit.planned_date,
        lead_auditor=org.auditor,
        created_by=org.auditor,
    )
    return newco


def _seed_objectives(org):
    add_values(complete(make_objective(org.organisation, org.manager)), [81, 84.5, 90])
    newco = twin(org)
    StrategicGoal.objects.create(organisation=newco, title="On-time delivery")
    return newco


def _seed_objective_values(org):
    newco = _seed_objectives(org)
    objectives = export_xlsx("objectives", org.organisation)
    report = run_import("objectives", leader_of(newco), objectives, filename="o.xlsx")
    assert report.errors == []
    return newco


def _seed_feedback(org):
    Feedback.objects.create(
        organisation=org.organisation,
        submitted_by=org.staff,
        kind="complaint",
        title="Late again",
        received_on=datetime.date(2026, 2, 3),
        owner=org.manager,
    )
    return twin(org)


def _seed_decisions(org):
    from tests.decisions.conftest import record, signed

    signed(org, risks=[raise_risk(org)])
    record(org, title="A draft", affects_customers="", review_date=None)
    return twin(org)


def _seed_lessons(org):
    from tests.lessons.conftest import recorded

    recorded(org, label="Office move", tags=["Facilities"])
    recorded(org, owner=org.staff, label="ERP move", what_did_not="")
    return twin(org)


SEEDS = {
    "risks": _seed_risks,
    "actions": _seed_actions,
    "findings": _seed_findings,
    "objectives": _seed_objectives,
    "objective_values": _seed_objective_values,
    "feedback": _seed_feedback,
    "decisions": _seed_decisions,
    "lessons": _seed_lessons,
}


@pytest.mark.parametrize("export_name", list(SEEDS))
def test_every_importable_sheet_of_an_xlsx_export_round_trips(org, export_name):
    """Each sheet an import kind takes (not only the first) imports from the one XLSX into a
    new organisation and exports again unchanged (computed columns aside)."""
    newco = SEEDS[export_name](org)
    data = export_xlsx(export_name, org.organisation)
    before = export_sheets(export_name, org.organisation)
    imported = []
    for i, (title, use) in enumerate(SHEETS[export_name].items()):
        kind = _kind_of(use)
        if kind is None:
            continue
        assert before[i][2], f"the {title} sheet has rows to import"
        report = run_import(kind, leader_of(newco), data, filename="export.xlsx", sheet=title)
        assert report.errors == [], (title, report.errors)
        assert report.created == len(before[i][2]), title
        assert all(
            c["action"] != "kept" or c["field"] == "external_ref" for c in report.columns.values()
        ), (title, report.columns)
        imported.append((i, registry.import_kind(kind).derived))
    assert imported, "some sheet of the export is imported"
    after = export_sheets(export_name, newco)
    for i, derived in imported:
        assert _without([after[i]], derived) == _without([before[i]], derived)
