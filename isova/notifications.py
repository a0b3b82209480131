"""Notifications: one row per person and event and day, delivered in the app and by e-mail.

`notify` is called inside the service's transaction; the e-mail goes out through Celery only
once that transaction commits, and a delivery claims its row before sending so that a task
delivered twice sends once.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

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


def notify_many(*, organisation: Organisation, alerts: Iterable[dict[str, Any]]) -> int:
    """Record many notifications at once (an alert scan); returns how many are new.

    Same outcome as `notify` for each, in three queries instead of a transaction per row:
    today's existing (recipient, kind, key) are read once, the new rows inserted in one
    statement, their e-mails queued after commit. Should a concurrent scan insert the same
    row first, the batch falls back to `notify` one by one, which skips duplicates.
    """
    day = organisation.today()
    wanted: dict[tuple[int, str, str], dict[str, Any]] = {}
    for alert in alerts:
        wanted.setdefault((alert["recipient"].pk, alert["kind"], alert["key"]), alert)
    if not wanted:
        return 0
    existing = set(
        Notification.objects.filter(
            day=day, recipient_id__in={recipient for recipient, _, _ in wanted}
        ).values_list("recipient_id", "kind", "key")
    )
    rows = [
        Notification(
            organisation=organisation,
            recipient=alert["recipient"],
            kind=alert["kind"],
            key=alert["key"],
            day=day,
            subject=alert["subject"][:200],
            body=alert["body"],
            url=alert.get("url", ""),
        )
        for identity, alert in wanted.items()
        if identity not in existing
    ]
    try:
        with transaction.atomic():
            made = Notification.objects.bulk_create(rows)
    except IntegrityError:
        made = [
            n
            for alert in wanted.values()
            if (n := notify(organisation=organisation, **alert)) is not None
        ]
        return len(made)  # notify queued their e-mails
    from .tasks import deliver_notification

    ids = [n.pk for n in made]
    transaction.on_commit(lambda: [deliver_notification.delay(pk) for pk in ids])
    return len(made)


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
