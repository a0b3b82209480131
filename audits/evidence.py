"""What the audits app holds as leadership evidence (ISO 9001 5.1.1 a, c, i; 5.1.2 a)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.urls import reverse

from isova.models import Organisation
from isova.registry import Evidence, EvidenceSource, Gap, registry

from .models import (
    Audit,
    AuditStatus,
    Finding,
    FindingStatus,
    FindingType,
    Process,
    response_overdue_q,
)


def audits_evidence(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[Evidence | Gap]:
    """Audits held, processes covered, findings answered and improvement (3 queries)."""
    today = organisation.today()
    audits = _audit_figures(organisation, start, end)
    processes = Process.objects.for_org(organisation).count()
    findings = _finding_figures(organisation, start, end, today)
    yield _audits_held(audits, processes)
    yield from _findings_answered(findings, today)


def _audit_figures(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Audits reported in the period, the last report date and processes covered (1 query)."""
    in_period = Q(reported_on__gte=start, reported_on__lte=end)
    return Audit.objects.for_org(organisation).aggregate(
        reported=Count("pk", filter=in_period & ~Q(status__in=[AuditStatus.PLANNED])),
        last=Max("reported_on", filter=in_period),
        processes=Count("process", distinct=True, filter=in_period),
    )


def _finding_figures(
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> dict[str, Any]:
    """Findings raised, improvement opportunities, closed and past their response (1 query)."""
    raised = Q(raised_on__gte=start, raised_on__lte=end)
    return Finding.objects.for_org(organisation).aggregate(
        raised=Count("pk", filter=raised),
        ofi=Count("pk", filter=raised & Q(finding_type=FindingType.OFI)),
        closed=Count("pk", filter=raised & Q(status=FindingStatus.CLOSED)),
        past_due=Count("pk", filter=response_overdue_q(today)),
        oldest_due=Min("response_due", filter=response_overdue_q(today)),
    )


def _audits_held(audits: dict[str, Any], processes: int) -> Evidence | Gap:
    """5.1.1 c: the audits reported and the processes they covered, or the gap of none."""
    if audits["reported"]:
        return Evidence(
            "5.1.1 c",
            f"{audits['reported']} audits reported, covering {audits['processes']} of "
            f"{processes} processes.",
            count=audits["reported"],
            last_date=audits["last"],
            url=reverse("audits:index"),
        )
    return Gap(
        "5.1.1 c",
        "No audit was reported in this period.",
        severity=2,
        url=reverse("audits:index"),
    )


def _findings_answered(findings: dict[str, Any], today: datetime.date) -> Iterator[Evidence | Gap]:
    """5.1.1 a and i: findings raised and closed, improvement raised, responses past due."""
    register_url = reverse("audits:finding_list")
    if findings["raised"]:
        yield Evidence(
            "5.1.1 a",
            f"{findings['raised']} audit findings raised, {findings['closed']} of them closed "
            "after their corrective actions were checked.",
            count=findings["raised"],
            url=register_url,
        )
    if findings["ofi"]:
        yield Evidence(
            "5.1.1 i",
            f"{findings['ofi']} opportunities for improvement raised by audits.",
            count=findings["ofi"],
            url=f"{register_url}?type={FindingType.OFI}",
        )
    if findings["past_due"]:
        n = findings["past_due"]
        age = (today - findings["oldest_due"]).days
        yield Gap(
            "5.1.1 a",
            f"{n} finding{'s are' if n > 1 else ' is'} past {'their' if n > 1 else 'its'} "
            f"response date; the oldest by {age} days.",
            severity=3,
            url=f"{register_url}?overdue=on",
        )


registry.register("evidence", EvidenceSource(name="audits", build=audits_evidence))
