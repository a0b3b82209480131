"""Signing with a fresh sign-in at the organisation's provider instead of the password: what
the signing forms offer (registry hook "signing"; isova.records reads it, never imports us).

Offered to people of an organisation with single sign-on who signed in through it; required
(no password field) when the organisation requires single sign-on of them or they have no
password at all. The fresh sign-in itself is sso.start(?reauth=1) and sso.callback, which
leave it in the session; the records layer judges it (isova.records.chain.check_proof).
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

from django.urls import reverse

from isova.accounts.tenancy import OrgRequest
from isova.records.chain import REAUTH_MAX_AGE, ProviderSignIn
from isova.registry import SigningOffer, SigningProvider, registry

from .models import SingleSignOn
from .sso import REAUTH_SESSION


def provider_label(config: SingleSignOn) -> str:
    """How the forms name the provider: its issuer's host (login.microsoftonline.com)."""
    return urlparse(config.issuer).hostname or "your provider"


def offer(request: OrgRequest) -> SigningOffer | None:
    organisation, user = request.organisation, request.user
    through_sso = request.session.get("isova_auth") == f"sso:{organisation.pk}"
    if not str(request.session.get("isova_auth", "")).startswith("sso:") and (
        user.has_usable_password()
    ):
        # Signed in with their password, so it stands for signing too (no query: the
        # pages of most people keep their budgets). Required single sign-on refuses the
        # password at the next sign-in.
        return None
    config = SingleSignOn.objects.filter(
        organisation=organisation, enabled=True, discovered_at__isnull=False
    ).first()
    if config is None:
        return None
    required = (config.required and config.break_glass_id != user.pk) or (
        not user.has_usable_password()
    )
    if not (required or through_sso):
        return None
    done = request.session.get(REAUTH_SESSION) or {}
    fresh = done.get("user") == user.pk and time.time() - done.get("at", 0) <= REAUTH_MAX_AGE
    return SigningOffer(
        provider=provider_label(config),
        start_url=reverse("onboarding:sso_start", args=[organisation.slug]) + "?reauth=1",
        required=required,
        confirmed=str(done.get("binding", "")) if fresh else "",
    )


def take(request: OrgRequest) -> ProviderSignIn | None:
    """The fresh sign-in the callback left in the session, removed: it signs once."""
    done = request.session.pop(REAUTH_SESSION, None)
    if not isinstance(done, dict):
        return None
    return ProviderSignIn(
        user_id=int(done.get("user") or 0),
        at=float(done.get("at", 0)),
        binding=str(done.get("binding", "")),
        provider=str(done.get("provider") or "your provider"),
    )


registry.register("signing", SigningProvider(name="single_sign_on", offer=offer, take=take))
