"""Helpers for the reviews tests: a review planned, held and discussed through the services."""

import datetime

import pytest

from isova.models import Organisation
from reviews import services
from reviews.models import AttendanceStatus, Review
from reviews.pack import section_keys
from tests.conftest import Org, membership_of


def plan_review(org: Org, *, days_ahead: int = 0, title: str = "Q1 review") -> Review:
    organisation: Organisation = org.organisation
    today = organisation.today()
    return services.review_schedule(
        membership=membership_of(org.manager, organisation),
        title=title,
        meeting_date=today + datetime.timedelta(days=days_ahead),
        chair=org.leader,
        attendees=[org.manager, org.staff],
        period_start=today - datetime.timedelta(days=90),
    )


def hold_and_discuss(org: Org, review: Review) -> Review:
    manager = membership_of(org.manager, org.organisation)
    review = services.review_hold(membership=manager, review=review)
    services.attendance_record(
        membership=manager,
        review=review,
        statuses={a.user_id: AttendanceStatus.PRESENT for a in review.attendances.all()},
    )
    for key in section_keys():
        services.note_save(membership=manager, review=review, key=key, discussion="Discussed.")
    return review


@pytest.fixture
def review(org) -> Review:
    return plan_review(org)
