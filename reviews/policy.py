"""How far the quality policy reached people (ISO 9001 5.2.2): who read the approved version."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from isova import records
from isova.models import Membership, Organisation, QualityPolicy, RecordVersion

from .models import PolicyAcknowledgement


def current_policy(org: Organisation) -> QualityPolicy | None:
    """The organisation's policy in force: the latest by effective date (1 query)."""
    return (
        QualityPolicy.objects.filter(organisation=org)
        .select_related("owner")
        .order_by("-effective_from", "-pk")
        .first()
    )


def reach(
    org: Organisation, *, with_people: bool = False, counts_only: bool = False
) -> dict[str, Any]:
    """The approved version, how many members acknowledged it and, optionally, who has not.

    A fixed 5 queries: the policy, its versions and sign-offs (records.state), the members,
    the acknowledgements of that version. `counts_only` (the dashboard, the evidence page)
    counts members and acknowledgements in one aggregate instead: 4, whatever the number of
    members, and no `acknowledged_ids`.
    """
    policy = current_policy(org)
    empty = {"policy": policy, "version": None, "members": 0, "acknowledged": 0, "share": None}
    if policy is None:
        return {**empty, "missing": []}
    approved = records.state(policy).approved
    if approved is None:
        return {**empty, "missing": []}
    acks = PolicyAcknowledgement.objects.filter(policy=policy, version_number=approved.number)
    if counts_only and not with_people:
        return _reach_counts(org, policy, approved, acks)
    return _reach_people(org, policy, approved, acks, with_people=with_people)


def _reach_counts(
    org: Organisation,
    policy: QualityPolicy,
    approved: RecordVersion,
    acks: QuerySet[PolicyAcknowledgement],
) -> dict[str, Any]:
    """Members and acknowledgements counted in one aggregate query, no member loaded.

    The dashboard and evidence want two numbers: counting them in one query avoids loading
    every member (hundreds in a large organisation).
    """
    counts = Membership.objects.filter(organisation=org).aggregate(
        members=Count("pk"),
        acknowledged=Count("pk", filter=Q(user_id__in=acks.values("user_id"))),
    )
    n, count = counts["members"], counts["acknowledged"]
    return {
        "policy": policy,
        "version": approved,
        "members": n,
        "acknowledged": count,
        "share": round(100 * count / n) if n else None,
        "missing": [],
        "acknowledged_ids": set(),
    }


def _reach_people(
    org: Organisation,
    policy: QualityPolicy,
    approved: RecordVersion,
    acks: QuerySet[PolicyAcknowledgement],
    *,
    with_people: bool,
) -> dict[str, Any]:
    """The members (by name) and who of them acknowledged, optionally who has not (2 queries)."""
    members = list(
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    acked = set(acks.values_list("user_id", flat=True))
    count = sum(m.user_id in acked for m in members)
    return {
        "policy": policy,
        "version": approved,
        "members": len(members),
        "acknowledged": count,
        "share": round(100 * count / len(members)) if members else None,
        "missing": [m for m in members if m.user_id not in acked] if with_people else [],
        "acknowledged_ids": acked,
    }
