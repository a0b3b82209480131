"""Invitations: make, send, resend, revoke and accept them. Every view and command calls
these; permission and object rules are checked here too (a manager invites staff only).

The link is `/invite/<signed>/` where `signed` is django.core.signing over the row's id and
its random nonce: an altered link fails the signature; the nonce is compared with the row's,
so a resent invitation's earlier link stops working. Expiry, use and revocation are read
from the row (locked while accepting), so a link cannot be used twice even at once.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from isova.errors import DomainError
from isova.models import Membership, Organisation, Role, User

from .models import Invitation, PeopleEvent, PeopleEventKind
from .permissions import invitable_roles

SALT = "isova.onboarding.invitation"


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "INVITATION_DAYS", 7))


class InvalidInvitation(DomainError):
    """The link is altered, used, revoked, expired or unknown: it changes nothing."""


def token_for(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT, compress=False)


def link_for(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("onboarding:accept", args=[token_for(invitation)])


def event(
    organisation: Organisation,
    kind: str,
    *,
    email: str,
    actor: User | None = None,
    person: User | None = None,
    detail: str = "",
) -> PeopleEvent:
    return PeopleEvent.objects.create(
        organisation=organisation,
        kind=kind,
        email=email,
        actor=actor,
        person=person,
        detail=detail[:300],
    )


def check_may_invite(membership: Membership | None, role: str) -> None:
    if membership is None or role not in invitable_roles(membership.role):
        raise PermissionDenied("Your role cannot invite people to that role.")


def pending_for(organisation: Organisation, email: str) -> Invitation | None:
    return Invitation.objects.for_org(organisation).pending().filter(email__iexact=email).first()


@dataclass(frozen=True)
class Invitee:
    email: str
    role: str
    full_name: str = ""


def problems_with(organisation: Organisation, invitee: Invitee) -> list[str]:
    """Why this address cannot be invited now (empty: it can)."""
    problems = []
    if Membership.objects.filter(
        organisation=organisation, user__email__iexact=invitee.email
    ).exists():
        problems.append(f"{invitee.email} is already a member.")
    elif pending_for(organisation, invitee.email):
        problems.append(f"{invitee.email} has an invitation waiting: send it again instead.")
    return problems


def invite(
    organisation: Organisation,
    invitees: list[Invitee],
    *,
    by: Membership | None,
    after_commit: bool = False,
) -> list[Invitation]:
    """Make one invitation per invitee, all or none, then e-mail each.

    `by` None is the operator (create_organisation), who may invite any role. With
    `after_commit` (a caller inside a larger transaction: an import) the e-mails go out only
    once that transaction commits, so nobody gets a link to an invitation rolled back; their
    delivery then shows on the invitations page, not in what this returns.
    """
    for invitee in invitees:
        if by is not None:
            check_may_invite(by, invitee.role)
        if invitee.role not in Role.values:
            raise DomainError(f"“{invitee.role}” is not a role.")
    now = timezone.now()
    with transaction.atomic():
        made = [_make_one(organisation, invitee, by, now) for invitee in invitees]
    for invitation in made:
        if after_commit:
            transaction.on_commit(partial(send, invitation))
        else:
            send(invitation)
    return made


def _make_one(
    organisation: Organisation, invitee: Invitee, by: Membership | None, now: datetime.datetime
) -> Invitation:
    """One invitation (and its line in the people history), or DomainError saying why not."""
    problems = problems_with(organisation, invitee)
    if problems:
        raise DomainError(" ".join(problems))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=invitee.email.strip().lower(),
                full_name=invitee.full_name.strip(),
                role=invitee.role,
                invited_by=by.user if by else None,
                nonce=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + lifetime(),
            )
    except IntegrityError:
        raise DomainError(
            f"{invitee.email} has an invitation waiting: send it again instead."
        ) from None
    event(
        organisation,
        PeopleEventKind.INVITED,
        email=invitation.email,
        actor=by.user if by else None,
        detail=f"as {invitation.get_role_display()}",
    )
    return invitation


def send(invitation: Invitation) -> bool:
    """E-mail the invitation; `sent_at` is written only once the mail server accepted it."""
    organisation = invitation.organisation
    context = {
        "invitation": invitation,
        "organisation": organisation,
        "link": link_for(invitation),
        "inviter": invitation.invited_by,
        "expires": organisation.format_date(
            invitation.expires_at.astimezone(organisation.tzinfo).date()
        ),
    }
    subject = f"You are invited to {organisation.name} on isova"
    body = render_to_string("onboarding/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception as error:  # any transport failure: keep it unsent, say why
        Invitation.objects.filter(pk=invitation.pk).update(send_error=str(error)[:500])
        invitation.send_error = str(error)[:500]
        return False
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, send_error="")
    invitation.sent_at, invitation.send_error = now, ""
    return True


def _managed(invitation: Invitation, by: Membership) -> None:
    """Leaders manage every invitation of their organisation; managers those they sent."""
    if invitation.organisation_id != by.organisation_id:
        raise PermissionDenied("That invitation belongs to another organisation.")
    if by.role == Role.LEADER:
        return
    if by.role == Role.MANAGER and invitation.invited_by_id == by.user_id:
        return
    raise PermissionDenied("Only leaders, or the manager who sent it, manage this invitation.")


def resend(invitation: Invitation, *, by: Membership) -> Invitation:
    """A new link (the earlier one stops working) valid for a full period again."""
    _managed(invitation, by)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise DomainError(f"The invitation of {locked.email} is {locked.state}: not resent.")
        locked.nonce = secrets.token_urlsafe(24)
        locked.expires_at = timezone.now() + lifetime()
        locked.sent_at = None
        locked.save(update_fields=["nonce", "expires_at", "sent_at"])
        event(
            locked.organisation,
            PeopleEventKind.INVITATION_RESENT,
            email=locked.email,
            actor=by.user,
        )
    send(locked)
    return locked


def revoke(invitation: Invitation, *, by: Membership) -> Invitation:
    _managed(invitation, by)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at:
            raise DomainError(f"{locked.email} has already accepted: deactivate them instead.")
        if locked.revoked_at:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        event(
            locked.organisation,
            PeopleEventKind.INVITATION_REVOKED,
            email=locked.email,
            actor=by.user,
        )
    return locked


# --- accepting ---------------------------------------------------------------------------


def _unsign(token: str) -> tuple[int, str]:
    try:
        pk, nonce = signing.loads(token, salt=SALT)
        return int(pk), str(nonce)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInvitation(
            "This invitation link is not valid: check it was copied whole."
        ) from None


def _usable(invitation: Invitation | None, nonce: str) -> Invitation:
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise InvalidInvitation(
            "This invitation link is no longer valid: it was replaced by a newer one, "
            "or withdrawn. Ask for a new invitation."
        )
    if invitation.accepted_at:
        raise InvalidInvitation("This invitation has already been used. Log in instead.")
    if invitation.revoked_at:
        raise InvalidInvitation("This invitation was withdrawn. Ask for a new one if needed.")
    if invitation.is_expired:
        raise InvalidInvitation("This invitation has expired. Ask for it to be sent again.")
    return invitation


def find(token: str) -> Invitation:
    """The usable invitation this link names, or InvalidInvitation (reading changes nothing)."""
    pk, nonce = _unsign(token)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    )
    return _usable(invitation, nonce)


def known_user(invitation: Invitation) -> User | None:
    """The active account of the invited address, if there is one."""
    return User.objects.filter(email__iexact=invitation.email, is_active=True).first()


def _join(invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    now = timezone.now()
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event(
        invitation.organisation,
        PeopleEventKind.JOINED,
        email=user.email,
        actor=user,
        person=user,
        detail=f"as {membership.get_role_display()}"
        + ("" if created else " (already a member: role unchanged)"),
    )
    return membership


def accept_as_known(token: str, user: User) -> Membership:
    """A signed-in person joins with their existing account (a second organisation)."""
    pk, nonce = _unsign(token)
    with transaction.atomic():
        invitation = _usable(Invitation.objects.select_for_update().filter(pk=pk).first(), nonce)
        if user.email.lower() != invitation.email.lower():
            raise InvalidInvitation(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}. "
                "Log out, then open the link again."
            )
        return _join(invitation, user)


def accept_as_new(token: str, *, full_name: str, password: str) -> Membership:
    """A person without an active account sets their password and joins.

    An address whose account was deactivated everywhere gets it back (same history) with
    the new password: the invitation e-mail proves they hold the address."""
    pk, nonce = _unsign(token)
    with transaction.atomic():
        invitation = _usable(Invitation.objects.select_for_update().filter(pk=pk).first(), nonce)
        user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
        if user is not None and user.is_active:
            raise InvalidInvitation(
                "There is already an account for this address: log in to accept the invitation."
            )
        if user is None:
            user = User(email=invitation.email)
        user.full_name = full_name.strip() or user.full_name or invitation.full_name
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from None
        user.set_password(password)
        user.is_active = True
        user.save()
        return _join(invitation, user)


def accept_by_provider(token: str, *, organisation_id: int, email: str, full_name: str) -> User:
    """Accept through the organisation's identity provider: the provider vouched for
    `email` (verified), which must be the invited address, for this organisation. A new
    person gets an account without a password (they sign in through the provider)."""
    pk, nonce = _unsign(token)
    with transaction.atomic():
        invitation = _usable(Invitation.objects.select_for_update().filter(pk=pk).first(), nonce)
        if invitation.organisation_id != organisation_id:
            raise InvalidInvitation("This invitation is for another organisation.")
        if invitation.email.lower() != email.lower():
            raise InvalidInvitation(
                f"This invitation is for {invitation.email}; your provider signed you in as "
                f"{email}."
            )
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            user = User(email=invitation.email, full_name=full_name or invitation.full_name)
            user.set_unusable_password()
            user.save()
        elif not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        _join(invitation, user)
        return user
