"""How far the quality policy reached people (ISO 9001 5.2.2): who read the approved version."""

from __future__ import annotations

from typing import Any

from isova import records
from isova.models import Membership, Organisation, QualityPolicy

from .models import PolicyAcknowledgement


def current_policy(org: Organisation) -> QualityPolicy | None:
    """The organisation's policy in force: the latest by effective date (1 query)."""
    return (
        QualityPolicy.objects.filter(organisation=org)
        .select_related("owner")
        .order_by("-effective_from", "-pk")
        .first()
    )


def reach(org: Organisation, *, with_people: bool = False) -> dict[str, Any]:
    """The approved version, how many members acknowledged it and, optionally, who has not.

    A fixed 5 queries: the policy, its versions and sign-offs (records.state), the members,
    the acknowledgements of that version.
    """
    policy = current_policy(org)
    empty = {"policy": policy, "version": None, "members": 0, "acknowledged": 0, "share": None}
    if policy is None:
        return {**empty, "missing": []}
    approved = records.state(policy).approved
    if approved is None:
        return {**empty, "missing": []}
    members = list(
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    acked = set(
        PolicyAcknowledgement.objects.filter(
            policy=policy, version_number=approved.number
        ).values_list("user_id", flat=True)
    )
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
