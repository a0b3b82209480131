"""Bench rows of the audits app: processes, three years of audits, their findings,
corrective actions and issued reports (see bench/seeding.py for the contract)."""

from __future__ import annotations

import datetime
import sys
from typing import Any

from audits.models import (
    DEFAULT_SLA_DAYS,
    Audit,
    AuditStatus,
    AuditType,
    Finding,
    FindingStatus,
    FindingType,
    Process,
)
from isova.registry import registry

NAME = "audits"

PAGES = [
    ("findings register", "/audits/findings/", "leader"),
    ("findings past due", "/audits/findings/?overdue=on", "leader"),
    ("audit programme", "/audits/", "leader"),
]

PROCESSES = [
    "Sales",
    "Design",
    "Purchasing",
    "Production",
    "Inspection",
    "Dispatch",
    "Maintenance",
    "Training",
    "Customer service",
    "Management",
]
CLAUSES = ["4.4", "5.1", "6.1", "6.2", "7.1.5", "7.2", "7.5", "8.2.2", "8.4", "8.5.1", "8.7", "9.2"]


def seed(ctx: Any) -> dict[str, int]:
    """Processes, three years of audits, their findings, the nonconformities' corrective
    actions and the audits' issued reports."""
    from bench.seeding import bulk

    managers = ctx.with_role("manager") or ctx.with_role("leader")
    auditors = ctx.with_role("auditor") or managers
    processes = bulk(
        Process,
        (
            Process(organisation=ctx.organisation, name=name, owner=managers[i % len(managers)])
            for i, name in enumerate(PROCESSES)
        ),
    )
    audits = bulk(Audit, _audits(ctx, processes, auditors))
    findings = bulk(Finding, _findings(ctx, audits))
    nonconformities = [f for f in findings if f.finding_type in ("major", "minor")]
    actions = (
        ctx.actions(ctx.n(4800), title="Corrective action", sources=nonconformities)
        if nonconformities
        else []
    )
    _issued(ctx, audits)
    return {
        "audits_process": len(processes),
        "audits_audit": len(audits),
        "audits_finding": len(findings),
        "isova_action": len(actions),
    }


def _audit_status(planned: datetime.date, today: datetime.date) -> str:
    """Where an audit planned on that day stands: planned, in progress, reported, closed."""
    if planned > today:
        return AuditStatus.PLANNED
    if planned > today - datetime.timedelta(days=30):
        return AuditStatus.IN_PROGRESS
    if planned > today - datetime.timedelta(days=120):
        return AuditStatus.REPORTED
    return AuditStatus.CLOSED


def _audits(ctx: Any, processes: list[Process], auditors: list[Any]) -> list[Audit]:
    """The audits (unsaved), from three years back to a few months ahead, oldest first."""
    count = ctx.n(300)
    audits = []
    for i in range(count):
        planned = ctx.today - datetime.timedelta(days=1000 - i * 1100 // count)
        status = _audit_status(planned, ctx.today)
        done = status in (AuditStatus.REPORTED, AuditStatus.CLOSED)
        audits.append(
            Audit(
                organisation=ctx.organisation,
                reference=f"IA-{planned.year}-{i + 1:03d}",
                title=f"Internal audit {i + 1}",
                audit_type=AuditType.INTERNAL,
                process=processes[i % len(processes)],
                clauses=", ".join(ctx.rng.sample(CLAUSES, 3)),
                scope="The whole process, both shifts.",
                lead_auditor=auditors[i % len(auditors)],
                planned_date=planned,
                started_on=planned if status != AuditStatus.PLANNED else None,
                reported_on=planned + datetime.timedelta(days=5) if done else None,
                closed_on=planned + datetime.timedelta(days=90)
                if status == AuditStatus.CLOSED
                else None,
                status=status,
                summary="Summary of what was seen." if done else "",
                conclusion="Effective with exceptions." if done else "",
            )
        )
    return audits


def _findings(ctx: Any, audits: list[Audit]) -> list[Finding]:
    """The findings (unsaved), shared out evenly among the audits that started; a closed
    audit's findings closed, the others' at some stage."""
    rng = ctx.rng
    with_findings = [a for a in audits if a.status != AuditStatus.PLANNED]
    base, extra = divmod(ctx.n(3000), max(1, len(with_findings)))
    findings = []
    for index, audit in enumerate(with_findings):
        for number in range(1, base + (index < extra) + 1):
            kind = rng.choices(list(FindingType), weights=(1, 4, 3, 2))[0]
            raised = audit.started_on or audit.planned_date
            if audit.status == AuditStatus.CLOSED:
                finding_status = FindingStatus.CLOSED
            else:
                finding_status = rng.choice(
                    (FindingStatus.OPEN, FindingStatus.IN_PROGRESS, FindingStatus.VERIFIED)
                )
            findings.append(
                Finding(
                    organisation=ctx.organisation,
                    audit=audit,
                    number=number,
                    finding_type=kind,
                    clause=rng.choice(CLAUSES),
                    process=audit.process,
                    description="The requirement, and how it was not met.",
                    evidence="Records sampled on the day.",
                    raised_on=raised,
                    raised_by=audit.lead_auditor,
                    response_due=raised + datetime.timedelta(days=DEFAULT_SLA_DAYS[kind]),
                    status=finding_status,
                    closed_on=audit.closed_on if finding_status == FindingStatus.CLOSED else None,
                    risk_changes=False if finding_status == FindingStatus.CLOSED else None,
                )
            )
    return findings


def _issued(ctx: Any, audits: list[Audit]) -> None:
    """Each reported or closed audit's report, signed "issued" by its lead auditor."""
    roles = ctx.roles
    for audit in audits:
        if audit.reported_on is None or roles.get(audit.lead_auditor_id) is None:
            continue
        at = datetime.datetime.combine(audit.reported_on, datetime.time(12), tzinfo=datetime.UTC)
        ctx.sign(audit, 1, meaning="issued", signer=audit.lead_auditor, at=at)


registry.register("bench", sys.modules[__name__], name=NAME)
