"""Webhooks: deliveries made with the event, sent by Celery after commit, signed, at least
once and never again once a receiver accepted them.

`emit(organisation, event, data)` is called inside the write's transaction: the delivery rows
commit (or roll back) with the change, and the sending is queued on commit.
The core's own events (actions, sign-offs) are registered and wired at the bottom.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_init, post_save
from django.urls import reverse
from django.utils import timezone

from isova.accounts.models import Membership, Organisation, Role
from isova.actions.models import Action, ActionStatus
from isova.notifications import services as notifications
from isova.records.models import SignOff

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .registry import events, register_event

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Isova-Signature"
LEASE = datetime.timedelta(minutes=5)
USER_AGENT = "isova-webhooks/1"


class AddressRefused(ValueError):
    """The receiver's address is not one isova sends to (private network, not HTTPS)."""


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt `attempts` + 1: 30 s, 1 min, 2 min, … at most six hours (with the
    default WEBHOOK_RETRY_BASE_SECONDS of 30)."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`: the receiver recomputes it
    with the secret and refuses old timestamps (replays)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """The receiver's check (for tests and for receivers written in Python)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def check_address(url: str) -> list[str]:
    """The IP addresses `url` resolves to, or AddressRefused: HTTPS to public addresses only,
    unless settings.WEBHOOK_ALLOW_PRIVATE (development, tests)."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise AddressRefused("Webhook addresses must start with https://.")
    if not parts.hostname:
        raise AddressRefused("The address has no host name.")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"{parts.hostname} does not resolve ({error}).") from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allow_private and not ip.is_global:
            raise AddressRefused(
                f"{parts.hostname} resolves to {ip}, a private or loopback address: "
                "isova does not send webhooks inside its own network."
            )
    return addresses


# --- making deliveries ------------------------------------------------------------------


def payload(event: str, event_id: uuid.UUID, organisation: Organisation, data: dict) -> dict:
    return {
        "id": str(event_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "organisation": {"id": organisation.pk, "slug": organisation.slug},
        "data": data,
    }


def emit(
    organisation: Organisation,
    event: str,
    data: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
) -> list[int]:
    """Make one delivery per endpoint subscribed to `event`, queued for after commit.

    `event_id` given (a deterministic one, e.g. "overdue" for one action and due date) makes
    the event at most once per endpoint however often it is emitted."""
    if event not in events():
        raise ValueError(f"unknown webhook event {event!r}")
    event_id = event_id or uuid.uuid4()
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(organisation=organisation, is_active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    body = json.loads(
        json.dumps(payload(event, event_id, organisation, data), cls=DjangoJSONEncoder)
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event=event, event_id=event_id, payload=body)
            for e in endpoints
        ],
        ignore_conflicts=True,  # the same event id again (an overdue scan run twice)
    )
    ids = list(
        WebhookDelivery.objects.filter(
            endpoint__in=endpoints,
            event_id=event_id,
            replay_of=None,
            attempts=0,
            status=DeliveryStatus.PENDING,
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _queue(ids))
    return ids


def _queue(ids: list[int]) -> None:
    # By name: isova.api.tasks imports this module (no import cycle); the app's registry
    # still runs it in-process when tasks are eager (make run).
    for pk in ids:
        current_app.signature("isova.api.tasks.deliver", args=(pk,)).delay()


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again on a leader's request: a new row, the same event id."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        replay_of=delivery.replay_of or delivery,
    )
    transaction.on_commit(lambda: _queue([again.pk]))
    return again


# --- sending ----------------------------------------------------------------------------


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address checked, not to whatever the name resolves to a moment later."""

    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; every socket step times out (a hanging receiver costs
    WEBHOOK_TIMEOUT_SECONDS per step, never the worker)."""
    address = check_address(url)[0]
    parts = urlsplit(url)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(
        parts.hostname or "", address, port=parts.port, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
        return response.status
    finally:
        connection.close()


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            pk=delivery_id,
            status=DeliveryStatus.PENDING,
            delivered_at=None,
            next_attempt_at__lte=now + datetime.timedelta(seconds=2),
        ).update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )


def deliver(delivery_id: int) -> str:
    """Send one delivery if it can be claimed: "delivered", "retry", "failed" or "skipped"."""
    if not _claim(delivery_id):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, error="The endpoint is switched off.", claimed_until=None
        )
        return "failed"
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Isova-Event": delivery.event,
        "Isova-Event-Id": str(delivery.event_id),
        "Isova-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(endpoint.secret, int(time.time()), body),
    }
    started = time.monotonic()
    error, code = "", None
    try:
        code = post(endpoint.url, body, headers)
    except AddressRefused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    elapsed = int((time.monotonic() - started) * 1000)
    if code is not None and 200 <= code < 300:
        # One transaction: whoever sees the delivery done also sees the endpoint's failure
        # count reset (the log page and the switch-off rule read both).
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=timezone.now(),
                response_status=code,
                response_ms=elapsed,
                error="",
                claimed_until=None,
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return "delivered"
    error = error or f"The receiver answered {code}."
    return _failed(delivery, code, elapsed, error[:300])


