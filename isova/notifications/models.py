"""Notifications, people's delivery preferences, alert state and calendar feeds."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from isova.accounts.models import Membership, Organisation, OrgQuerySet


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Waiting to go out in the person's daily digest e-mail (their preference for its kind).
    DIGEST = "digest", "In the daily digest"
    # Shown in the app only: the person turned e-mail off for its kind.
    IN_APP = "in_app", "In the app only"


class NotificationQuerySet(OrgQuerySet, models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)

    def failed(self) -> NotificationQuerySet:
        """E-mails given up on after the last attempt, newest first (for managers to see)."""
        return self.filter(status=NotificationStatus.FAILED).order_by("-failed_at", "-pk")

    def to_sweep(
        self, now: datetime.datetime, older_than: datetime.timedelta
    ) -> NotificationQuerySet:
        """Pending e-mails whose task gave up or whose claim expired (the worker died).

        Fewest attempts first, then oldest: rows that keep failing go to the back of the queue
        and end "failed", so they never starve the good ones.
        """
        return (
            self.filter(status=NotificationStatus.PENDING, sent_at=None, failed_at=None)
            .filter(created_at__lt=now - older_than)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .order_by("attempts", "created_at", "pk")
        )


class Notification(models.Model):
    """One message to one person, delivered in the app and by e-mail.

    `key` names what it is about (e.g. "action:42") and `window` when (a day, an ISO week, or
    a word for once-only alerts), so that the same event, scanned or queued twice, makes one
    row and one e-mail per organisation. Delivery claims the row with a lease
    (`claimed_until`), and writes `sent_at` only once the mail server has accepted it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    day = models.DateField()
    window = models.CharField(max_length=20, default="")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail that carried this one: its digest (status DIGEST until then), or the first of
    # several at-once alerts sent to the person together as one message.
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "recipient", "kind", "key", "window"],
                name="one_notification_per_event_window",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "created_at"]),
            # The sweep and /readyz read every organisation's pending rows: a small index of
            # only those.
            models.Index(
                fields=["organisation", "created_at"],
                condition=models.Q(status="pending"),
                name="notification_pending_idx",
            ),
            models.Index(fields=["organisation", "recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "Off"


class NotificationPreference(models.Model):
    """How one person wants one kind of notification e-mailed (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    mode = models.CharField(max_length=10, choices=NotificationMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class AlertState(models.Model):
    """The last state alerted about for one subject (e.g. an objective's RAG), so that an
    alert goes out once per crossing into a bad state, not every day it stays there."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject_key = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=40)
    changed_on = models.DateField()
    # The state before `changed_on`: a second scan on the same day sees the same change, so
    # the same data and day make the same notifications.
    previous = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subject_key", "kind"], name="one_alert_state_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.kind}: {self.state}"


class CalendarFeed(models.Model):
    """A person's private iCalendar address in one organisation; revoking deletes the row."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.membership}"


# --- records: versions, sign-offs and the approvable quality policy ----------------------
# The services live in isova/records/; these are the rows they write.
