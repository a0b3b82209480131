"""The audits panel of the leadership dashboard (registered in `AuditsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from isova.models import Organisation
from isova.registry import Panel, PanelContext

from .models import AGE_BUCKETS, Finding, FindingType, Process, response_overdue_q


def audits_panel(ctx: PanelContext) -> dict[str, Any]:
    """Outstanding audit actions (count, overdue, age) and findings past their response date
    (2 queries)."""
    findings = Finding.objects.for_org(ctx.organisation)
    if "process" in ctx.filters:
        findings = findings.filter(process_id=ctx.filters["process"])
    if "since" in ctx.filters:
        findings = findings.filter(raised_on__gte=ctx.filters["since"])
    summary = findings.outstanding_action_summary(ctx.organisation, ctx.filters.get("owner"))
    urls = _urls(ctx)
    unresolved = findings.unresolved().aggregate(
        total=Count("pk"),
        past_due=Count("pk", filter=response_overdue_q(ctx.today)),
        major=Count("pk", filter=Q(finding_type=FindingType.MAJOR)),
    )
    return {
        "actions": summary,
        "buckets": [
            (bucket, summary["age_buckets"][bucket], urls.get(f"age {bucket}", urls["count"]))
            for bucket in AGE_BUCKETS
        ],
        "findings": unresolved,
        "urls": urls,
    }


def _urls(ctx: PanelContext) -> dict[str, str]:
    """The lists behind the figures, narrowed as the panel is. The actions list knows owner
    and creation date but not a finding's process or date: under those filters the action
    figures link to the findings register instead."""
    findings_query: dict[str, Any] = {"status": "unresolved"}
    if "process" in ctx.filters:
        findings_query["process"] = ctx.filters["process"]
    if "since" in ctx.filters:
        findings_query["raised_from"] = ctx.filters["since"].isoformat()
    register = reverse("audits:finding_list") + "?" + urlencode(findings_query)
    past_due = reverse("audits:finding_list") + "?" + urlencode(findings_query | {"overdue": "on"})
    if "process" in ctx.filters or "since" in ctx.filters:
        return {"register": register, "past_due": past_due, "count": register, "overdue": register}
    actions: dict[str, Any] = {"source": "audits.finding", "status": "outstanding"}
    if "owner" in ctx.filters:
        actions["owner"] = ctx.filters["owner"]
    base = reverse("action_list") + "?"
    return {
        "register": register,
        "past_due": past_due,
        "count": base + urlencode(actions),
        "overdue": base + urlencode(actions | {"overdue": "on"}),
    } | {f"age {bucket}": base + urlencode(actions | {"age": bucket}) for bucket in AGE_BUCKETS}


def process_choices(organisation: Organisation) -> list[tuple[int, str]]:
    """The dashboard's process filter: the organisation's processes by name (1 query)."""
    return list(Process.objects.for_org(organisation).order_by("name").values_list("pk", "name"))


PANEL = Panel(
    name="audits",
    title="Outstanding audit actions",
    order=30,
    template="audits/_dashboard_panel.html",
    build=audits_panel,
    # action summary, findings aggregate (2); 3 measured on an organisation's first request
    max_queries=3,
)
