"""Webhook tasks: thin, as every task (the work is in isova.api.webhooks)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import webhooks


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver(self: object, delivery_id: int) -> str:
    """Send one delivery; on failure, the task is queued again when the retry is due."""
    outcome = webhooks.deliver(delivery_id)
    if outcome == "retry" and not getattr(self.request, "is_eager", False):  # type: ignore[attr-defined]
        pending = webhooks.WebhookDelivery.objects.get(pk=delivery_id)
        delay = 1 + max(0, int((pending.next_attempt_at - timezone.now()).total_seconds()))
        deliver.apply_async((delivery_id,), countdown=delay)
    return outcome


@shared_task
def sweep() -> int:
    """Queue what is due again (retries, expired claims) and the day's overdue events."""
    webhooks.emit_overdue()
    due = webhooks.due_deliveries(timezone.now())
    for pk in due:
        deliver.delay(pk)
    return len(due)
