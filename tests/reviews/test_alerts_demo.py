"""Alerts before and after the meeting, the registered contributions, and the demo."""

import datetime

from isova.demo import seed
from isova.models import Notification
from isova.registry import Evidence, Gap, registry
from reviews import alerts
from reviews.models import Feedback, FeedbackKind, PolicyAcknowledgement, Review, ReviewStatus

from .conftest import plan_review


def test_attendees_hear_7_and_1_days_before_and_the_chair_when_a_review_is_overdue(org):
    review = plan_review(org, days_ahead=7)
    today = org.organisation.today()
    week = list(alerts.alerts(org.organisation, today))
    assert {a.recipient for a in week} == {org.leader, org.manager, org.staff}
    assert all(a.kind == "review_upcoming" for a in week)
    # the next day the same stage again: the same keys, so the scan makes nothing new
    next_day = list(alerts.alerts(org.organisation, today + datetime.timedelta(days=1)))
    assert {(a.recipient, a.key) for a in next_day} == {(a.recipient, a.key) for a in week}
    day_before = list(alerts.alerts(org.organisation, today + datetime.timedelta(days=6)))
    assert len(day_before) == 3
    assert all(a.key.endswith(":within:1") and a.window == "once" for a in day_before)
    late = list(alerts.alerts(org.organisation, review.meeting_date + datetime.timedelta(days=1)))
    assert [(a.recipient, a.kind) for a in late] == [(org.leader, "review_overdue")]


def test_the_core_scan_sends_the_reminders_once(org):
    from isova.notifications import alerts as core_alerts

    review = plan_review(org, days_ahead=1)
    today = org.organisation.today()
    core_alerts.scan(org.organisation, today)
    core_alerts.scan(org.organisation, today)
    notes = Notification.objects.filter(kind="review_upcoming")
    assert notes.count() == 3
    assert all(n.url == review.get_absolute_url() for n in notes)


def test_the_app_registers_its_panel_alerts_demo_evidence_and_pack_sections():
    assert registry.panel("reviews") is not None
    assert "reviews" in dict(registry.alert_sources())
    assert "reviews" in [s.name for s in registry.evidence_sources()]
    clauses = {s.clause for s in registry.review_inputs()}
    assert {"a", "b", "c1", "c2", "c3", "c4", "c6", "d", "f"} <= clauses


def test_evidence_names_reviews_held_and_flags_a_year_without_one(org):
    from reviews.evidence import build

    today = org.organisation.today()
    items = list(build(org.organisation, today - datetime.timedelta(days=365), today))
    assert any(isinstance(i, Gap) and i.clause == "5.1.1 g" for i in items)
    assert not any(isinstance(i, Evidence) and i.clause == "5.1.1 c" for i in items)


def test_the_demo_seeds_reviews_feedback_and_acknowledgements_once(db):
    seed()
    hartwell = Review.objects.filter(organisation__slug="hartwell")
    assert hartwell.filter(status=ReviewStatus.CLOSED).count() == 4
    assert hartwell.filter(status=ReviewStatus.PLANNED).count() == 1
    ops_absent = [
        r
        for r in hartwell.filter(status=ReviewStatus.CLOSED)
        if r.attendances.get(user__email="ops@example.com").status == "apologies"
    ]
    assert len(ops_absent) == 2
    assert Feedback.objects.filter(organisation__slug="hartwell", objective__isnull=False).exists()
    kinds = set(
        Feedback.objects.filter(organisation__slug="hartwell").values_list("kind", flat=True)
    )
    assert kinds == set(FeedbackKind.values)
    versions = set(PolicyAcknowledgement.objects.values_list("version_number", flat=True))
    assert versions == {1, 2}
    assert Review.objects.filter(organisation__slug="rosewood").count() == 1
    counts = (
        Review.objects.count(),
        Feedback.objects.count(),
        PolicyAcknowledgement.objects.count(),
    )
    seed()
    assert counts == (
        Review.objects.count(),
        Feedback.objects.count(),
        PolicyAcknowledgement.objects.count(),
    )
    from isova import records

    for organisation in {r.organisation for r in Review.objects.all()}:
        assert records.verify_chain(organisation)[1] == []


def test_someone_invited_after_the_reminder_went_out_gets_the_invitation_and_the_reminder(
    org, settings, django_capture_on_commit_callbacks
):
    from isova.notifications import alerts as core_alerts
    from reviews import services
    from tests.conftest import membership_of
    from tests.factories import member

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    review = plan_review(org, days_ahead=7)
    today = org.organisation.today()
    core_alerts.scan(org.organisation, today)
    assert Notification.objects.filter(kind="review_upcoming").count() == 3
    late = member(org.organisation, "staff")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.review_invite(
            membership=membership_of(org.manager, org.organisation),
            review=review,
            people=[late, org.staff],  # org.staff was invited already: not told twice
        )
    assert new == [late]
    assert Notification.objects.get(recipient=late, kind="review_invited").url == (
        review.get_absolute_url()
    )
    core_alerts.scan(org.organisation, today + datetime.timedelta(days=2))
    caught_up = Notification.objects.filter(kind="review_upcoming", recipient=late)
    assert [n.subject for n in caught_up] == [f"Management review in 5 days: {review.title}"]
    assert Notification.objects.filter(kind="review_upcoming").count() == 4


def test_the_edit_page_invites_more_people_who_are_told_at_once(org, other_org):
    from tests.conftest import client_for
    from tests.factories import member

    review = plan_review(org, days_ahead=10)
    late = member(org.organisation, "staff")
    page = client_for(org.manager).get(f"/reviews/{review.pk}/edit/").content.decode()
    assert f'value="{late.pk}"' in page  # not yet invited: offered
    assert f'name="invite" value="{org.staff.pk}"' not in page  # already invited: not offered
    data = {
        "title": review.title,
        "meeting_date": review.meeting_date.isoformat(),
        "start_time": "10:00",
        "duration_minutes": 120,
        "location": "",
        "period_start": review.period_start.isoformat(),
        "agenda": "",
        "invite": [late.pk],
    }
    assert client_for(org.staff).post(f"/reviews/{review.pk}/edit/", data).status_code == 403
    assert not Notification.objects.filter(recipient=late).exists()
    response = client_for(org.manager).post(f"/reviews/{review.pk}/edit/", data)
    assert response.status_code == 302
    assert review.attendances.filter(user=late).exists()
    assert Notification.objects.get(recipient=late, kind="review_invited").subject.startswith(
        "Invitation: "
    )
    # someone of another organisation cannot be invited: the form refuses, nothing saved
    data["invite"] = [other_org.staff.pk]
    response = client_for(org.manager).post(f"/reviews/{review.pk}/edit/", data)
    assert response.status_code == 422
    assert not review.attendances.filter(user=other_org.staff).exists()
