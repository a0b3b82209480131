"""A review's life: live pack, frozen at the meeting, decisions, minutes signed by the chair."""

import datetime
import json

import pytest

from isova import records
from isova.errors import NotAllowed, WrongPassword
from isova.models import Action, SignOff
from reviews import services
from reviews.models import (
    AttendanceStatus,
    Feedback,
    FeedbackKind,
    OutputKind,
    Review,
    ReviewStatus,
)
from reviews.pack import live_pack, section_keys
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .conftest import hold_and_discuss, plan_review


def _section(pack, key):
    return next(s for s in pack if s["key"] == key)


def _complaint(org, title="Late parts", days_ago=5):
    return services.feedback_submit(
        membership=membership_of(org.manager, org.organisation),
        kind=FeedbackKind.COMPLAINT,
        title=title,
        customer="Apex",
        received_on=org.organisation.today() - datetime.timedelta(days=days_ago),
        category="delivery",
    )


def test_the_pack_has_every_registered_section_and_says_when_one_has_no_data(org, review):
    pack = live_pack(review)
    keys = [s["key"] for s in pack]
    assert keys == section_keys()
    for key in ("reviews_actions", "reviews_feedback", "objectives_met", "audits_results"):
        assert key in keys
    assert _section(pack, "reviews_feedback")["data"] == {}
    response = pytest.importorskip("django.test").Client()
    response.force_login(org.leader)
    page = response.get(review.get_absolute_url()).content.decode()
    assert "No data for this period." in page


def test_the_pack_is_frozen_when_the_meeting_is_held_and_later_data_does_not_change_it(org, review):
    _complaint(org, "Burr on bore")
    manager = membership_of(org.manager, org.organisation)
    services.note_save(
        membership=manager, review=review, key="reviews_feedback", comment="One complaint."
    )
    review = services.review_hold(membership=manager, review=review)
    frozen = json.dumps(review.pack, sort_keys=True)
    feedback = _section(review.pack, "reviews_feedback")
    assert ["Complaints", 1] in feedback["data"]["figures"]
    assert feedback["comment"] == "One complaint."

    _complaint(org, "Second complaint", days_ago=1)
    Feedback.objects.update(category="changed later")
    review.refresh_from_db()
    assert json.dumps(review.pack, sort_keys=True) == frozen
    assert ["Complaints", 2] in _section(live_pack(review), "reviews_feedback")["data"]["figures"]
    with pytest.raises(services.ReviewError):
        services.note_save(membership=manager, review=review, key="reviews_feedback", comment="x")


def test_closing_is_refused_while_an_input_has_no_discussion_or_no_reason(org, review):
    review = hold_and_discuss(org, review)
    leader = membership_of(org.leader, org.organisation)
    manager = membership_of(org.manager, org.organisation)
    services.note_save(
        membership=manager, review=review, key="reviews_context", discussion="", not_covered=True
    )
    with pytest.raises(services.ReviewError, match="not covered without a reason"):
        services.review_close(membership=leader, review=review, password=PASSWORD)
    services.note_save(membership=manager, review=review, key="reviews_context", not_covered=False)
    with pytest.raises(services.ReviewError, match="no discussion"):
        services.review_close(membership=leader, review=review, password=PASSWORD)
    assert not SignOff.objects.exists()
    services.note_save(
        membership=manager,
        review=review,
        key="reviews_context",
        not_covered=True,
        not_covered_reason="Postponed to the next review.",
    )
    services.review_close(membership=leader, review=review, password=PASSWORD)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED


def test_only_the_chair_signs_the_minutes_with_the_right_password(org, other_org):
    from tests.conftest import make_org  # noqa: F401  (personas)
    from tests.factories import member

    second_leader = member(org.organisation, "leader", full_name="Second Leader")
    review = hold_and_discuss(org, plan_review(org))
    with pytest.raises(NotAllowed):
        services.review_close(
            membership=membership_of(second_leader, org.organisation),
            review=review,
            password=PASSWORD,
        )
    with pytest.raises(NotAllowed):
        services.review_close(
            membership=membership_of(org.manager, org.organisation),
            review=review,
            password=PASSWORD,
        )
    with pytest.raises(WrongPassword):
        services.review_close(
            membership=membership_of(org.leader, org.organisation),
            review=review,
            password="wrong",
        )
    assert not SignOff.objects.exists()


