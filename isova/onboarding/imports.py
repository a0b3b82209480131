"""What onboarding offers the import engine: inviting the people an import names who are not
members yet (registry hook "inviter"; isova.imports reads it, never imports us)."""

from __future__ import annotations

from isova.accounts.tenancy import has_perm
from isova.imports.kinds import Inviter
from isova.models import Membership, Organisation
from isova.registry import registry

from . import invitations
from .models import Invitation
from .permissions import invitable_roles


def may_invite(membership: Membership, role: str) -> bool:
    """As the invite page: the permission to invite, and a role this member invites to."""
    return has_perm(membership, "isova.invitation.create") and role in invitable_roles(
        membership.role
    )


def waiting(organisation: Organisation, emails: list[str]) -> set[str]:
    pending = Invitation.objects.for_org(organisation).pending()
    found = pending.filter(email__in=emails).values_list("email", flat=True)
    return {e.lower() for e in found}


def invite(membership: Membership, role: str, people: list[tuple[str, str]]) -> list[str]:
    """Invite `people` (e-mail, name) within the import's transaction; the e-mails go out
    once it commits. The addresses invited."""
    made = invitations.invite(
        membership.organisation,
        [invitations.Invitee(email, role, name) for email, name in people],
        by=membership,
        after_commit=True,
    )
    return [m.email for m in made]


registry.register("inviter", Inviter("onboarding", may_invite, waiting, invite))
