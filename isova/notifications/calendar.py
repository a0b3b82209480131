"""A person's private iCalendar feed: what the core (their due actions) and the apps (audits
they lead or sit on; reviews later) register with `registry.register("calendar", ...)`
from their calendar.py.

Written by hand (RFC 5545 all-day events), so the feed needs no runtime dependency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from isova.accounts.models import Membership
from isova.registry import CalendarEvent, registry


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, ";" and "," escaped, every line break "\\n"."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """A content line of at most 75 octets a part; continuations follow CRLF and a space
    (RFC 5545 3.1), never splitting a UTF-8 character."""
    data = line.encode()
    parts: list[str] = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while (data[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


def _event(event: CalendarEvent, base_url: str, stamp: str, domain: str) -> Iterable[str]:
    url = f"{base_url}{event.url}" if event.url else ""
    description = "\n\n".join(p for p in (event.description, url) if p)
    yield "BEGIN:VEVENT"
    yield f"UID:{event.uid}@{domain}"
    yield f"DTSTAMP:{stamp}"
    yield f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}"
    yield f"DTEND;VALUE=DATE:{event.day + datetime.timedelta(days=1):%Y%m%d}"
    yield f"SUMMARY:{escape(event.summary)}"
    if description:
        yield f"DESCRIPTION:{escape(description)}"
    if url:
        yield f"URL:{url}"
    yield "END:VEVENT"


def ics(membership: Membership, base_url: str) -> str:
    domain = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "isova"
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//isova//calendar feed//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape(f'isova · {membership.organisation}')}",
    ]
    events: list[CalendarEvent] = []
    for _name, source in registry.calendar_sources():
        events.extend(source(membership))
    for event in events:
        lines.extend(_event(event, base_url, stamp, domain))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
