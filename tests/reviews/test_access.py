"""Who may do what in the reviews app, and nothing of another organisation is reachable."""

import datetime

import pytest

from reviews import services
from reviews.models import Feedback, FeedbackKind, Review, ReviewStatus
from tests.conftest import client_for, membership_of

from .conftest import hold_and_discuss, plan_review

ROLES = ("leader", "manager", "staff", "auditor")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_reviews_minutes_context_and_the_policy_page(org, review, role):
    client = client_for(org.user(role))
    for url in (
        "/reviews/",
        review.get_absolute_url(),
        f"/reviews/{review.pk}/minutes/",
        f"/reviews/{review.pk}/invite.ics",
        "/reviews/context/",
        "/reviews/feedback/mine/",
        "/reviews/policy/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("leader", True), ("manager", True), ("staff", False), ("auditor", False)],
)
def test_only_leaders_and_managers_plan_record_and_hold_reviews(org, review, role, allowed):
    client = client_for(org.user(role))
    assert (client.get("/reviews/new/").status_code == 200) is allowed
    response = client.post(f"/reviews/{review.pk}/hold/")
    review.refresh_from_db()
    assert (review.status == ReviewStatus.HELD) is allowed
    if not allowed:
        assert response.status_code == 403
    response = client.post(
        "/reviews/context/", {"kind": "external", "title": "Brexit", "description": ""}
    )
    assert response.status_code == (302 if allowed else 403)


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_the_chair_signs_the_minutes_from_the_page(org, review, role):
    from tests.factories import PASSWORD

    review = hold_and_discuss(org, review)
    response = client_for(org.user(role)).post(
        f"/reviews/{review.pk}/close/", {"password": PASSWORD}
    )
    assert response.status_code in (403, 422)
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    response = client_for(org.leader).post(f"/reviews/{review.pk}/close/", {"password": "nope"})
    assert response.status_code == 422 and "Nothing was signed" in response.content.decode()
    response = client_for(org.leader).post(f"/reviews/{review.pk}/close/", {"password": PASSWORD})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED


def test_every_url_and_form_id_of_another_organisation_answers_404(org, other_org):
    theirs = hold_and_discuss(other_org, plan_review(other_org))
    feedback = services.feedback_submit(
        membership=membership_of(other_org.manager, other_org.organisation),
        kind=FeedbackKind.COMPLAINT,
        title="Their complaint",
    )
    issue = services.context_issue_save(
        membership=membership_of(other_org.manager, other_org.organisation),
        kind="external",
        title="Theirs",
    )
    client = client_for(org.leader)
    for url in (
        theirs.get_absolute_url(),
        f"/reviews/{theirs.pk}/minutes/",
        f"/reviews/{theirs.pk}/minutes/?download=1",
        f"/reviews/{theirs.pk}/invite.ics",
        feedback.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/reviews/{theirs.pk}/note/", {"key": "reviews_actions", "discussion": "x"}),
        (f"/reviews/{theirs.pk}/attendance/", {}),
        (f"/reviews/{theirs.pk}/hold/", {}),
        (f"/reviews/{theirs.pk}/external/", {"text": "x"}),
        (f"/reviews/{theirs.pk}/outputs/", {"kind": "improvement", "decision": "x"}),
        (f"/reviews/{theirs.pk}/close/", {"password": "x"}),
        (f"/reviews/feedback/{feedback.pk}/respond/", {"response": "x", "status": "closed"}),
        (f"/reviews/feedback/{feedback.pk}/action/", {"action_title": "x"}),
        (f"/reviews/feedback/{feedback.pk}/objective/", {}),
        (f"/reviews/context/{issue.pk}/toggle/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    # Our own forms refuse their people and objects as choices.
    ours = hold_and_discuss(org, plan_review(org))
    response = client.post(
        f"/reviews/{ours.pk}/outputs/",
        {"kind": "improvement", "decision": "x", "owner": other_org.staff.pk},
    )
    assert response.status_code == 422
    response = client.post(
        "/reviews/new/",
        {
            "title": "R",
            "meeting_date": "2026-12-01",
            "start_time": "10:00",
            "duration_minutes": 60,
            "chair": other_org.leader.pk,
            "period_start": "2026-09-01",
        },
    )
    assert response.status_code == 422
    assert Review.objects.filter(organisation=org.organisation).count() == 1
    assert ours.outputs.count() == 0
    theirs.refresh_from_db()
    assert theirs.notes.get(key="reviews_actions").discussion == "Discussed."
    assert Feedback.objects.get(pk=feedback.pk).response == ""
    # The lists show none of theirs.
    assert "Their complaint" not in client.get("/reviews/feedback/").content.decode()
    assert "Q1 review" in client.get("/reviews/").content.decode()
    assert str(theirs.pk) not in [str(r.pk) for r in Review.objects.for_org(org.organisation)]


def test_bad_input_gives_a_form_error_never_a_500(org, review):
    client = client_for(org.leader)
    for url, data in (
        ("/reviews/new/", {"meeting_date": "not a date"}),
        (f"/reviews/{review.pk}/note/", {"key": "no-such-section", "comment": "x"}),
        (f"/reviews/{review.pk}/note/", {}),
        (f"/reviews/{review.pk}/outputs/", {"kind": "nonsense"}),
        (f"/reviews/{review.pk}/attendance/", {f"att_{org.staff.pk}": "dancing"}),
        ("/reviews/policy/", {"version": "abc"}),
        ("/reviews/feedback/import/", {}),
    ):
        response = client.post(url, data)
        assert response.status_code < 500, url
    assert client.get("/reviews/feedback/?kind=zzz&page=x").status_code == 200


def test_the_meeting_date_must_not_precede_the_period(org):
    with pytest.raises(services.ReviewError):
        services.review_schedule(
            membership=membership_of(org.manager, org.organisation),
            title="R",
            meeting_date=datetime.date(2026, 1, 1),
            chair=org.leader,
            attendees=[],
            period_start=datetime.date(2026, 6, 1),
        )


def test_a_planned_review_is_rescheduled_by_a_manager_but_not_once_held(org, review):
    data = {
        "title": "Moved review",
        "meeting_date": "2026-12-15",
        "start_time": "14:00",
        "duration_minutes": 90,
        "location": "Canteen",
        "period_start": "2026-09-01",
        "agenda": "",
    }
    assert client_for(org.staff).post(f"/reviews/{review.pk}/edit/", data).status_code == 403
    assert client_for(org.manager).post(f"/reviews/{review.pk}/edit/", data).status_code == 302
    review.refresh_from_db()
    assert (review.title, review.meeting_date) == ("Moved review", datetime.date(2026, 12, 15))
    hold_and_discuss(org, review)
    response = client_for(org.manager).post(f"/reviews/{review.pk}/edit/", {**data, "title": "x"})
    assert response.status_code == 422
    review.refresh_from_db()
    assert review.title == "Moved review"
