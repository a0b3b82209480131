"""Audits fixtures: a process, audits in each state and findings, made through the services."""

from __future__ import annotations

import datetime

import pytest

from audits import services
from audits.models import Audit, Finding, FindingType, Process
from isova.models import Action
from tests.conftest import Org, membership_of
from tests.factories import PASSWORD


def plan(org: Org, *, by=None, process=None, **fields) -> Audit:
    """An audit planned by `by` (default: the auditor) on `process`."""
    by = by or org.auditor
    fields.setdefault("title", "Production control")
    fields.setdefault("audit_type", "internal")
    fields.setdefault("lead_auditor", org.auditor)
    fields.setdefault("planned_date", org.organisation.today())
    if process is None and not fields.get("area"):
        fields["area"] = "Shop floor"
    return services.audit_plan(
        membership=membership_of(by, org.organisation), process=process, **fields
    )


def start(org: Org, audit: Audit) -> Audit:
    return services.audit_start(
        membership=membership_of(org.auditor, org.organisation), audit=audit
    )


def raise_finding(org: Org, audit: Audit, finding_type=FindingType.MINOR, **fields) -> Finding:
    fields.setdefault("clause", "8.5.1")
    fields.setdefault("description", "Work instruction WI-7 is not at the machine.")
    fields.setdefault("evidence", "Cell 3, lathe 4: no WI-7 on 12 May.")
    return services.finding_raise(
        membership=membership_of(org.auditor, org.organisation),
        audit=audit,
        finding_type=finding_type,
        **fields,
    )


def assign(org: Org, finding: Finding, owner=None, **fields) -> Action:
    fields.setdefault("title", "Put WI-7 at every lathe")
    fields.setdefault("due_date", org.organisation.today() + datetime.timedelta(days=14))
    return services.finding_assign_action(
        membership=membership_of(org.manager, org.organisation),
        finding=finding,
        owner=owner or org.staff,
        **fields,
    )


def respond(org: Org, finding: Finding, *, risk: bool | None = False) -> Finding:
    """Containment, root cause and (unless risk is None) the risk decision, by the manager."""
    m = membership_of(org.manager, org.organisation)
    finding = services.finding_record_containment(
        membership=m, finding=finding, containment="WI-7 printed and posted at lathe 4."
    )
    finding = services.finding_record_root_cause(
        membership=m,
        finding=finding,
        method="five_whys",
        whys=["Not printed", "Nobody owns printing", "", "", ""],
        root_cause="No owner for issuing work instructions to the floor.",
    )
    if risk is not None:
        finding = services.finding_record_risk_decision(
            membership=m, finding=finding, changes_risks=risk, note="R-12 likelihood up" * risk
        )
    return finding


def complete(org: Org, action: Action) -> Action:
    from isova.actions import services as actions

    return actions.action_set_status(
        membership=membership_of(action.owner, org.organisation),
        action=action,
        status="done",
        version=action.version,
        note="Done",
    )


def verify(org: Org, finding: Finding, *, by=None, effective=True) -> Finding:
    by = by or org.leader
    return services.finding_verify_effectiveness(
        membership=membership_of(by, org.organisation),
        finding=finding,
        effective=effective,
        note="Three weekly checks: WI-7 at every lathe.",
        password=PASSWORD,
    )


@pytest.fixture
def process(org: Org) -> Process:
    return Process.objects.create(
        organisation=org.organisation, name="Production", owner=org.manager
    )


@pytest.fixture
def running_audit(org: Org, process: Process) -> Audit:
    return start(org, plan(org, process=process))


@pytest.fixture
def finding(org: Org, running_audit: Audit) -> Finding:
    return raise_finding(org, running_audit)
