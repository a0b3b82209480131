"""What the reviews app alerts about: a meeting coming (7 and 1 days before, to everyone
invited) and a review whose date passed without the meeting being held (to the chair)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from isova.models import Organisation
from isova.registry import Alert

from .models import Attendance, Review

REMINDER_DAYS = (7, 1)


def alerts(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    """Reminders and overdue reviews (2 queries)."""
    days = [today + datetime.timedelta(days=n) for n in REMINDER_DAYS]
    invited = (
        Attendance.objects.filter(
            review__organisation=organisation,
            review__status="planned",
            review__meeting_date__in=days,
        )
        .select_related("review", "user")
        .order_by("review_id", "user_id")
    )
    for row in invited:
        review = row.review
        when = (review.meeting_date - today).days
        yield Alert(
            recipient=row.user,
            kind="review_upcoming",
            key=f"review:{review.pk}:{when}",
            subject=f"Management review in {when} day{'s' if when > 1 else ''}: {review.title}",
            body=(
                f"{review.title} is on {review.meeting_date:%A %d %B %Y} at "
                f"{review.start_time:%H:%M}{' in ' + review.location if review.location else ''}.\n"
                "The inputs pack is ready to read and comment on."
            ),
            url=review.get_absolute_url(),
        )
    for review in Review.objects.for_org(organisation).overdue(today).select_related("chair"):
        yield Alert(
            recipient=review.chair,
            kind="review_overdue",
            key=f"review:{review.pk}",
            subject=f"Management review overdue: {review.title}",
            body=(
                f"{review.title} was planned for {review.meeting_date:%d %B %Y} and has not "
                "been held. Hold it (the pack is frozen then) or plan a new date."
            ),
            url=review.get_absolute_url(),
        )
