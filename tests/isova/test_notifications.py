"""Notifications: one row per event, e-mailed once, through a real Celery worker and SMTP server."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

import isova.celery
from isova.actions import services as actions
from isova.models import Notification
from isova.notifications import services as notifications
from isova.tasks import deliver_notification
from tests.conftest import make_org, membership_of

from .conftest import make_action


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the rows, and delivery in-process ----------------------------------------------------------


def test_assigning_an_action_to_someone_else_makes_one_notification_and_one_email(
    org, django_capture_on_commit_callbacks
):
    manager = membership_of(org.manager, org.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        action = actions.action_create(
            membership=manager, title="Check the torque wrench", owner=org.staff
        )
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (org.staff, "action_assigned")
    assert notification.url == f"/actions/{action.pk}/"
    assert notification.sent_at is not None  # delivered by the (eager) task on commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.staff.email]
    assert message.subject == "[isova] New action for you: Check the torque wrench"
    assert (
        f"{django_settings.SITE_URL}/actions/{action.pk}/?org={org.organisation.slug}"
        in message.body
    )


def test_nothing_is_queued_before_the_transaction_commits(org, django_capture_on_commit_callbacks):
    manager = membership_of(org.manager, org.organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.action_create(membership=manager, title="Later", owner=org.staff)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_assigning_an_action_to_yourself_notifies_nobody(org):
    manager = membership_of(org.manager, org.organisation)
    actions.action_create(membership=manager, title="Mine", owner=org.manager)
    assert not Notification.objects.exists()


def test_reassigning_notifies_the_new_owner_and_other_edits_do_not(
    org, django_capture_on_commit_callbacks
):
    manager = membership_of(org.manager, org.organisation)
    action = make_action(org, owner=org.staff)
    with django_capture_on_commit_callbacks(execute=True):
        action = actions.action_update(
            membership=manager, action=action, version=1, title="Renamed"
        )
        action = actions.action_update(
            membership=manager, action=action, version=2, owner=org.auditor
        )
    assert [n.recipient for n in Notification.objects.all()] == [org.auditor]
    assert [m.to for m in mail.outbox] == [[org.auditor.email]]


def test_the_same_assignment_twice_on_one_day_makes_one_row(org):
    manager = membership_of(org.manager, org.organisation)
    action = make_action(org, owner=org.staff)
    action = actions.action_update(membership=manager, action=action, version=1, owner=org.auditor)
    action = actions.action_update(membership=manager, action=action, version=2, owner=org.staff)
    action = actions.action_update(membership=manager, action=action, version=3, owner=org.auditor)
    assert Notification.objects.filter(recipient=org.auditor).count() == 1


def test_delivering_the_same_notification_twice_sends_one_email(org):
    notification = notifications.notify(
        organisation=org.organisation,
        recipient=org.staff,
        kind="test",
        key="x:1",
        subject="Hello",
        body="Body",
    )
    assert notifications.deliver(notification.pk) is True
    assert notifications.deliver(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_delivery_gives_the_row_back_for_the_retry(org, settings):
    notification = notifications.notify(
        organisation=org.organisation,
        recipient=org.staff,
        kind="test",
        key="x:2",
        subject="Hello",
        body="Body",
    )
    # A real SMTP connection to a port where nothing listens: the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with pytest.raises(notifications.TransientDeliveryError):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts) == (None, 1)
    assert (notification.status, notification.claimed_until) == ("pending", None)
    assert "Connection refused" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == notifications.message_id(notification)


# --- a real worker, broker and mail server ----------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_inbox(settings) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[Celery]:
    """A real Celery worker (thread, solo pool) on Redis, with a queue of its own."""
    redis_url = os.environ["TEST_REDIS_URL"]
    queue = f"isova-test-{uuid.uuid4().hex}"
    app = Celery("isova-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        result_expires=120,
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
    )
    app.loader.import_module("celery.contrib.testing.tasks")  # the worker's ping task
    try:
        with start_worker(app, pool="solo", perform_ping_check=True):
            yield app
    finally:
        # start_worker made the test app the current one; give the project its app back.
        isova.celery.app.set_current()
        isova.celery.app.set_default()
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(match=f"*{queue}*"):
            server.delete(key)


@pytest.mark.redis
def test_an_assignment_email_arrives_through_the_worker_and_smtp_and_only_once(
    celery_worker, smtp_inbox
):
    org = make_org("Mailers")
    manager = membership_of(org.manager, org.organisation)
    action = actions.action_create(membership=manager, title="Seal the tank", owner=org.staff)

    messages = smtp_inbox.wait_for(1)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == org.staff.email
    assert message["Subject"] == "[isova] New action for you: Seal the tank"
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    link = f"{django_settings.SITE_URL}/actions/{action.pk}/?org={org.organisation.slug}"
    assert link in text
    assert f'href="{link.replace("&", "&amp;")}"' in html
    notification = Notification.objects.get()
    assert notification.sent_at is not None
    assert notification.sent_at <= timezone.now()

    # The broker redelivers the task (twice): the claimed row sends nothing more.
    for _ in range(2):
        result = deliver_notification.apply_async(args=[notification.pk])
        assert result.get(timeout=20) is False
    time.sleep(0.5)
    assert len(smtp_inbox.messages) == 1
    assert Notification.objects.get().attempts == 1
