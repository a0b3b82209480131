"""The audits app's sections of the management-review inputs pack (ISO 9001 9.3.2 c4, c6).

Same JSON shape as reviews/review_inputs.py documents (figures, bars, table); the template is the
reviews app's generic section template, named by path only (no import of that app).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from isova.models import Organisation
from isova.registry import ReviewInput, registry

from .models import Audit, AuditStatus, Finding, FindingStatus, FindingType

SECTION_TEMPLATE = "reviews/inputs/_section.html"
NONCONFORMITIES = (FindingType.MAJOR, FindingType.MINOR)


def nonconformities(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """c4) Nonconformities raised in the period and still open, with their actions (3 queries)."""
    findings = Finding.objects.for_org(org).filter(finding_type__in=NONCONFORMITIES)
    in_period = findings.filter(raised_on__gte=since, raised_on__lte=until)
    totals = in_period.aggregate(
        raised=Count("pk"),
        major=Count("pk", filter=Q(finding_type=FindingType.MAJOR)),
        closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
    )
    open_rows = list(
        findings.unresolved()
        .filter(raised_on__lte=until)
        .select_related("audit", "process")
        .order_by("response_due", "pk")
    )
    if not totals["raised"] and not open_rows:
        return {}
    actions = findings.outstanding_action_summary(org)
    return {
        "figures": [
            ["Nonconformities raised", totals["raised"]],
            ["Of which major", totals["major"]],
            ["Raised and closed in the period", totals["closed"]],
            ["Still open", len(open_rows)],
            ["Past response date", sum(f.is_overdue(org.today()) for f in open_rows)],
            ["Outstanding corrective actions", actions["count"]],
            ["Corrective actions overdue", actions["overdue"]],
        ],
        "table": {
            "columns": ["Finding", "Type", "Clause", "Process", "Status", "Response due"],
            "rows": [
                [
                    f"{f.audit.reference}-{f.number}",
                    f.get_finding_type_display(),
                    f.clause,
                    str(f.process or ""),
                    f.get_status_display(),
                    f.response_due.isoformat(),
                ]
                for f in open_rows
            ],
        },
    }


def audit_results(org: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """c6) Audits reported in the period and what they found (1 query)."""
    audits = list(
        Audit.objects.for_org(org)
        .filter(reported_on__gte=since, reported_on__lte=until)
        .annotate(
            findings_count=Count("findings"),
            ncs=Count("findings", filter=Q(findings__finding_type__in=NONCONFORMITIES)),
            ofis=Count("findings", filter=Q(findings__finding_type=FindingType.OFI)),
        )
        .order_by("reported_on", "pk")
    )
    if not audits:
        return {}
    return {
        "figures": [
            ["Audits reported", len(audits)],
            ["Findings", sum(a.findings_count for a in audits)],
            ["Nonconformities", sum(a.ncs for a in audits)],
            ["Opportunities for improvement", sum(a.ofis for a in audits)],
            ["Closed", sum(a.status == AuditStatus.CLOSED for a in audits)],
        ],
        "table": {
            "columns": ["Audit", "Title", "Reported", "Findings", "Conclusion"],
            "rows": [
                [
                    a.reference,
                    a.title,
                    a.reported_on.isoformat() if a.reported_on else "",
                    a.findings_count,
                    a.conclusion,
                ]
                for a in audits
            ],
        },
    }


for section in (
    ReviewInput("audits_nonconformities", "c4", "Nonconformities and corrective actions",
                34, SECTION_TEMPLATE, nonconformities),
    ReviewInput("audits_results", "c6", "Audit results", 36, SECTION_TEMPLATE,
                audit_results),
):  # fmt: skip
    registry.register("review_inputs", section)
