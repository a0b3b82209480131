"""The leadership dashboard: one small function per panel, each fed by the owning app's queryset.

The page renders every panel at once (it works without JavaScript); each panel also has its
own URL so HTMX refreshes it in place every few minutes. The whole page runs a fixed number
of queries whatever the size of the organisation (tests/isova/test_dashboard.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render

from audits.models import AGE_BUCKETS, Finding, FindingType
from objectives.models import Objective, Rag

from .models import Action, ActionStatus, RecordVersion
from .tenancy import OrgRequest, has_perm, member_required

REFRESH_SECONDS = 300


def objectives_panel(request: OrgRequest) -> dict[str, Any]:
    """Open objectives by RAG state, and those whose review is overdue (3 queries)."""
    org = request.organisation
    today = org.today()
    objectives = Objective.objects.for_org(org)
    rag = objectives.rag_counts(today)
    overdue = objectives.review_overdue(today).order_by("next_review_date")
    return {
        "rag": [(Rag(state), count) for state, count in rag.items()],
        "open_total": sum(rag.values()),
        "review_overdue": list(overdue.select_related("owner")[:5]),
        "review_overdue_count": overdue.count(),
    }


def audits_panel(request: OrgRequest) -> dict[str, Any]:
    """Outstanding audit actions (count, overdue, age) and findings past their response date."""
    org = request.organisation
    today = org.today()
    findings = Finding.objects.for_org(org)
    summary = findings.outstanding_action_summary(org)
    unresolved = findings.unresolved().aggregate(
        total=Count("pk"),
        past_due=Count("pk", filter=Q(response_due__lt=today)),
        major=Count("pk", filter=Q(finding_type=FindingType.MAJOR)),
    )
    return {
        "actions": summary,
        "buckets": [(bucket, summary["age_buckets"][bucket]) for bucket in AGE_BUCKETS],
        "findings": unresolved,
    }


def actions_panel(request: OrgRequest) -> dict[str, Any]:
    """Every action of the organisation: outstanding, overdue, awaiting verification (1 query)."""
    org = request.organisation
    today = org.today()
    outstanding = Q(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    return Action.objects.for_org(org).aggregate(
        outstanding=Count("pk", filter=outstanding),
        overdue=Count("pk", filter=outstanding & Q(due_date__lt=today)),
        awaiting_verification=Count("pk", filter=Q(status=ActionStatus.DONE)),
        mine=Count("pk", filter=outstanding & Q(owner=request.user)),
    )


def approvals_panel(request: OrgRequest) -> dict[str, Any]:
    """What waits for this leader's decision, oldest first (2 queries + 1 per kind of record)."""
    waiting = (
        RecordVersion.objects.for_org(request.organisation)
        .awaiting_decision()
        .exclude(submitted_by=request.user)
    )
    if not has_perm(request.membership, "record.approve"):
        return {"can_approve": False, "waiting": [], "waiting_count": 0}
    return {
        "can_approve": True,
        "waiting": list(waiting.for_inbox()[:5]),
        "waiting_count": waiting.count(),
    }


PANELS: dict[str, Callable[[OrgRequest], dict[str, Any]]] = {
    "approvals": approvals_panel,
    "objectives": objectives_panel,
    "audits": audits_panel,
    "actions": actions_panel,
}


@member_required
def dashboard(request: OrgRequest) -> HttpResponse:
    context: dict[str, Any] = {name: panel(request) for name, panel in PANELS.items()}
    context["refresh_seconds"] = REFRESH_SECONDS
    return render(request, "isova/dashboard.html", context)


@member_required
def panel(request: OrgRequest, name: str) -> HttpResponse:
    """One panel alone: what HTMX polls to keep the dashboard current."""
    if name not in PANELS:
        raise Http404("No such dashboard panel.")
    context = {name: PANELS[name](request), "refresh_seconds": REFRESH_SECONDS}
    return render(request, f"isova/dashboard/_{name}.html", context)
