"""A review has a planned date and a held date; pages show the one that is true."""

import datetime

import time_machine

from reviews.models import Review

from .conftest import hold_and_discuss, plan_review

HELD_AT = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)


def test_a_review_held_before_its_planned_date_is_listed_with_the_day_it_was_held(org, as_user):
    with time_machine.travel(HELD_AT, tick=False):
        review = plan_review(org, days_ahead=30, title="Year-end review")
        assert review.meeting_date == datetime.date(2027, 1, 3)
        hold_and_discuss(org, review)
        body = as_user(org.leader).get("/reviews/").content.decode()
        detail = as_user(org.leader).get(review.get_absolute_url()).content.decode()
        minutes = as_user(org.leader).get(f"/reviews/{review.pk}/minutes/").content.decode()
    held_row = body[body.index('id="held-heading"') :]
    assert '<td data-label="Date">4 Dec 2026 <span class="muted">(planned for 3 Jan 2027)' in (
        held_row
    )
    assert "Friday 4 December 2026" in detail and "planned for 3 Jan 2027" in detail
    assert "Friday 4 December 2026" in minutes
    assert "4 Dec 2026" in str(Review.objects.get(pk=review.pk))


def test_the_held_day_is_the_organisations_day(org):
    org.organisation.timezone = "Pacific/Auckland"
    org.organisation.save()
    # 23:30 UTC on 3 Dec is already 4 Dec in Auckland: the organisation's day counts.
    late = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False):
        review = hold_and_discuss(org, plan_review(org, days_ahead=30))
    review = Review.objects.select_related("organisation").get(pk=review.pk)
    assert review.held_on == datetime.date(2026, 12, 4)
