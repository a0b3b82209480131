"""What the reviews app alerts about: a meeting coming (7 and 1 days before, to everyone
invited) and a review whose date passed without the meeting being held (to the chair); the
reviews section of the leaders' weekly briefing; the reviews in each invited person's
calendar feed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse

from isova.models import Membership, Organisation
from isova.notifications.sources import alert_about
from isova.registry import Alert, CalendarEvent, registry

from .models import Attendance, Review, ReviewOutput, ReviewStatus

REMINDER_DAYS = (7, 1)


def alerts(organisation: Organisation, today: datetime.date) -> Iterator[Alert]:
    """Reminders and overdue reviews (2 queries).

    A reminder is a stage (within a week, by tomorrow) keyed by the person and the meeting
    date, not a message on one exact day: someone invited after the week's reminder went out
    gets it at the next scan, and a new date reminds again."""
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    invited = (
        Attendance.objects.filter(
            review__organisation=organisation,
            review__status="planned",
            review__meeting_date__gt=today,
            review__meeting_date__lte=horizon,
        )
        .select_related("review", "user")
        .order_by("review_id", "user_id")
    )
    for row in invited:
        review = row.review
        when = (review.meeting_date - today).days
        stage = min(d for d in REMINDER_DAYS if when <= d)
        yield alert_about(
            review,
            row.user,
            "review_upcoming",
            f"Management review in {when} day{'s' if when > 1 else ''}: {review.title}",
            f"{review.title} is on {review.meeting_date:%A %d %B %Y} at "
            f"{review.start_time:%H:%M}{' in ' + review.location if review.location else ''}.\n"
            "The inputs pack is ready to read and comment on.",
            key=f":{review.meeting_date}:within:{stage}",
            window="once",
        )
    for review in Review.objects.for_org(organisation).overdue(today).select_related("chair"):
        yield alert_about(
            review,
            review.chair,
            "review_overdue",
            f"Management review overdue: {review.title}",
            f"{review.title} was planned for {review.meeting_date:%d %B %Y} and has not "
            "been held. Hold it (the pack is frozen then) or plan a new date.",
        )


def briefing(organisation: Organisation, since: datetime.date, today: datetime.date) -> list[str]:
    """The next management review (or the overdue ones) and open review outputs (3 queries)."""
    reviews = Review.objects.for_org(organisation)
    lines = []
    for review in reviews.overdue(today).order_by("meeting_date", "pk"):
        lines.append(
            f"Overdue: {review.title}, planned for {organisation.format_date(review.meeting_date)}"
            f" ({review.get_absolute_url()})"
        )
    upcoming = reviews.upcoming(today).first()
    if upcoming is not None:
        lines.append(
            f"Next management review: {upcoming.title} on "
            f"{organisation.format_date(upcoming.meeting_date)} ({upcoming.get_absolute_url()})"
        )
    if not lines:
        lines.append(f"No management review planned ({reverse('reviews:index')})")
    outputs = ReviewOutput.objects.for_org(organisation).open().count()
    if outputs:
        lines.append(
            f"{outputs} review decision{'s' if outputs != 1 else ''} still being carried out "
            f"({reverse('reviews:index')})"
        )
    return lines


def calendar(membership: Membership) -> Iterator[CalendarEvent]:
    """Planned reviews the person is invited to, the chair included (one query)."""
    reviews = (
        Review.objects.for_org(membership.organisation)
        .filter(status=ReviewStatus.PLANNED, attendances__user_id=membership.user_id)
        .order_by("meeting_date", "pk")
    )
    for review in reviews:
        where = f" in {review.location}" if review.location else ""
        yield CalendarEvent(
            uid=f"review-{review.pk}",
            day=review.meeting_date,
            summary=f"Management review: {review.title}",
            url=review.get_absolute_url(),
            description=f"At {review.start_time:%H:%M} ({review.duration_minutes} minutes){where}.",
        )


registry.register("alerts", alerts, name="reviews")
