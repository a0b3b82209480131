"""What the audits app alerts about (registered in `AuditsConfig.ready()`): findings past
their response date (at the crossing, then weekly), effectiveness checks that are due, and
audits that should have started.

Each is an `isova.registry.Alert`; the core's unique (organisation, recipient, kind, key,
window) makes a scan that runs twice send nothing twice. Four queries per organisation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Q

from isova.models import Membership, Organisation, Role, User
from isova.registry import Alert, CalendarEvent, registry

from .models import NONCONFORMITIES, Audit, AuditStatus, Finding, FindingStatus


def _managers(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.MANAGER,
            is_active=True,
        )
    )


def due(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    findings = Finding.objects.for_org(organisation).select_related(
        "audit__lead_auditor", "process__owner"
    )
    yield from _overdue_findings(organisation, findings, today)
    yield from _checks_due(findings, today)
    yield from _late_audits(organisation, today)


def _overdue_findings(
    organisation: Organisation, findings: Any, today: datetime.date
) -> Iterator[Alert]:
    """To the owner of the process (or, without one, the managers): on the first day it is
    late, then every seventh day (the window is the week of lateness), never daily."""
    managers: list[User] | None = None
    for finding in findings.past_response_due(today):
        owner = finding.process.owner if finding.process else None
        if owner is None and managers is None:
            managers = _managers(organisation)
        days = (today - finding.response_due).days
        for recipient in [owner] if owner else managers or []:
            yield Alert(
                recipient=recipient,
                kind="finding_overdue",
                key=f"finding:{finding.pk}:due:{finding.response_due}",
                window=f"late-week-{(days - 1) // 7}",
                subject=f"Finding {finding.reference} is past its response date",
                body=(
                    f"The {finding.get_finding_type_display().lower()} {finding.reference} "
                    f"(clause {finding.clause}) was due for a response on "
                    f"{finding.response_due:%d %b %Y}, {days} day{'s' if days != 1 else ''} ago."
                    f"\n\n{finding.description}\n"
                ),
                url=finding.get_absolute_url(),
            )


def _checks_due(findings: Any, today: datetime.date) -> Iterator[Alert]:
    """To the lead auditor: every corrective action is done and the check date has come."""
    ready = (
        findings.filter(finding_type__in=NONCONFORMITIES, status=FindingStatus.IN_PROGRESS)
        .exclude(effective=True)
        .filter(Q(effectiveness_check_after__isnull=True) | Q(effectiveness_check_after__lte=today))
        .with_action_progress()
        .filter(actions_total__gt=0, actions_finished=F("actions_total"))
    )
    for finding in ready:
        yield Alert(
            recipient=finding.audit.lead_auditor,
            kind="finding_check_due",
            key=f"finding:{finding.pk}",
            subject=f"Check the effectiveness of {finding.reference}",
            body=(
                f"Every corrective action of {finding.reference} is done. Check that they "
                "worked (someone who neither owns nor did any of them), then close the finding.\n"
            ),
            url=finding.get_absolute_url(),
        )


def _late_audits(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    late = Audit.objects.for_org(organisation).not_started_late(today)
    for audit in late.select_related("lead_auditor"):
        yield Alert(
            recipient=audit.lead_auditor,
            kind="audit_late",
            key=f"audit:{audit.pk}",
            subject=f"Audit {audit.reference} has not started",
            body=(
                f"“{audit.title}” was planned for {audit.planned_date:%d %b %Y}. Start it, or "
                "move its planned date so the programme stays true.\n"
            ),
            url=audit.get_absolute_url(),
        )


def calendar(membership: Membership) -> Iterator[CalendarEvent]:
    """Audits the person leads or is on the team of, not yet reported (one query)."""
    audits = (
        Audit.objects.for_org(membership.organisation)
        .filter(Q(lead_auditor_id=membership.user_id) | Q(team__id=membership.user_id))
        .filter(status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
        .distinct()
        .order_by("planned_date", "pk")
    )
    for audit in audits:
        yield CalendarEvent(
            uid=f"audit-{audit.pk}",
            day=audit.planned_date,
            summary=f"Audit {audit.reference}: {audit.title}",
            url=audit.get_absolute_url(),
        )


def briefing(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    """Findings raised in the past week, and those past their response date (2 queries)."""
    findings = Finding.objects.for_org(organisation)
    new = list(findings.filter(created_at__date__gt=since).select_related("audit"))
    late = findings.past_response_due(today).count()
    lines = [f"New: {f.reference} ({f.get_finding_type_display().lower()})" for f in new]
    if late:
        lines.append(f"{late} past their response date (/audits/findings/?overdue=on)")
    return lines


registry.register("alerts", due, name="audits")
