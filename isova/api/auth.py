"""Bearer tokens: a token acts as its person, in its organisation, with that person's role."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from isova.accounts.models import Membership

from .models import TOKEN_PREFIX, ApiToken, hash_secret
from .signals import VIA_API, via

# A token's "last used" is written at most this often (one UPDATE, not one per request).
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2 or not header[1].startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed(
                "Send one token: “Authorization: Bearer isova_…”."
            )
        token = (
            ApiToken.objects.usable()
            .select_related("user", "organisation")
            .filter(digest=hash_secret(header[1]), user__is_active=True)
            .first()
        )
        membership = token and (
            Membership.objects.select_related("organisation", "user")
            .filter(user_id=token.user_id, organisation_id=token.organisation_id)
            .first()
        )
        if token is None or membership is None:
            # Unknown, revoked, expired, or its person left the organisation.
            raise exceptions.AuthenticationFailed("This token is not valid (revoked or expired?).")
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The pages' permission functions read request.membership / request.organisation;
        # simple-history reads the user of the underlying Django request.
        for target in (request, request._request):
            target.membership = membership
            target.organisation = membership.organisation
        request._request.user = token.user
        timezone.activate(membership.organisation.tzinfo)
        via.set(VIA_API)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class TokenScope(permissions.BasePermission):
    """A read token reads; writing needs a read-and-write token."""

    message = "This token may only read: make a read-and-write token to change data."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.can_write


class TokenSchema(OpenApiAuthenticationExtension):
    target_class = "isova.api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal or service token from your profile page (isova_…).",
        }
