"""The calendar feed and the review invitation write RFC 5545 text the same way."""

import datetime

from isova.notifications import calendar
from tests.conftest import membership_of
from tests.factories import ActionFactory


def test_a_lone_carriage_return_in_a_description_never_breaks_a_feed_line(org):
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        title="Oil the pump",
        description="First\rsecond",
        due_date=org.organisation.today() + datetime.timedelta(days=3),
    )
    text = calendar.ics(membership_of(org.staff, org.organisation), "http://isova.test")
    assert "\r" not in text.replace("\r\n", "")
    assert "DESCRIPTION:First\\nsecond" in text


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    folded = calendar.fold("SUMMARY:" + "é" * 80)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p.removeprefix(" ") for p in parts) == "SUMMARY:" + "é" * 80
