"""Who may manage people. Object-level rules (a manager invites staff only; nobody
touches the last leader) live in invitations.py and people.py."""

from isova.models import Role
from isova.registry import registry

L, M = Role.LEADER, Role.MANAGER

PERMISSIONS: dict[str, frozenset[str]] = {
    # The people page (members, roles, last sign-in, open work, history): leaders.
    "isova.person.view": frozenset({L}),
    # Change a role, deactivate, resend or revoke any invitation: leaders.
    "isova.person.manage": frozenset({L}),
    # Invite: leaders any role, managers staff only (`invitable_roles`).
    "isova.invitation.create": frozenset({L, M}),
}


def invitable_roles(role: str) -> list[str]:
    """The roles a member with `role` may invite people to."""
    if role == L:
        return [r.value for r in Role]
    if role == M:
        return [Role.STAFF.value]
    return []


registry.register("permissions", PERMISSIONS, name="onboarding")
