"""Object-level rules for objectives, built on the role table in `isova.tenancy`."""

from __future__ import annotations

from isova.accounts.tenancy import EVERYONE, has_perm
from isova.models import Action, Membership, Role
from isova.registry import registry

from .models import Objective, Status


def _same_org(membership: Membership | None, objective: Objective) -> bool:
    return membership is not None and membership.organisation_id == objective.organisation_id


def can_edit(membership: Membership | None, objective: Objective) -> bool:
    return (
        _same_org(membership, objective)
        and has_perm(membership, "objectives.objective.edit")
        and not objective.is_closed
    )


def can_submit(membership: Membership | None, objective: Objective) -> bool:
    return _same_org(membership, objective) and has_perm(membership, "objectives.objective.submit")


def owns_plan_step(membership: Membership, objective: Objective) -> bool:
    return Action.objects.for_source(objective).filter(owner_id=membership.user_id).exists()


def can_record_value(
    membership: Membership | None, objective: Objective, *, is_plan_owner: bool | None = None
) -> bool:
    """Leaders and managers for any objective; staff for those they own or have a step of.

    `is_plan_owner` may be given when the caller already knows (bulk checks); otherwise it
    costs one query.
    """
    if not _same_org(membership, objective) or objective.status == Status.WITHDRAWN:
        return False
    if not has_perm(membership, "objectives.objective.record_value"):
        return False
    if has_perm(membership, "objectives.objective.record_any_value"):
        return True
    assert membership is not None
    if objective.owner_id == membership.user_id:
        return True
    return is_plan_owner if is_plan_owner is not None else owns_plan_step(membership, objective)


def can_review(membership: Membership | None, objective: Objective) -> bool:
    if not _same_org(membership, objective) or objective.status == Status.WITHDRAWN:
        return False
    assert membership is not None
    if has_perm(membership, "objectives.objective.review"):
        return True
    return objective.owner_id == membership.user_id and membership.role != Role.AUDITOR


def can_withdraw(membership: Membership | None, objective: Objective) -> bool:
    return (
        _same_org(membership, objective)
        and has_perm(membership, "objectives.objective.withdraw")
        and not objective.is_closed
    )


leaders, planners = frozenset({Role.LEADER}), frozenset({Role.LEADER, Role.MANAGER})

registry.register(
    "permissions",
    {
        "objectives.objective.view": EVERYONE,
        "objectives.objective.create": planners,
        "objectives.objective.edit": planners,
        "objectives.objective.submit": planners,
        "objectives.objective.withdraw": leaders,
        "objectives.goal.manage": planners,
        # Staff may record values only for objectives they own or have a plan step
        # of (objectives.permissions.can_record_value); leaders and managers for any.
        "objectives.objective.record_value": frozenset({Role.LEADER, Role.MANAGER, Role.STAFF}),
        "objectives.objective.record_any_value": planners,
        # Leaders review any objective; an owner (other than an auditor) their own.
        "objectives.objective.review": leaders,
    },
    name="objectives",
)
