"""Notifications: one row per person and event and day, delivered in the app and by e-mail.

`notify` is called inside the service's transaction; the e-mail goes out through Celery only
once that transaction commits, and a delivery claims its row before sending so that a task
delivered twice sends once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, Organisation, User

log = logging.getLogger(__name__)


def notify(
    *,
    organisation: Organisation,
    recipient: User,
    kind: str,
    key: str,
    subject: str,
    body: str,
    url: str = "",
) -> Notification | None:
    """Record a notification and queue its e-mail; None if this one was already made today."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                organisation=organisation,
                recipient=recipient,
                kind=kind,
                key=key,
                day=organisation.today(),
                subject=subject[:200],
                body=body,
                url=url,
            )
    except IntegrityError:
        return None
    from .tasks import deliver_notification

    transaction.on_commit(lambda: deliver_notification.delay(notification.pk))
    return notification


def deliver(notification_id: int) -> bool:
    """Send one notification's e-mail unless it was sent already. True if this call sent it."""
    claimed = Notification.objects.filter(pk=notification_id, sent_at=None).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
    try:
        send_mail(
            subject=f"[isova] {notification.subject}",
            message=f"{notification.body}\n{link}\n",
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        # Give the row back so that the retry can claim it again: nothing is lost.
        Notification.objects.filter(pk=notification_id).update(sent_at=None)
        raise
    finally:
        Notification.objects.filter(pk=notification_id).update(attempts=notification.attempts + 1)
    return True


def pending_ids(older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> list[int]:
    """Notifications still unsent some minutes after they were made (their task gave up)."""
    cutoff = timezone.now() - older_than
    return list(
        Notification.objects.filter(sent_at=None, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
