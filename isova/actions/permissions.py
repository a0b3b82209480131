"""Who may do what to one action: the status moves each role may make, and editing.

The role-wide permissions (`isova.action.create`, ...) are in `isova.accounts.tenancy`; these
are the object-level rules on top of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied

from isova.accounts.models import Membership, Role
from isova.accounts.tenancy import has_perm
from isova.actions.models import Action, ActionStatus

L, M, S = Role.LEADER, Role.MANAGER, Role.STAFF


# Moves anybody allowed to change the status may make, from each status.
OWNER_MOVES: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DONE}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.OPEN, ActionStatus.DONE}),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.VERIFIED: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}
# Further moves reserved for managers and leaders.
MANAGER_MOVES: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.CANCELLED}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset({ActionStatus.VERIFIED}),
    ActionStatus.VERIFIED: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.CANCELLED: frozenset({ActionStatus.OPEN}),
}


def action_moves(membership: Membership | None, action: Action) -> list[ActionStatus]:
    """The statuses this member may move this action to, in workflow order."""
    if membership is None or action.organisation_id != membership.organisation_id:
        return []
    role = membership.role
    moves: set[str] = set()
    if role in (L, M) or (role == S and action.owner_id == membership.user_id):
        moves |= OWNER_MOVES[action.status]
    if role in (L, M):
        moves |= MANAGER_MOVES[action.status]
        if membership.user_id in (action.owner_id, action.completed_by_id):
            # Nobody verifies their own work: not as its owner, nor as the one who completed it.
            moves.discard(ActionStatus.VERIFIED)
    return [status for status in ActionStatus if status in moves]


def action_rows(membership: Membership | None, actions: Iterable[Action]) -> list[dict[str, Any]]:
    """Rows of the one action table (`isova/_action_table.html`): each action and its moves.

    Closed actions (verified, cancelled) offer no moves in a list; reopening one is a
    deliberate step on its own page."""
    closed = (ActionStatus.VERIFIED, ActionStatus.CANCELLED)
    return [
        {"action": a, "moves": [] if a.status in closed else action_moves(membership, a)}
        for a in actions
    ]


def action_moves_for_any_role(action: Action) -> frozenset[str]:
    """Every status some role could move this action to (to tell "not allowed" from "not you")."""
    return OWNER_MOVES[action.status] | MANAGER_MOVES[action.status]


def can_edit_action(membership: Membership | None, action: Action) -> bool:
    return (
        has_perm(membership, "isova.action.edit")
        and membership is not None
        and action.organisation_id == membership.organisation_id
        # Done and verified work is a record of who did what: reopen it to change it.
        and action.status not in (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.CANCELLED)
    )


def can_note_action(membership: Membership | None, action: Action) -> bool:
    """Who may add a progress note without moving the action: whoever may move it (its
    owner among staff, any manager or leader), while it is not closed."""
    return (
        has_perm(membership, "isova.action.change_status")
        and membership is not None
        and action.organisation_id == membership.organisation_id
        and (membership.role in (L, M) or action.owner_id == membership.user_id)
        and action.status not in (ActionStatus.VERIFIED, ActionStatus.CANCELLED)
    )


def check_may_note(membership: Membership, action: Action) -> None:
    """403 before any input is read: staff note only their own actions."""
    if not has_perm(membership, "isova.action.change_status"):
        raise PermissionDenied("Your role cannot add notes to actions.")
    if membership.role == S and action.owner_id != membership.user_id:
        raise PermissionDenied("You can add notes only to actions assigned to you.")
