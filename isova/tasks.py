"""Celery tasks: thin wrappers around services, retried with backoff on transient errors."""

from __future__ import annotations

import smtplib

from celery import shared_task

from . import alerts, notifications


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> bool:
    return notifications.deliver(notification_id)


@shared_task
def scan_alerts() -> int:
    """Hourly (beat): make today's alerts for every organisation whose morning has come."""
    return alerts.scan_all()


@shared_task
def deliver_pending() -> int:
    """Every 15 minutes (beat): queue again what is still unsent, e.g. after an SMTP outage
    outlasted the task's retries. Delivery claims each row, so nothing is sent twice."""
    ids = notifications.pending_ids()
    for notification_id in ids:
        deliver_notification.delay(notification_id)
    return len(ids)
