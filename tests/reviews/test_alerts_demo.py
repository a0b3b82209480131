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
    assert list(alerts.alerts(org.organisation, today + datetime.timedelta(days=1))) == []
    assert len(list(alerts.alerts(org.organisation, today + datetime.timedelta(days=6)))) == 3
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
