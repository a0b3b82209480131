"""The rows of onboarding: invitations, people's history, former members, checklist state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from isova.models import Organisation, Role

from .sealing import SealedTextField


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_org(self, org: Organisation) -> InvitationQuerySet:
        return self.filter(organisation=org)

    def pending(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (expired ones included: they can be resent)."""
        return self.filter(accepted_at=None, revoked_at=None)


class Invitation(models.Model):
    """An invitation of one e-mail address to one organisation with one role.

    The link carries the row's id and `nonce`, signed with the SECRET_KEY (invitations.py):
    an altered link fails the signature, and resending draws a new nonce, so the earlier link
    stops working. It is used once (`accepted_at`), expires (`expires_at`) and can be revoked.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the operator started the organisation (create_organisation).",
    )
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Only once the mail server accepted the message.
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open invitation per address and organisation: resend it instead.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="one_pending_invitation_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation} as {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"


class PeopleEventKind(models.TextChoices):
    ORGANISATION_CREATED = "organisation_created", "Organisation started"
    INVITED = "invited", "Invited"
    INVITATION_RESENT = "invitation_resent", "Invitation sent again"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    JOINED = "joined", "Joined"
    ROLE_CHANGED = "role_changed", "Role changed"
    WORK_REASSIGNED = "work_reassigned", "Open work reassigned"
    DEACTIVATED = "deactivated", "Deactivated"
    SIGN_IN_POLICY = "sign_in_policy", "Sign-in policy changed"


class PeopleEvent(models.Model):
    """One change to who is in an organisation and with which role (the people history).

    Append-only: nothing updates or deletes these rows; `email` keeps the address even if
    the person's account changes later."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people_events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=PeopleEventKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField()
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email}"


class FormerMember(models.Model):
    """Someone deactivated in an organisation: their membership is gone (so no page, list or
    permission check sees them as a member), their history and authored records stay."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="former_members"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    deactivated_at = models.DateTimeField(default=timezone.now)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-deactivated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} (formerly {self.get_role_display()} of {self.organisation})"


class Checklist(models.Model):
    """The first-run checklist's state for one organisation: steps the leaders marked done
    by hand (those nothing in the data can tell, e.g. "no registers to import") and when
    they put the checklist away."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="checklist"
    )
    marked_done = models.JSONField(default=list, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"checklist of {self.organisation}"


class SingleSignOn(models.Model):
    """An organisation's OpenID Connect provider (Entra ID, Google, Okta, Keycloak, …).

    A leader enters the issuer, client id and secret; the endpoints come from the issuer's
    discovery document (isova.onboarding.sso.discover). `required`: password sign-in is
    refused for the organisation's people except `break_glass` (a leader kept able to sign in
    when the provider is down). `join_domain`: people with a verified address at this domain
    who are not members yet join as staff on their first sign-in.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    enabled = models.BooleanField(default=True)
    issuer = models.URLField("issuer URL")
    client_id = models.CharField(max_length=200)
    # Sealed under a key derived from SECRET_KEY (sealing.py): a database copy keeps it secret.
    client_secret = SealedTextField(max_length=300)
    required = models.BooleanField(
        "require single sign-on",
        default=False,
        help_text="Refuse passwords for this organisation's people (but the break-glass leader).",
    )
    break_glass = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="break-glass leader",
        help_text="May still sign in with a password when single sign-on is required.",
    )
    join_domain = models.CharField(
        "e-mail domain that may join",
        max_length=200,
        blank=True,
        help_text="e.g. example.com: new people of this domain join as staff on first sign-in.",
    )
    authorization_endpoint = models.URLField(blank=True)
    token_endpoint = models.URLField(blank=True)
    userinfo_endpoint = models.URLField(blank=True)
    jwks_uri = models.URLField(blank=True)
    discovered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"single sign-on of {self.organisation}"


class TotpDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238) for password sign-ins.

    `last_step` is the 30-second step of the last code accepted: a code is used once, so a
    code seen over someone's shoulder cannot be replayed in the same half-minute."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"authenticator of {self.user}"


class SignInPolicy(models.Model):
    """How an organisation's people sign in with a password: leaders need a second factor
    when `leaders_need_totp`."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_policy"
    )
    leaders_need_totp = models.BooleanField(
        "leaders must use an authenticator app",
        default=False,
        help_text="Leaders signing in with a password also enter a code from their phone.",
    )

    def __str__(self) -> str:
        return f"sign-in policy of {self.organisation}"


class SignUp(models.Model):
    """A self-service sign-up waiting for its e-mail address to be confirmed (signup.py).
    Rows also count recent sign-ups per address and per network address (the rate limit)."""

    organisation_name = models.CharField(max_length=200)
    email = models.EmailField()
    time_zone = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"sign-up of {self.organisation_name} by {self.email}"
