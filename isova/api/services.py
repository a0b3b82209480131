"""Making and revoking tokens, registering webhook endpoints, replaying deliveries."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from isova.accounts.tenancy import has_perm
from isova.errors import DomainError

from . import webhooks
from .models import ApiToken, Scope, TokenKind, WebhookDelivery, WebhookEndpoint
from .registry import events


class ApiError(DomainError):
    """A token or webhook request the rules refuse; the message is for the user."""


@transaction.atomic
def token_create(
    *,
    membership,
    name: str,
    scope: str,
    expires_in_days: int | None,
    kind: str = TokenKind.PERSONAL,
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once: only its SHA-256 is kept)."""
    if kind == TokenKind.SERVICE and not has_perm(membership, "isova.service_token.manage"):
        raise PermissionDenied("Only leaders make service tokens for the organisation.")
    if scope not in Scope.values:
        raise ApiError(f"“{scope}” is not a scope.")
    if expires_in_days is not None and not 1 <= expires_in_days <= settings.API_TOKEN_MAX_DAYS:
        raise ApiError(f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days.")
    secret = ApiToken.new_secret()
    token = ApiToken(
        organisation=membership.organisation,
        user=membership.user,
        kind=kind,
        name=name.strip() or "Token",
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days)
        if expires_in_days
        else None,
    )
    token.set_secret(secret)
    token.save()
    return token, secret


def tokens_visible_to(membership):
    """My personal tokens here, and the organisation's service tokens for its leaders."""
    mine = ApiToken.objects.filter(organisation=membership.organisation)
    personal = mine.filter(kind=TokenKind.PERSONAL, user=membership.user)
    if has_perm(membership, "isova.service_token.manage"):
        return personal | mine.filter(kind=TokenKind.SERVICE)
    return personal


@transaction.atomic
def token_revoke(*, membership, token: ApiToken) -> ApiToken:
    if not tokens_visible_to(membership).filter(pk=token.pk).exists():
        raise PermissionDenied("You can revoke only your own tokens.")
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def _require_webhooks(membership) -> None:
    if not has_perm(membership, "isova.webhook.manage"):
        raise PermissionDenied("Only leaders manage the organisation's webhooks.")


@transaction.atomic
def webhook_create(
    *, membership, url: str, event_names: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    _require_webhooks(membership)
    unknown = sorted(set(event_names) - set(events()))
    if unknown or not event_names:
        raise ApiError(
            "Choose at least one event" + (f" (unknown: {unknown})." if unknown else ".")
        )
    try:
        webhooks.check_address(url)
    except webhooks.AddressRefused as refused:
        raise ApiError(str(refused)) from None
    secret = WebhookEndpoint.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=membership.organisation,
        url=url,
        events=sorted(set(event_names)),
        secret=secret,
        description=description,
        created_by=membership.user,
    )
    return endpoint, secret


@transaction.atomic
def webhook_switch(*, membership, endpoint: WebhookEndpoint, on: bool) -> WebhookEndpoint:
    _require_webhooks(membership)
    endpoint.is_active = on
    if on:
        endpoint.consecutive_failures = 0
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
    else:
        endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), "Switched off by a leader."
    endpoint.save(
        update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
    )
    return endpoint


@transaction.atomic
def webhook_delete(*, membership, endpoint: WebhookEndpoint) -> None:
    _require_webhooks(membership)
    endpoint.delete()


@transaction.atomic
def delivery_replay(*, membership, delivery: WebhookDelivery) -> WebhookDelivery:
    _require_webhooks(membership)
    if not delivery.endpoint.is_active:
        raise ApiError("Switch the endpoint on before sending to it again.")
    return webhooks.replay(delivery)
