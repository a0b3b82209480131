"""Celery tasks: thin wrappers around services, retried with backoff on transient errors."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from isova.imports import services as imports
from isova.notifications import alerts
from isova.notifications import services as notifications

log = logging.getLogger(__name__)


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: 30 s, 1 min, 2 min, … at most an hour."""
    return int(min(30 * 2**retries, 3600))


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_notification(self: Task, notification_id: int) -> bool:
    """Send one notification. The row counts its attempts and turns "failed" after the last
    (ALERTS_MAX_ATTEMPTS), so the task retries until the row says stop."""
    try:
        return notifications.deliver(notification_id)
    except notifications.TransientDeliveryError as error:
        if self.request.is_eager:
            # In-process (make run): never retry inside the user's request; the row stays
            # pending and the sweep sends it.
            return False
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


@shared_task(bind=True, acks_late=True)
def deliver_notifications(self: Task, notification_ids: list[int]) -> int:
    """Send a batch queued together (`notifications.queue_delivery`), each as
    `deliver_notification` would; one that fails for now is handed to `deliver_notification`
    alone, which retries it with backoff. Returns how many this call sent."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notifications.deliver(notification_id)
        except notifications.TransientDeliveryError:
            if self.request.is_eager:
                continue  # in-process: never retry inside the request; the sweep sends it
            try:
                deliver_notification.apply_async(args=(notification_id,), countdown=backoff(0))
            except Exception:
                # The row stays pending: the sweep (deliver_pending) sends it.
                log.exception("could not queue notification %s again", notification_id)
    return sent


@shared_task
def scan_alerts() -> int:
    """Hourly (beat): make today's alerts for every organisation whose morning has come."""
    return alerts.scan_all()


@shared_task
def deliver_pending() -> int:
    """Every 15 minutes (beat): queue again what is still unsent, e.g. after an SMTP outage
    outlasted the task's retries or a worker died holding a claim. Delivery claims each
    row, so nothing is sent twice."""
    ids = notifications.pending_ids()
    notifications.queue_delivery(ids)
    return len(ids)


@shared_task(acks_late=True)
def import_upload(upload_id: int) -> str:
    """Import one started upload (the web flow's last step), all rows or none; its progress
    goes to the "progress" cache. Delivered twice, the second run finds it done."""
    return imports.upload_import(upload_id=upload_id)
