"""Reviews in the alerts extras: invited people hear at once, the weekly briefing names the
next review and open decisions, and invited people find the review in their calendar feed."""

import datetime

import icalendar
from django.core import mail

from isova.models import Notification
from reviews import alerts, services
from reviews.models import OutputKind
from tests.conftest import client_for, membership_of

from .conftest import hold_and_discuss, plan_review


def test_everyone_invited_to_a_planned_review_is_told_except_whoever_planned_it(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = plan_review(org, days_ahead=20, title="Q3 management review")
    invited = Notification.objects.filter(kind="review_invited")
    assert {n.recipient for n in invited} == {org.leader, org.staff}
    assert {m.to[0] for m in mail.outbox} == {org.leader.email, org.staff.email}
    body = next(m.body for m in mail.outbox if m.to == [org.staff.email])
    when = org.organisation.format_date(review.meeting_date)
    assert "Acme Manager invited you to attend a management review" in body
    assert "What: Q3 management review" in body and f"When: {when} at 10:00" in body
    leader_body = next(m.body for m in mail.outbox if m.to == [org.leader.email])
    assert "invited you to chair a management review" in leader_body
    assert all(n.url == review.get_absolute_url() for n in invited)


def test_the_briefing_names_the_next_review_overdue_ones_and_open_decisions(org):
    today = org.organisation.today()
    assert alerts.briefing(org.organisation, today - datetime.timedelta(days=7), today) == [
        "No management review planned (/reviews/)"
    ]
    held = hold_and_discuss(org, plan_review(org, title="Last quarter"))
    services.output_add(
        membership=membership_of(org.manager, org.organisation),
        review=held,
        kind=OutputKind.IMPROVEMENT,
        decision="Second shift planner",
        owner=org.staff,
        due_date=today + datetime.timedelta(days=30),
    )
    late = plan_review(org, days_ahead=0, title="Missed one")
    late.meeting_date = today - datetime.timedelta(days=3)
    late.save()
    plan_review(org, days_ahead=40, title="Later one")
    plan_review(org, days_ahead=12, title="Next one")
    lines = alerts.briefing(org.organisation, today - datetime.timedelta(days=7), today)
    on = org.organisation.format_date
    assert lines[0].startswith(f"Overdue: Missed one, planned for {on(late.meeting_date)}")
    assert any(line.startswith("Next management review: Next one on ") for line in lines)
    assert not any("Later one" in line for line in lines)
    assert "1 review decision still being carried out (/reviews/)" in lines


def test_a_planned_review_is_in_the_calendar_of_everyone_invited_only(org, other_org):
    review = plan_review(org, days_ahead=15, title="Q4 review")
    held = hold_and_discuss(org, plan_review(org, title="Held already"))
    events = list(alerts.calendar(membership_of(org.staff, org.organisation)))
    assert [(e.uid, e.day, e.summary) for e in events] == [
        (f"review-{review.pk}", review.meeting_date, "Management review: Q4 review")
    ]
    assert held.pk not in [int(e.uid.split("-")[1]) for e in events]
    assert list(alerts.calendar(membership_of(org.auditor, org.organisation))) == []
    assert list(alerts.calendar(membership_of(other_org.leader, other_org.organisation))) == []
    client = client_for(org.staff)
    client.post("/calendar/", {"do": "issue"})
    feed = membership_of(org.staff, org.organisation).calendar_feed
    ics = icalendar.Calendar.from_ical(client.get(f"/calendar/{feed.token}.ics").content)
    summaries = [str(e["SUMMARY"]) for e in ics.walk("VEVENT")]
    assert "Management review: Q4 review" in summaries
