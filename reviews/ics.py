"""A calendar invitation (RFC 5545) for a review, written by hand: escaped text, CRLF lines,
long lines folded at 75 octets (the core calendar feed's `escape` and `fold`)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from isova.notifications.calendar import escape, fold

from .models import Review


def _param(value: str) -> str:
    """A parameter value (CN=…): quoted, without the quotes and newlines it cannot hold."""
    cleaned = value.replace('"', "").replace("\r", " ").replace("\n", " ")
    return f'"{cleaned}"'


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(review: Review, host: str, attendees: list[tuple[str, str]]) -> str:
    """VCALENDAR text for the review (start in the organisation's zone, given in UTC)."""
    start = datetime.datetime.combine(
        review.meeting_date, review.start_time, tzinfo=review.organisation.tzinfo
    )
    end = start + datetime.timedelta(minutes=review.duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//isova//management reviews//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:review-{review.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{escape(review.title)}",
        f"DESCRIPTION:{escape(review.agenda or 'Management review (ISO 9001 9.3)')}",
    ]
    if review.location:
        lines.append(f"LOCATION:{escape(review.location)}")
    chair = _param(review.chair.get_full_name())
    lines.append(f"ORGANIZER;CN={chair}:mailto:{review.chair.email}")
    for name, email in attendees:
        lines.append(f"ATTENDEE;CN={_param(name)};ROLE=REQ-PARTICIPANT:mailto:{email}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
