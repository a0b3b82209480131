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
from django.urls import reverse
from django.utils.text import Truncator

from isova.models import Membership, Organisation, Role, User
from isova.notifications.sources import active_people, alert_about
from isova.registry import Alert, CalendarEvent, registry

from .models import NONCONFORMITIES, Audit, AuditStatus, Finding, FindingStatus


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
            managers = active_people(organisation, Role.MANAGER)
        days = (today - finding.response_due).days
        for recipient in [owner] if owner else managers or []:
            yield alert_about(
                finding,
                recipient,
                "finding_overdue",
                f"Finding {finding.reference} is past its response date",
                f"The {finding.get_finding_type_display().lower()} {finding.reference} "
                f"(clause {finding.clause}) was due for a response on "
                f"{finding.response_due:%d %b %Y}, {days} day{'s' if days != 1 else ''} ago."
                f"\n\n{finding.description}\n",
                key=f":due:{finding.response_due}",
                window=f"late-week-{(days - 1) // 7}",
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
        yield alert_about(
            finding,
            finding.audit.lead_auditor,
            "finding_check_due",
            f"Check the effectiveness of {finding.reference}",
            f"Every corrective action of {finding.reference} is done. Check that they "
            "worked (someone who neither owns nor did any of them), then close the finding.\n",
        )


def _late_audits(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    late = Audit.objects.for_org(organisation).not_started_late(today)
    for audit in late.select_related("lead_auditor"):
        yield alert_about(
            audit,
            audit.lead_auditor,
            "audit_late",
            f"Audit {audit.reference} has not started",
            f"“{audit.title}” was planned for {audit.planned_date:%d %b %Y}. Start it, or "
            "move its planned date so the programme stays true.\n",
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
    """Findings open and past due now; each raised since the last briefing, by the date it
    was raised; the next audit and any not started (5 queries)."""
    findings = Finding.objects.for_org(organisation)
    open_ = findings.unresolved().count()
    late = findings.past_response_due(today).count()
    lines = [
        f"{open_} open, {late} past their response date "
        f"({reverse('audits:finding_list')}?overdue=on)"
    ]
    new = (
        findings.filter(raised_on__gt=since, raised_on__lte=today)
        .select_related("audit")
        .order_by("raised_on", "pk")
    )
    for finding in new:
        what = Truncator(" ".join(finding.description.split())).chars(80)
        lines.append(
            f"Raised {organisation.format_date(finding.raised_on)}: {finding.reference} "
            f"{finding.get_finding_type_display().lower()}, {what} ({finding.get_absolute_url()})"
        )
    if not new:
        lines.append(f"No finding raised since {organisation.format_date(since)}.")
    audits = Audit.objects.for_org(organisation)
    upcoming = (
        audits.filter(status=AuditStatus.PLANNED, planned_date__gte=today)
        .order_by("planned_date", "pk")
        .first()
    )
    if upcoming is not None:
        lines.append(
            f"Next audit: {upcoming.reference} {upcoming.title} on "
            f"{organisation.format_date(upcoming.planned_date)} ({upcoming.get_absolute_url()})"
        )
    else:
        lines.append(f"No audit planned ({reverse('audits:index')})")
    not_started = audits.not_started_late(today).count()
    if not_started:
        lines.append(f"{not_started} audit{'s' if not_started != 1 else ''} not started on time")
    return lines


registry.register("alerts", due, name="audits")
