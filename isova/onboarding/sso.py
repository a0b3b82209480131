"""Single sign-on with OpenID Connect, one provider per organisation, on mozilla-django-oidc.

mozilla-django-oidc reads one provider from settings; here its backend and views are
subclassed to read the organisation's own (SingleSignOn, endpoints from discovery), and the
organisation travels with the `state` in the session. It checks state (one use) and nonce;
on top of it this module checks the ID token's issuer, audience, expiry and, for a fresh
sign-in (`reauthenticate`), its `auth_time`.

A person is matched by their verified e-mail address to a membership of that organisation;
with `join_domain`, a verified address of that domain joins as staff.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode, urlparse

import jwt
import requests
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from isova.accounts import tenancy
from isova.errors import DomainError
from isova.models import Membership, Organisation, Role, User

from . import invitations
from .invitations import event
from .models import PeopleEventKind, SingleSignOn

TIMEOUT = 10
SESSION = "isova_sso"  # state -> {"org", "purpose", "started", "next", "user"}
REAUTH_SESSION = "isova_sso_reauth"  # {"user", "at", "binding", "provider"}
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
SKEW = 60  # seconds of clock difference tolerated with the provider


class SingleSignOnError(DomainError):
    """Sign-in through the provider did not work; the message says why, for the person."""


def discover(config: SingleSignOn) -> SingleSignOn:
    """Read the issuer's .well-known/openid-configuration into `config` (not saved)."""
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ValidationError(f"Could not read {url}: {error}") from None
    if document.get("issuer", "").rstrip("/") != config.issuer.rstrip("/"):
        raise ValidationError(
            f"The provider calls itself {document.get('issuer')!r}, not {config.issuer!r}."
        )
    try:
        config.authorization_endpoint = document["authorization_endpoint"]
        config.token_endpoint = document["token_endpoint"]
        config.userinfo_endpoint = document.get("userinfo_endpoint", "")
        config.jwks_uri = document["jwks_uri"]
    except KeyError as missing:
        raise ValidationError(f"The discovery document has no {missing}.") from None
    config.discovered_at = timezone.now()
    return config


class OrganisationBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow against one organisation's provider. It is never in
    AUTHENTICATION_BACKENDS: the callback view calls it, then signs the person in with the
    model backend (the session remembers it was single sign-on)."""

    def __init__(
        self,
        config: SingleSignOn,
        *,
        purpose: str,
        started: float,
        user_id: Any,
        invitation: str = "",
    ):
        self.config = config
        self.invitation = invitation
        self.purpose = purpose
        self.started = started
        self.expected_user = user_id
        self.OIDC_OP_TOKEN_ENDPOINT = config.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = config.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = config.jwks_uri
        self.OIDC_RP_CLIENT_ID = config.client_id
        self.OIDC_RP_CLIENT_SECRET = config.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = User
        self.claims: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:
        own = {
            "OIDC_AUTHENTICATION_CALLBACK_URL": "onboarding:sso_callback",
            "OIDC_TIMEOUT": TIMEOUT,
            "OIDC_USE_NONCE": True,
            "OIDC_CREATE_USER": False,
            "OIDC_RP_SCOPES": "openid email profile",
        }
        if attr in own:
            return own[attr]
        return super().get_settings(attr, *args)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The library checks signature, algorithm and expiry; add issuer and audience."""
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.config.client_id,
                issuer=self.config.issuer.rstrip("/"),
                leeway=SKEW,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload = super().verify_token(token, **kwargs)
        except (KeyError, TypeError, ValueError, jwt.PyJWTError) as error:
            # A token without a key id, or not a JWT at all: the library does not expect it.
            raise SuspiciousOperation(f"ID token refused: {error!r}") from None
        if self.purpose == "reauth":
            # A fresh sign-in: the provider must have asked for credentials after we asked.
            auth_time = payload.get("auth_time")
            if not isinstance(auth_time, int) or auth_time + SKEW < self.started:
                raise SuspiciousOperation("The provider did not ask for a fresh sign-in.")
        self.claims = payload
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User | None:
        claims = dict(payload)
        if self.config.userinfo_endpoint:
            claims.update(self.get_userinfo(access_token, id_token, payload))
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about someone else.")
        email = str(claims.get("email") or "").strip().lower()
        if not email or claims.get("email_verified") is not True:
            raise SingleSignOnError(
                "Your provider did not confirm a verified e-mail address: ask your "
                "administrator to verify it."
            )
        if self.invitation:
            try:
                return invitations.accept_by_provider(
                    self.invitation,
                    organisation_id=self.config.organisation_id,
                    email=email,
                    full_name=str(claims.get("name") or ""),
                )
            except invitations.InvalidInvitation as error:
                raise SingleSignOnError(error.message) from None
        return match_or_join(self.config, email, claims, purpose=self.purpose)