def test_signed_minutes_hold_the_frozen_pack_attendance_and_outputs_and_the_chain_verifies(
    org, review
):
    review = hold_and_discuss(org, review)
    leader = membership_of(org.leader, org.organisation)
    services.output_add(
        membership=leader,
        review=review,
        kind=OutputKind.RESOURCES,
        decision="Hire a second inspector",
        owner=org.manager,
        due_date=org.organisation.today() + datetime.timedelta(days=30),
    )
    services.review_close(membership=leader, review=review, password=PASSWORD)
    signoff = SignOff.objects.get()
    assert signoff.meaning == services.MINUTES_MEANING
    snapshot = json.loads(signoff.snapshot)
    assert snapshot["pack"][0]["key"] == "reviews_actions"
    assert {a["status"] for a in snapshot["attendance"]} == {AttendanceStatus.PRESENT}
    assert snapshot["outputs"][0]["decision"] == "Hire a second inspector"
    Feedback.objects.create(
        organisation=org.organisation,
        kind=FeedbackKind.COMPLAINT,
        title="after",
        received_on=org.organisation.today(),
        submitted_by=org.leader,
    )
    count, breaks = records.verify_chain(org.organisation)
    assert (count, breaks) == (1, [])
    with pytest.raises(services.ReviewError):
        services.note_save(
            membership=leader, review=review, key="reviews_actions", discussion="changed"
        )


def test_decisions_create_actions_sourced_from_the_review_and_show_up_as_input_a_next_time(
    org,
):
    first = plan_review(org, days_ahead=-90, title="Previous review")
    first.period_start = first.meeting_date - datetime.timedelta(days=90)
    first.save()
    first = hold_and_discuss(org, first)
    leader = membership_of(org.leader, org.organisation)
    output = services.output_add(
        membership=leader,
        review=first,
        kind=OutputKind.IMPROVEMENT,
        decision="Shadow boards on every machine",
        owner=org.staff,
        due_date=org.organisation.today() + datetime.timedelta(days=10),
    )
    services.output_add(
        membership=leader, review=first, kind=OutputKind.QMS_CHANGE, decision="Note only"
    )
    action = Action.objects.get()
    assert output.action == action
    assert action.source == first
    assert list(first.actions.all()) == [action]
    services.review_close(membership=leader, review=first, password=PASSWORD)

    nxt = plan_review(org, title="Next review")
    nxt.period_start = first.meeting_date
    nxt.save()
    section = next(s for s in live_pack(nxt) if s["key"] == "reviews_actions")
    assert ["Still open", 1] in section["data"]["figures"]
    decisions = [row[2] for row in section["data"]["table"]["rows"]]
    assert "Shadow boards on every machine" in decisions
    assert "Note only" in decisions


def test_outputs_are_refused_before_the_meeting_and_actions_need_a_member_as_owner(
    org, other_org, review
):
    leader = membership_of(org.leader, org.organisation)
    with pytest.raises(services.ReviewError):
        services.output_add(membership=leader, review=review, kind="improvement", decision="x")
    review = hold_and_discuss(org, review)
    with pytest.raises(services.ReviewError):
        services.output_add(
            membership=leader,
            review=review,
            kind="improvement",
            decision="x",
            owner=other_org.staff,
        )
    assert not Action.objects.exists()
    assert not review.outputs.exists()


def test_attendance_is_summarised_per_leader_over_the_last_four_reviews(org):
    from tests.factories import member

    ops = member(org.organisation, "leader", full_name="Owen Ops")
    manager = membership_of(org.manager, org.organisation)
    for n in range(5):
        review = services.review_schedule(
            membership=manager,
            title=f"R{n}",
            meeting_date=org.organisation.today() - datetime.timedelta(days=100 * (5 - n)),
            chair=org.leader,
            attendees=[ops],
            period_start=org.organisation.today() - datetime.timedelta(days=1000),
        )
        services.review_hold(membership=manager, review=review)
        absent = AttendanceStatus.APOLOGIES if n in (2, 4) else AttendanceStatus.PRESENT
        services.attendance_record(
            membership=manager,
            review=review,
            statuses={org.leader.pk: AttendanceStatus.PRESENT, ops.pk: absent},
        )
    rows = {
        r["user"].get_full_name(): r for r in Review.objects.leader_attendance(org.organisation)
    }
    assert rows["Owen Ops"]["present"] == 2 and rows["Owen Ops"]["of"] == 4
    assert rows["Acme Leader"]["present"] == 4
    from reviews.evidence import build

    gaps = [
        g.summary
        for g in build(org.organisation, datetime.date(2000, 1, 1), org.organisation.today())
        if type(g).__name__ == "Gap"
    ]
    assert "Two of four reviews held without Owen Ops." in gaps


def test_the_chair_must_be_a_leader(org):
    with pytest.raises(services.ReviewError):
        services.review_schedule(
            membership=membership_of(org.manager, org.organisation),
            title="R",
            meeting_date=org.organisation.today(),
            chair=org.manager,
            attendees=[],
            period_start=org.organisation.today(),
        )
