"""Objective alerts: overdue reviews daily; a change of state (and back) or a forecast that
starts missing by more than the margin, once per change, to the owner and the leaders."""

import datetime
from decimal import Decimal

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
    # the savepoint and its release; objectives with progress; two alert states (read,
    # upsert, delete each); the leaders
    with django_assert_max_num_queries(10):
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
    # back on the planned path: the owner and the leaders hear that it recovered…
    objective.measurements.all().delete()
    add_values(objective, [84, 88, 92, 96, 100])
    back = off_track(TODAY + datetime.timedelta(days=2))
    assert [a.subject for a in back] == ["Scrap rate is now on track (was off track)"] * 2
    # …and turning red again alerts again
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
    assert "short of its target of 100%" in crossed[0].body
    assert misses(TODAY + datetime.timedelta(days=1)) == []


# --- changes of state with hysteresis; forecasts beyond the margin; figures -------------------


def _set_behind(objective, percent: float) -> None:
    """Make the latest value trail the planned path by `percent` of the way to the target."""
    from tests.objectives.conftest import planned

    latest = objective.measurements.order_by("-period").first()
    span = float(objective.target - objective.baseline)
    value = planned(objective, latest.period_end) - span * percent / 100
    latest.value = Decimal(f"{value:.4f}")
    latest.save(update_fields=["value"])


def test_performance_alerts_at_each_change_of_state_and_not_while_hovering(org):
    objective = make_objective(org.organisation, org.manager, title="Delivery")
    add_values(objective, [81, 82, 83, 84, 85])  # January to May; amber at 5, red at 15

    def subjects(day: int, behind: float) -> list[str]:
        _set_behind(objective, behind)
        with transaction.atomic():
            found = alerts.due(org.organisation, TODAY + datetime.timedelta(days=day))
        return sorted({a.subject for a in found if a.kind == "objective_off_track"})

    assert subjects(0, 6) == ["Delivery is now slightly behind"]
    assert subjects(1, 4) == []  # inside amber's threshold, but not clearly: stays behind
    assert subjects(2, 5.5) == []
    assert subjects(3, 4.5) == []
    assert subjects(4, 2) == ["Delivery is now on track (was slightly behind)"]
    assert subjects(5, 4.5) == []  # on track until it passes the threshold itself
    assert subjects(6, 16) == ["Delivery is now off track (was on track)"]
    assert subjects(7, 14) == []  # hovering just under red's threshold: still off track
    assert subjects(8, 10) == ["Delivery is now slightly behind (was off track)"]


def test_a_forecast_alert_needs_a_miss_beyond_the_organisations_margin(org):
    from tests.objectives.conftest import planned

    objective = make_objective(org.organisation, org.manager, title="Yield")
    # on the planned path but 0.4 short each month: the forecast misses by about 2%
    ends = [datetime.date(2025, m, 28) for m in range(1, 6)]
    add_values(objective, [round(planned(objective, d) - 0.4, 4) for d in ends])

    def misses(day: int) -> int:
        with transaction.atomic():
            found = alerts.due(org.organisation, TODAY + datetime.timedelta(days=day))
        return sum(a.kind == "objective_forecast_miss" for a in found)

    assert misses(0) == 0  # a trivial miss under the default margin of 5%
    org.organisation.forecast_alert_margin = 1
    org.organisation.save()
    assert misses(1) == 2  # the owner and the leader, once
    assert misses(2) == 0


def test_figures_are_printed_at_the_measures_precision_and_unit(org):
    percent = make_objective(
        org.organisation, org.manager, baseline=Decimal("92.5"), target=Decimal("98")
    )
    days = make_objective(
        org.organisation, org.manager, unit="days", baseline=Decimal("12"), target=Decimal("5")
    )
    assert alerts.figure(percent, 97.1234) == "97.1%"
    assert alerts.figure(percent, Decimal("90")) == "90.0%"
    assert alerts.figure(days, 6.6) == "7 days"
    assert alerts.figure(days, 1234) == "1,234 days"
