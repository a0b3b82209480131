"""The audits panel of the leadership dashboard (registered in `AuditsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from isova.registry import Panel, PanelContext

from .models import AGE_BUCKETS, Finding, FindingType


def audits_panel(ctx: PanelContext) -> dict[str, Any]:
    """Outstanding audit actions (count, overdue, age) and findings past their response date
    (2 queries)."""
    findings = Finding.objects.for_org(ctx.organisation)
    summary = findings.outstanding_action_summary(ctx.organisation)
    unresolved = findings.unresolved().aggregate(
        total=Count("pk"),
        past_due=Count("pk", filter=Q(response_due__lt=ctx.today)),
        major=Count("pk", filter=Q(finding_type=FindingType.MAJOR)),
    )
    return {
        "actions": summary,
        "buckets": [(bucket, summary["age_buckets"][bucket]) for bucket in AGE_BUCKETS],
        "findings": unresolved,
    }


PANEL = Panel(
    name="audits",
    title="Outstanding audit actions",
    order=30,
    template="audits/_dashboard_panel.html",
    build=audits_panel,
)
