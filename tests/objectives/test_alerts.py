"""Objective alerts: overdue reviews daily; off track, stale or forecast to miss once per
crossing, to the owner and the leaders."""

import datetime

from django.db import transaction

from isova.models import Notification
from isova.notifications import alerts as core_alerts
from objectives import alerts
from tests.objectives.conftest import add_values, make_objective

TODAY = datetime.date(2025, 6, 10)


def due(organisation, today=TODAY):
    with transaction.atomic():
        return list(alerts.due(organisation, today))


def test_owners_are_alerted_about_overdue_reviews_and_stale_values(
    org, other_org, django_assert_max_num_queries
):
    late = make_objective(
        org.organisation, org.staff, title="Late review", next_review_date=datetime.date(2025, 6, 1)
    )
    stale = make_objective(org.organisation, org.manager, title="Quiet one")
    add_values(stale, [82])  # January: stale by June
    fresh = make_objective(org.organisation, org.manager, title="Fresh one")
    add_values(fresh, [81, 82, 83, 84, 85])  # up to May
    make_objective(other_org.organisation, other_org.staff, next_review_date=TODAY)
    # objectives with progress; two alert states (read, upsert, delete each); the leaders
    with django_assert_max_num_queries(8):
        found = due(org.organisation)
    summary = sorted((a.recipient.email, a.kind, a.subject) for a in found)
    assert (org.staff.email, "objective_review_overdue", "Review overdue: Late review") in summary
    assert (org.manager.email, "objective_off_track", "Quiet one is now stale") in summary
    assert (org.leader.email, "objective_off_track", "Quiet one is now stale") in summary
    assert not any("Fresh one" in s for _, _, s in summary if "stale" in s)
    assert next(a for a in found if a.kind == "objective_review_overdue").url == (
        late.get_absolute_url()
    )


def test_a_stale_objective_alerts_once_per_crossing(org):
    stale = make_objective(org.organisation, org.manager, title="Quiet one")
    add_values(stale, [82])
    day_one, day_two = TODAY, TODAY + datetime.timedelta(days=1)
    assert any(a.kind == "objective_off_track" for a in due(org.organisation, day_one))
    assert not any(a.kind == "objective_off_track" for a in due(org.organisation, day_two))


def test_a_scan_twice_sends_an_overdue_review_once_a_day(org):
    make_objective(org.organisation, org.staff, next_review_date=datetime.date(2025, 1, 1))
    for _ in range(2):
        core_alerts.scan(org.organisation, TODAY)
    assert org.staff.notifications.filter(kind="objective_review_overdue").count() == 1
    assert Notification.objects.filter(kind="objective_review_overdue").count() == 1


def test_red_two_days_running_alerts_once_and_again_after_recovering(org):
    objective = make_objective(org.organisation, org.manager, title="Scrap rate")
    add_values(objective, [80, 80, 80, 80, 80])  # flat at the baseline: red by June

    def off_track(day):
        with transaction.atomic():
            return [a for a in alerts.due(org.organisation, day) if a.kind == "objective_off_track"]

    first = off_track(TODAY)
    assert sorted(a.recipient.email for a in first) == sorted([org.manager.email, org.leader.email])
    assert first[0].subject == "Scrap rate is now off track"
    assert off_track(TODAY + datetime.timedelta(days=1)) == []
    # back on the planned path: recovering resets the state…
    objective.measurements.all().delete()
    add_values(objective, [84, 88, 92, 96, 100])
    assert off_track(TODAY + datetime.timedelta(days=2)) == []
    # …so turning red again alerts again
    objective.measurements.all().delete()
    add_values(objective, [80, 80, 80, 80, 80])
    assert len(off_track(TODAY + datetime.timedelta(days=3))) == 2


def test_a_forecast_that_stops_reaching_the_target_alerts_once(org):
    objective = make_objective(org.organisation, org.manager, title="Yield")
    add_values(objective, [81, 82, 81, 82, 81])

    def misses(day):
        with transaction.atomic():
            return [
                a for a in alerts.due(org.organisation, day) if a.kind == "objective_forecast_miss"
            ]

    crossed = misses(TODAY)
    assert len(crossed) == 2  # the owner and the leader
    assert "short of its target of 100 %" in crossed[0].body
    assert misses(TODAY + datetime.timedelta(days=1)) == []
