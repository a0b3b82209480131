"""Celery tasks: thin wrappers around services, retried with backoff on transient errors."""

from __future__ import annotations

import smtplib

from celery import shared_task

from . import notifications


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> bool:
    return notifications.deliver(notification_id)
