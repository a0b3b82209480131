"""Leaders approve the allocation with the plan: it is in the signed snapshot, and a later
change to it (not the spend) asks for approval again; verify_records stays clean."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.management import call_command

from isova import records
from isova.models import Action, RecordStatus, RecordVersion
from isova.resources import services
from isova.resources.models import LineKind
from risks.models import Risk
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.objectives.conftest import complete, make_objective
from tests.risks.conftest import raise_risk

from .conftest import FEB, MAR, allocate


def _approved_objective(org):
    objective = complete(make_objective(org.organisation, org.manager, status="draft"))
    step = Action(organisation=org.organisation, title="Step", owner=org.staff,
                  due_date=datetime.date(2025, 6, 30))  # fmt: skip
    step.source = objective
    step.save()
    return objective


def _submit_and_approve(org, plan):
    records.submit(membership=membership_of(org.manager, org.organisation), obj=plan)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=plan, password=PASSWORD
    )


def statuses(plan):
    return [v.status for v in RecordVersion.objects.for_record(plan).order_by("number")]


def test_the_allocation_is_part_of_what_leaders_approve(org):
    objective = _approved_objective(org)
    allocate(org, objective, org.staff, 30, FEB, MAR)
    services.line_add(
        membership=membership_of(org.manager, org.organisation),
        plan=objective,
        kind=LineKind.BUDGET,
        description="Premium freight",
        amount_approved=Decimal(3000),
    )
    _submit_and_approve(org, objective)
    signed = RecordVersion.objects.for_record(objective).get().snapshot
    assert [(p["person"], p["hours"], p["from"], p["to"]) for p in signed["people_allocated"]] == [
        (org.staff.pk, "30.0", "2027-02-01", "2027-03-01")
    ]
    assert [(t["name"], t["amount"]) for t in signed["tools_and_budget"]] == [
        ("Premium freight", "3000.00")
    ]


def test_a_plan_without_resources_keeps_its_snapshot_as_before(org):
    objective = _approved_objective(org)
    assert "people_allocated" not in objective.approval_snapshot()
    assert "tools_and_budget" not in objective.approval_snapshot()


def test_changing_the_allocation_after_approval_asks_for_approval_again(org):
    objective = _approved_objective(org)
    allocation = allocate(org, objective, org.staff, 30, FEB, MAR)
    _submit_and_approve(org, objective)
    assert statuses(objective) == [RecordStatus.APPROVED]
    services.allocation_reassign(
        membership=membership_of(org.manager, org.organisation),
        allocation=allocation,
        person=org.manager,
    )
    assert statuses(objective) == [RecordStatus.SUPERSEDED, RecordStatus.DRAFT]
    state = records.state(objective)
    assert any("People allocated" in change.field for change in state.material_diff)
    call_command("verify_records")  # raises SystemExit on a problem


def test_recording_the_spend_keeps_the_approval(org):
    objective = _approved_objective(org)
    line = services.line_add(
        membership=membership_of(org.manager, org.organisation),
        plan=objective,
        kind=LineKind.TOOL,
        description="ERP add-on",
        amount_approved=Decimal(1200),
    )
    _submit_and_approve(org, objective)
    services.line_record_spent(
        membership=membership_of(org.manager, org.organisation),
        line=line,
        amount_spent=Decimal(900),
    )
    assert statuses(objective) == [RecordStatus.APPROVED]
    call_command("verify_records")


def test_a_submitted_risk_plan_goes_back_to_draft_when_its_people_change(org):
    risk = raise_risk(org)
    step = Action(organisation=org.organisation, title="Dual source", owner=org.staff)
    step.source = risk
    step.save()
    records.submit(membership=membership_of(org.manager, org.organisation), obj=risk)
    allocate(org, Risk.objects.get(pk=risk.pk), org.staff, 8, MAR)
    assert statuses(risk) == [RecordStatus.DRAFT]
    assert "people_allocated" in risk.approval_snapshot()


def test_removing_an_allocation_supersedes_the_approval(org):
    objective = _approved_objective(org)
    allocation = allocate(org, objective, org.staff, 30, FEB, MAR)
    _submit_and_approve(org, objective)
    services.part_delete(membership=membership_of(org.leader, org.organisation), part=allocation)
    assert statuses(objective) == [RecordStatus.SUPERSEDED, RecordStatus.DRAFT]
    assert "people_allocated" not in objective.approval_snapshot()


def test_the_plans_resources_page_says_the_change_awaits_approval(org, as_user):
    from isova.resources.plans import plan_url

    objective = _approved_objective(org)
    _submit_and_approve(org, objective)
    client = as_user(org.manager)
    assert (
        "<strong>Approved</strong> (version 1)." in client.get(plan_url(objective)).content.decode()
    )
    allocate(org, objective, org.staff, 12, MAR)
    page = client.get(plan_url(objective)).content.decode()
    assert "<strong>Draft</strong> (version 2): changed since approved" in page
