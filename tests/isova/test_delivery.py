"""Delivery: nothing lost, nothing doubled, through a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import threading
import time
import zoneinfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import connection

from isova import tasks
from isova.actions import services as actions
from isova.models import Notification
from isova.notifications import alerts
from isova.notifications import services as notifications
from tests.conftest import client_for, membership_of
from tests.factories import ActionFactory, MembershipFactory, OrganisationFactory, UserFactory

from .test_notifications import Inbox, free_port

UTC = zoneinfo.ZoneInfo("UTC")
START = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def make(org, key="x:1", **kwargs):
    return notifications.notify(
        organisation=org.organisation,
        recipient=kwargs.pop("recipient", org.staff),
        kind="test",
        key=key,
        subject="Hello",
        body="Body",
        **kwargs,
    )


def use_smtp(settings, port: int, timeout: float = 2) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


class SlowInbox(Inbox):
    """Accepts the message, then answers later than the client waits: a timeout after DATA."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(2)
        return reply


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()


def test_a_worker_that_dies_between_claim_and_send_loses_nothing(org, smtp):
    with time_machine.travel(START, tick=False):
        notification = make(org)
        # The worker claimed the row, then died before sending: only the lease remains.
        assert notifications.claim(notification.pk, START)
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False):
        assert notifications.pending_ids() == []  # the claim still holds
        assert notifications.deliver(notification.pk) is False
    with time_machine.travel(START + datetime.timedelta(minutes=11), tick=False):
        assert notifications.pending_ids() == [notification.pk]
        assert tasks.deliver_pending.apply().get() == 1
        assert tasks.deliver_pending.apply().get() == 0
    assert len(smtp.wait_for(1)) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_smtp_down_then_up_loses_nothing_and_doubles_nothing(org, settings):
    port = free_port()
    with time_machine.travel(START, tick=False):
        first, second = make(org, "a"), make(org, "b")
        use_smtp(settings, port)  # nothing listens yet
        for notification in (first, second):
            with pytest.raises(notifications.TransientDeliveryError):
                notifications.deliver(notification.pk)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with time_machine.travel(START + datetime.timedelta(minutes=15), tick=False):
            assert tasks.deliver_pending.apply().get() == 2
            assert tasks.deliver_pending.apply().get() == 0
        messages = inbox.wait_for(1)
    finally:
        controller.stop()
    # Both rows are the same person's: they go out together, as the first one's message.
    assert [m["Message-ID"] for m in messages] == [notifications.message_id(first)]
    assert Notification.objects.filter(status="sent").count() == 2


def test_a_timeout_after_data_is_not_resent_at_once(org, settings):
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port, timeout=0.5)
    try:
        with time_machine.travel(START, tick=False):
            notification = make(org)
            assert notifications.deliver(notification.pk) is False  # outcome unknown
        notification.refresh_from_db()
        assert notification.status == "pending" and notification.claimed_until is not None
        assert "unknown" in notification.last_error
        with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
            assert notifications.pending_ids() == []
            assert tasks.deliver_notification.apply(args=[notification.pk]).get() is False
        assert len(inbox.wait_for(1)) == 1
    finally:
        controller.stop()


def test_a_message_whose_delivery_stays_unconfirmed_is_sent_a_bounded_number_of_times(
    org, settings
):
    """Issue 28.6: a server that times out after receiving each message used to get it again
    at every sweep, for ever (the unknown outcome never counted towards the limit)."""
    settings.ALERTS_MAX_ATTEMPTS = 3
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port, timeout=0.5)
    try:
        with time_machine.travel(START, tick=False):
            notification = make(org)
        for sweep in range(8):
            at = START + datetime.timedelta(minutes=20 * (sweep + 1))
            with time_machine.travel(at, tick=False):
                for pk in notifications.pending_ids():
                    assert notifications.deliver(pk) is False
        notification.refresh_from_db()
        assert notification.attempts == 3
        assert notification.status == "failed" and notification.failed_at is not None
        assert "unconfirmed" in notification.last_error
        assert len(inbox.wait_for(3)) == 3
        time.sleep(2.5)  # the slow server's last answers
        assert len(inbox.messages) == 3  # never more than the limit
        assert notification in Notification.objects.failed()  # shown for a person to check
    finally:
        controller.stop()


def test_failing_rows_end_failed_and_never_starve_good_ones(org, settings):
    settings.ALERTS_MAX_ATTEMPTS = 2
    use_smtp(settings, free_port())
    with time_machine.travel(START, tick=False):
        bad = [make(org, f"bad:{i}") for i in range(3)]
        for _ in range(2):
            for notification in bad:
                with contextlib.suppress(notifications.TransientDeliveryError):
                    notifications.deliver(notification.pk)
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        good = make(org, "good")
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        assert notifications.pending_ids() == [good.pk]
    assert set(Notification.objects.failed().values_list("pk", flat=True)) == {n.pk for n in bad}


