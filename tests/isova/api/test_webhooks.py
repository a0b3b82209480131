"""Webhooks: signed, sent by a real Celery worker to a real receiver on loopback, retried,
never twice once accepted, and a hanging receiver does not hold the worker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.utils import timezone

from isova.actions import services as actions
from isova.api import services, tasks, webhooks
from isova.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from isova.models import Notification
from tests.conftest import client_for, make_org, membership_of
from tests.isova.conftest import make_action

from .receiver import Receiver, start

assert tasks.deliver.name == "isova.api.tasks.deliver"  # registered before the worker starts


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    hook = Receiver()
    server = start(hook)
    try:
        yield hook
    finally:
        hook.release.set()
        server.shutdown()
        server.server_close()


def endpoint_for(org, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    return services.webhook_create(
        membership=membership_of(org.leader, org.organisation), url=url, event_names=events
    )


def wait_until(check, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


# --- signatures -------------------------------------------------------------------------------


def test_a_signature_verifies_with_the_secret_and_nothing_else():
    body = b'{"id":"1"}'
    now = int(time.time())
    header = webhooks.sign("whsec_abc", now, body)
    assert webhooks.verify("whsec_abc", header, body)
    assert not webhooks.verify("whsec_other", header, body)
    assert not webhooks.verify("whsec_abc", header, body + b" ")
    assert not webhooks.verify("whsec_abc", header.replace(f"t={now}", f"t={now + 1}"), body)
    old = webhooks.sign("whsec_abc", now - 3600, body)
    assert not webhooks.verify("whsec_abc", old, body)
    assert not webhooks.verify("whsec_abc", "garbage", body)


# --- through the worker ---------------------------------------------------------------------


@pytest.mark.redis
def test_an_event_arrives_once_signed_and_is_never_sent_again_once_accepted(
    celery_worker,
    receiver,
):
    org = make_org("Hooks")
    _, secret = endpoint_for(org, receiver.url("/hook"), ["action.created", "action.completed"])
    manager = membership_of(org.manager, org.organisation)
    action = actions.action_create(membership=manager, title="Seal the tank", owner=org.staff)

    got = receiver.wait_for(1)
    assert len(got) == 1
    message = got[0]
    assert webhooks.verify(secret, message.headers["Isova-Signature"], message.body)
    assert message.json["event"] == "action.created"
    assert message.json["data"]["id"] == action.pk
    assert message.headers["Isova-Event-Id"] == message.json["id"]
    delivery = WebhookDelivery.objects.get()
    assert wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
    delivery.refresh_from_db()
    assert delivery.response_status == 200 and delivery.response_ms is not None
    # A redelivered task (the broker gave it out twice) finds it accepted and sends nothing.
    assert webhooks.deliver(delivery.pk) == "skipped"
    celery_worker.send_task("isova.api.tasks.deliver", args=[delivery.pk])
    time.sleep(1)
    assert len(receiver.received) == 1


@pytest.mark.redis
def test_a_receiver_error_is_retried_until_it_accepts(celery_worker, receiver):
    org = make_org("Retry")
    receiver.answers["/flaky"] = [500, 503, 200]
    endpoint_for(org, receiver.url("/flaky"), ["action.created"])
    actions.action_create(
        membership=membership_of(org.manager, org.organisation), title="Fix", owner=org.staff
    )
    got = receiver.wait_for(3, timeout=40)
    assert len(got) == 3
    assert len({r.headers["Isova-Event-Id"] for r in got}) == 1  # one event, three tries
    assert wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


@pytest.mark.redis
def test_a_hanging_receiver_does_not_hold_the_worker(celery_worker, receiver):
    org = make_org("Hang")
    receiver.answers["/slow"] = ["hang"]
    endpoint_for(org, receiver.url("/slow"), ["action.created"])
    endpoint_for(org, receiver.url("/fast"), ["action.created"])
    actions.action_create(
        membership=membership_of(org.manager, org.organisation), title="Go", owner=org.staff
    )
    # The one solo worker sends both; the fast one arrives while the slow one still hangs.
    fast = receiver.wait_for(1, path="/fast")
    assert len(fast) == 1
    assert not receiver.release.is_set()
    slow = WebhookDelivery.objects.get(endpoint__url__endswith="/slow")
    assert wait_until(lambda: WebhookDelivery.objects.get(pk=slow.pk).error != "")
    slow.refresh_from_db()
    assert "timed out" in slow.error.lower() or "timeout" in slow.error.lower()
    assert slow.delivered_at is None
    receiver.release.set()


# --- in-process (the worker's code path, called directly) ---------------------------------------


def test_a_private_address_is_refused_in_production(org, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    leader = membership_of(org.leader, org.organisation)
    for url in (
        "http://127.0.0.1:9650/x",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://10.0.0.8/x",
        "https://[::1]/x",
    ):
        with pytest.raises(services.ApiError):
            services.webhook_create(membership=leader, url=url, event_names=["action.created"])
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_to_an_address_now_private_is_not_sent(org, settings, receiver):
    endpoint_for(org, receiver.url("/hook"), ["action.created"])
    make_action(org)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "https://" in delivery.error  # plain http to loopback: refused before connecting
    assert receiver.received == []


def test_an_endpoint_that_keeps_failing_is_switched_off_and_leaders_told(org, settings, receiver):
    settings.WEBHOOK_DISABLE_AFTER = 2
    receiver.answers["/down"] = [500]
    endpoint, _ = endpoint_for(org, receiver.url("/down"), ["action.created"])
    make_action(org)
    make_action(org)
    for delivery in WebhookDelivery.objects.all():
        assert webhooks.deliver(delivery.pk) == "retry"
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "2 failed" in endpoint.disabled_reason
    notice = Notification.objects.get(kind="webhook_switched_off")
    assert notice.recipient == org.leader
    # Nothing more goes to it, and nothing new is made for it.
    make_action(org)
    assert WebhookDelivery.objects.count() == 2


def test_a_leader_replays_a_delivery_with_the_same_event_id(
    org, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(org, receiver.url("/hook"), ["action.created"])
    make_action(org)
    first = WebhookDelivery.objects.get()
    assert webhooks.deliver(first.pk) == "delivered"
    page = client_for(org.leader)
    with django_capture_on_commit_callbacks(execute=False):
        assert page.post(f"/account/api/webhooks/deliveries/{first.pk}/replay/").status_code == 302
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert again.event_id == first.event_id and again.replay_of == first
    assert webhooks.deliver(again.pk) == "delivered"
    ids = {r.headers["Isova-Event-Id"] for r in receiver.received}
    assert len(receiver.received) == 2 and ids == {str(first.event_id)}
    listing = page.get("/account/api/webhooks/").content.decode()
    assert str(first.event_id) in listing and "ms" in listing


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_manage_webhooks(org, other_org, role, receiver):
    assert client_for(org.user(role)).get("/account/api/webhooks/").status_code == 403
    endpoint_for(other_org, receiver.url("/x"), ["action.created"])
    make_action(other_org)
    theirs = WebhookDelivery.objects.get()
    page = client_for(org.leader)
    assert page.post(f"/account/api/webhooks/deliveries/{theirs.pk}/replay/").status_code == 404
    assert page.post(f"/account/api/webhooks/{theirs.endpoint_id}/delete/").status_code == 404
    assert WebhookDelivery.objects.count() == 1


def test_the_overdue_event_is_made_once_per_action_and_due_date(org, receiver):
    endpoint_for(org, receiver.url("/hook"), ["action.overdue"])
    action = make_action(org, due_date=org.organisation.today() - timezone.timedelta(days=2))
    assert webhooks.emit_overdue() == 1
    assert webhooks.emit_overdue() == 1  # the same row, still unsent: queued, not duplicated
    assert WebhookDelivery.objects.filter(event="action.overdue").count() == 1
    WebhookDelivery.objects.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    assert webhooks.emit_overdue() == 0
    action.due_date = org.organisation.today() - timezone.timedelta(days=1)
    action.save()
    assert webhooks.emit_overdue() == 1  # a new due date is a new event