def _failed(delivery: WebhookDelivery, code: int | None, elapsed: int, error: str) -> str:
    attempts = delivery.attempts
    final = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            response_status=code,
            response_ms=elapsed,
            error=error,
            # next_attempt_at keeps both the sweep and an early redelivered task from sending
            # it before the retry is due.
            claimed_until=None,
            next_attempt_at=timezone.now() + backoff(attempts),
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
    _maybe_switch_off(delivery.endpoint_id)
    return "failed" if final else "retry"


def _maybe_switch_off(endpoint_id: int) -> None:
    switched = WebhookEndpoint.objects.filter(
        pk=endpoint_id, is_active=True, consecutive_failures__gte=settings.WEBHOOK_DISABLE_AFTER
    ).update(
        is_active=False,
        disabled_at=timezone.now(),
        disabled_reason=f"Switched off after {settings.WEBHOOK_DISABLE_AFTER} failed "
        "deliveries in a row.",
    )
    if not switched:
        return
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    leaders = Membership.objects.filter(organisation=endpoint.organisation, role=Role.LEADER)
    for leader in leaders.select_related("user"):
        notifications.notify(
            organisation=endpoint.organisation,
            recipient=leader.user,
            kind="webhook_switched_off",
            key=f"webhook:{endpoint.pk}",
            subject=f"Webhook switched off: {endpoint.url}",
            body=f"{endpoint.disabled_reason} Check the receiver, then switch it on again.",
            url=reverse("api_webhooks"),
        )


def due_deliveries(now: datetime.datetime) -> list[int]:
    """Pending deliveries whose retry is due or whose claim expired (a worker died)."""
    return list(
        WebhookDelivery.objects.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)[:500]
    )


# --- the core's events ----------------------------------------------------------------------

CORE_EVENTS = {
    "action.created": "An action was created.",
    "action.assigned": "An action was given to another owner.",
    "action.completed": "An action was marked done.",
    "action.overdue": "An action passed its due date (once per action and due date).",
    "approval.signed": "A record was approved or rejected with a signature.",
}
for _name, _text in CORE_EVENTS.items():
    register_event(_name, _text)


def action_data(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "title": action.title,
        "status": action.status,
        "priority": action.priority,
        "due_date": action.due_date,
        "owner": {"id": action.owner_id},
        "url": settings.SITE_URL + reverse("action_detail", args=[action.pk]),
    }


Handler = Callable[[Any, bool, dict[str, Any]], None]


def watch(model: type[models.Model], fields: tuple[str, ...], handler: Handler) -> None:
    """Call `handler(instance, created, before)` after each save of `model`, `before` holding
    `fields` as they were when the row was loaded: services load, change and save, so this
    sees every move whichever page, import or API call made it, without a query."""

    def remember(sender: Any, instance: Any, **kwargs: Any) -> None:
        instance._webhook_was = {name: getattr(instance, name) for name in fields}

    def saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        before = getattr(instance, "_webhook_was", {})
        remember(sender, instance)
        handler(instance, created, before)

    uid = f"isova.api.watch.{model._meta.label_lower}.{handler.__module__}.{handler.__name__}"
    post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)


def _action_saved(action: Action, created: bool, before: dict[str, Any]) -> None:
    if created:
        emit(action.organisation, "action.created", action_data(action))
        return
    if before.get("owner_id") not in (None, action.owner_id):
        emit(action.organisation, "action.assigned", action_data(action))
    if before.get("status") != action.status and action.status == ActionStatus.DONE:
        emit(action.organisation, "action.completed", action_data(action))


def _signed(sender: Any, instance: SignOff, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    emit(
        instance.organisation,
        "approval.signed",
        {
            "record": instance.record_label,
            "version": instance.version_number,
            "meaning": instance.meaning,
            "signer": {"id": instance.signer_id, "name": instance.signer_name},
            "signed_at": instance.signed_at,
        },
    )


def emit_overdue() -> int:
    """Emit "action.overdue" for each overdue action of organisations with endpoints for it, once
    per action and due date (the event id is derived from both)."""
    sent = 0
    subscribed = WebhookEndpoint.objects.filter(is_active=True).values_list(
        "organisation_id", "events"
    )
    org_ids = {org for org, names in subscribed if "action.overdue" in names}
    for organisation in Organisation.objects.filter(pk__in=org_ids):
        today = organisation.today()
        for action in (
            Action.objects.for_org(organisation).overdue(today).select_related("organisation")
        ):
            event_id = uuid.uuid5(
                uuid.NAMESPACE_URL, f"isova:overdue:{action.pk}:{action.due_date}"
            )
            with transaction.atomic():
                sent += len(
                    emit(organisation, "action.overdue", action_data(action), event_id=event_id)
                )
    return sent


watch(Action, ("owner_id", "status"), _action_saved)
post_save.connect(_signed, sender=SignOff, dispatch_uid="isova.api.signed")


def subscribed(organisation_id: int, event: str) -> bool:
    """Whether any active endpoint of the organisation hears `event` (one query)."""
    return any(
        event in names
        for names in WebhookEndpoint.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).values_list("events", flat=True)
    )