def test_a_member_of_two_organisations_gets_a_message_from_each(db):
    person = UserFactory()
    scanned = []
    for name in ("One", "Two"):
        organisation = OrganisationFactory(name=name)
        MembershipFactory(organisation=organisation, user=person)
        ActionFactory(organisation=organisation, owner=person, due_date=datetime.date(2026, 6, 9))
        scanned.append(organisation)
    with time_machine.travel(START, tick=False):
        assert [alerts.scan(o) for o in scanned] == [1, 1]
    assert person.notifications.filter(kind="actions_due").count() == 2


def test_an_smtp_failure_in_process_never_turns_the_request_into_an_error(
    org, settings, django_capture_on_commit_callbacks
):
    use_smtp(settings, free_port())  # the mail server is down; tasks run eagerly
    client = client_for(org.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/actions/new/",
            {"title": "Mend the gate", "owner": org.staff.pk, "priority": "medium"},
        )
    assert response.status_code == 302
    notification = Notification.objects.get(kind="action_assigned")
    assert (notification.status, notification.sent_at, notification.attempts) == (
        "pending",
        None,
        1,
    )


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_one_message(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organisation = OrganisationFactory()
    owner = UserFactory()
    MembershipFactory(organisation=organisation, user=owner)
    ActionFactory(organisation=organisation, owner=owner, due_date=organisation.today())
    ActionFactory(
        organisation=organisation,
        owner=owner,
        due_date=organisation.today() + datetime.timedelta(days=1),
    )
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            alerts.scan(organisation)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Notification.objects.filter(kind="actions_due").count() == 1
    assert Notification.objects.filter(kind="daily_digest").count() == 1
    assert len(mail.outbox) == 1


def test_run_alerts_scans_one_organisation_on_a_given_date(org, other_org, capsys, settings):
    ActionFactory(
        organisation=org.organisation, owner=org.staff, due_date=datetime.date(2026, 6, 11)
    )
    settings.SITE_URL = "https://qms.example.org"
    call_command("run_alerts", organisation=org.organisation.slug, date="2026-06-10")
    out = capsys.readouterr().out
    assert f"{org.organisation.slug}: 1 new" in out
    assert "Links in e-mails point to https://qms.example.org" in out
    assert Notification.objects.get(kind="actions_due").day == datetime.date(2026, 6, 10)


def test_assigning_through_the_service_queues_on_commit_only(
    org, django_capture_on_commit_callbacks
):
    manager = membership_of(org.manager, org.organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.action_create(membership=manager, title="Later", owner=org.staff)
    assert len(callbacks) == 1 and mail.outbox == []


def test_retries_back_off_from_half_a_minute_to_an_hour():
    assert [tasks.backoff(n) for n in (0, 1, 2, 6, 7, 20)] == [30, 60, 120, 1920, 3600, 3600]


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_row_at_once_send_one_email(smtp):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    organisation = OrganisationFactory()
    person = UserFactory()
    MembershipFactory(organisation=organisation, user=person)
    # made directly: notify() would deliver it on commit (eagerly) before the race
    notification = Notification.objects.create(
        organisation=organisation,
        recipient=person,
        kind="test",
        key="k",
        day=organisation.today(),
        window="w",
        subject="S",
        body="B",
    )
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(notifications.deliver(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(smtp.wait_for(1)) == 1
    time.sleep(0.3)
    assert len(smtp.messages) == 1


def test_a_scan_queues_its_deliveries_a_hundred_to_a_task_and_each_is_sent_once(org, smtp):
    from isova.celery import app as celery_app

    ids = [make(org, key=f"batch:{i}").pk for i in range(250)]
    Notification.objects.filter(pk__in=ids).update(status="pending", sent_at=None)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # to the in-memory broker, as a real scan does
    try:
        with celery_app.connection_for_write() as conn:
            queue = conn.SimpleQueue(celery_app.conf.task_default_queue)
            queue.clear()
            notifications.queue_delivery(ids)
            batches = []
            with contextlib.suppress(queue.Empty):
                while True:
                    message = queue.get(timeout=0.2)
                    batches.append(message.payload[0][0])
                    message.ack()
            queue.close()
    finally:
        celery_app.conf.task_always_eager = eager
    assert [len(b) for b in batches] == [100, 100, 50]
    # One person's rows go out bundled, BUNDLE_MAX to an e-mail: 250 rows, 3 e-mails.
    sent = sum(tasks.deliver_notifications.apply(args=(batch,)).get() for batch in batches)
    assert sent == len(smtp.messages) == 3 == -(-250 // notifications.BUNDLE_MAX)
    assert tasks.deliver_notifications.apply(args=(batches[0],)).get() == 0  # already sent
    assert Notification.objects.filter(pk__in=ids, status="sent").count() == 250
    # Each sent row names the message that carried it: its own, or its bundle's first row's.
    received = {m["Message-ID"] for m in smtp.messages}
    carriers = {
        notifications.message_id(row.digest or row)
        for row in Notification.objects.filter(pk__in=ids).select_related("digest")
    }
    assert carriers == received and len(received) == 3