def match_or_join(config: SingleSignOn, email: str, claims: dict, *, purpose: str) -> User:
    organisation = config.organisation
    membership = (
        Membership.objects.select_related("user")
        .filter(organisation=organisation, user__email__iexact=email)
        .first()
    )
    if membership is not None:
        if not membership.user.is_active:
            raise SingleSignOnError("Your account is deactivated.")
        return membership.user
    domain = email.rpartition("@")[2]
    if purpose != "signin" or not config.join_domain or domain != config.join_domain.lower():
        raise SingleSignOnError(
            f"{email} is not a member of {organisation}: ask a leader to invite you."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, full_name=str(claims.get("name", "")))
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif not user.is_active:
            raise SingleSignOnError("Your account is deactivated.")
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": Role.STAFF}
        )
        event(
            organisation,
            PeopleEventKind.JOINED,
            email=email,
            person=user,
            actor=user,
            detail=f"as Staff, by single sign-on ({config.join_domain})",
        )
    return user


def _config(slug: str) -> SingleSignOn:
    return get_object_or_404(
        SingleSignOn.objects.select_related("organisation"),
        organisation__slug=slug,
        enabled=True,
        discovered_at__isnull=False,
    )


def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the browser to the organisation's provider. `?reauth=1` (signed in): a fresh
    sign-in (prompt=login, max_age=0), for signing, bound to `?binding=` (what was shown)."""
    config = _config(slug)
    reauth = request.GET.get("reauth") == "1"
    if reauth and not request.user.is_authenticated:
        return redirect("login")
    state = get_random_string(32)
    nonce = get_random_string(32)
    target = request.GET.get("next", "")
    from isova.http import safe_next

    flows = request.session.get(SESSION, {})
    # Keep the last few flows (parallel tabs), never an unbounded list.
    flows = dict(list(flows.items())[-4:])
    flows[state] = {
        "org": config.organisation_id,
        "purpose": "reauth" if reauth else "signin",
        "started": int(time.time()),
        "next": safe_next(request, "") if target else "",
        "user": request.user.pk if reauth else None,
        "binding": request.GET.get("binding", "")[:128] if reauth else "",
        "nonce": nonce,
        # Accepting an invitation by signing in at the provider ("sign in with your provider").
        "invitation": "" if reauth else request.GET.get("invitation", "")[:300],
    }
    request.session[SESSION] = flows
    params = {
        "response_type": "code",
        "scope": "openid email profile",
        "client_id": config.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("onboarding:sso_callback")),
        "state": state,
        "nonce": nonce,
    }
    if reauth:
        params.update({"prompt": "login", "max_age": "0"})
    return HttpResponseRedirect(f"{config.authorization_endpoint}?{urlencode(params)}")


def callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    flows = request.session.get(SESSION, {})
    flow = flows.pop(state, None)
    request.session[SESSION] = flows  # one use, whatever happens next
    if flow is None:
        return _refused(request, "This sign-in was not started here, or was already used.", None)
    if request.GET.get("error") or not request.GET.get("code"):
        return _refused(request, "The provider did not sign you in.", flow)
    config = (
        SingleSignOn.objects.select_related("organisation")
        .filter(organisation_id=flow["org"], enabled=True)
        .first()
    )
    if config is None:
        return _refused(request, "Single sign-on is no longer set up for this organisation.", flow)
    backend = OrganisationBackend(
        config,
        purpose=flow["purpose"],
        started=flow["started"],
        user_id=flow["user"],
        invitation=flow.get("invitation", ""),
    )
    try:
        user = backend.authenticate(request, nonce=flow["nonce"], code_verifier=None)
    except (SuspiciousOperation, requests.RequestException) as error:
        return _refused(request, f"Single sign-on failed: {error}", flow)
    except SingleSignOnError as error:
        return _refused(request, error.message, flow)
    if user is None:
        return _refused(request, "Single sign-on failed.", flow)
    if flow["purpose"] == "reauth":
        if user.pk != flow["user"] or request.user.pk != user.pk:
            return _refused(request, "You signed in at the provider as someone else.", flow)
        request.session[REAUTH_SESSION] = {
            "user": user.pk,
            "at": int(time.time()),
            "binding": flow["binding"],
            "provider": urlparse(config.issuer).hostname or "your provider",
        }
        return HttpResponseRedirect(flow["next"] or reverse("home"))
    auth.login(request, user, backend=PASSWORD_BACKEND)
    request.session["isova_auth"] = f"sso:{config.organisation_id}"
    request.session[tenancy.SESSION_KEY] = config.organisation_id
    return HttpResponseRedirect(flow["next"] or reverse("home"))


def _refused(request: HttpRequest, message: str, flow: dict | None) -> HttpResponse:
    messages.error(request, message)
    if flow and flow["purpose"] == "reauth" and request.user.is_authenticated:
        # Confirming a signature: back to the signing form, where the message shows.
        return HttpResponseRedirect(flow["next"] or reverse("home"))
    return redirect("login")


def password_refused(user: User) -> Organisation | None:
    """The organisation whose required single sign-on refuses this person's password (None:
    a password is fine). The break-glass leader of each such organisation is let through."""
    required = SingleSignOn.objects.filter(
        organisation__memberships__user=user, enabled=True, required=True
    ).select_related("organisation")
    for config in required:
        if config.break_glass_id != user.pk:
            return config.organisation
    return None


def providers_for(organisations: list[Organisation]) -> list[SingleSignOn]:
    return list(SingleSignOn.objects.filter(organisation__in=organisations, enabled=True))


__all__ = ["Organisation", "discover", "start", "callback", "password_refused"]
