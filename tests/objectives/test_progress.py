"""Progress, RAG and forecast: the arithmetic the database does in `with_progress`."""

import datetime
from decimal import Decimal

import pytest

from objectives.models import FORECAST_POINTS, Measurement, Objective, Rag, period_bounds
from tests.objectives.conftest import add_values, make_objective, planned, progress_of

MARCH_END = datetime.date(2025, 3, 31)
SOON_AFTER = datetime.date(2025, 4, 10)


@pytest.fixture
def higher(org):
    """Baseline 80 → target 100 over 2025; amber beyond 5 %, red beyond 15 % of the 20 points."""
    return make_objective(org.organisation, org.manager)


@pytest.fixture
def lower(org):
    """Complaints: baseline 10 → target 2 over 2025 (lower is better)."""
    return make_objective(
        org.organisation,
        org.manager,
        title="Fewer complaints",
        unit="complaints",
        direction="lower",
        baseline=Decimal("10"),
        target=Decimal("2"),
    )


def test_values_on_or_ahead_of_the_planned_path_are_green(higher):
    add_values(higher, [82, 84, 86])  # the plan is at 81.7, 83.2, 84.9 at the months' ends
    result = progress_of(higher, SOON_AFTER)
    assert result.rag == Rag.GREEN
    assert result.behind < 0
    assert result.progress == pytest.approx(30.0)  # (86 − 80) / (100 − 80)


def test_a_value_behind_the_plan_by_more_than_the_amber_tolerance_is_amber(higher):
    add_values(higher, [81, 82, 83])
    result = progress_of(higher, SOON_AFTER)
    expected = (planned(higher, MARCH_END) - 83) / 20 * 100  # 9.5 % of the improvement
    assert result.behind == pytest.approx(expected)
    assert 5 < expected <= 15
    assert result.rag == Rag.AMBER


def test_a_value_behind_the_plan_by_more_than_the_red_tolerance_is_red(higher):
    add_values(higher, [80, 80.5, 81])
    result = progress_of(higher, SOON_AFTER)
    assert result.behind == pytest.approx((planned(higher, MARCH_END) - 81) / 20 * 100)
    assert result.behind > 15
    assert result.rag == Rag.RED


def test_a_value_exactly_at_the_amber_tolerance_is_still_green(org):
    # 120 days from 80 to 100: on 31 January (day 30) the plan is at exactly 85.
    objective = make_objective(
        org.organisation,
        org.manager,
        target_date=datetime.date(2025, 5, 1),
        amber_tolerance=Decimal("10"),
    )
    add_values(objective, [83])
    result = progress_of(objective, datetime.date(2025, 2, 5))
    assert result.behind == 10.0
    assert result.rag == Rag.GREEN


@pytest.mark.parametrize(
    ("value", "rag"), [("8.0", Rag.GREEN), ("8.6", Rag.AMBER), ("9.5", Rag.RED)]
)
def test_lower_is_better_counts_a_value_above_the_plan_as_behind(lower, value, rag):
    add_values(lower, [value], first=datetime.date(2025, 3, 1))  # the plan is at 8.04
    result = progress_of(lower, SOON_AFTER)
    assert result.behind == pytest.approx((planned(lower, MARCH_END) - float(value)) / -8 * 100)
    assert result.rag == rag


def test_progress_for_lower_is_better_is_the_share_of_the_reduction_achieved(lower):
    add_values(lower, [6])
    result = progress_of(lower, SOON_AFTER)
    assert result.progress == pytest.approx(50.0)  # from 10 down to 6 of the way to 2


def test_an_objective_without_values_has_no_data_and_no_progress_or_forecast(higher):
    result = progress_of(higher, SOON_AFTER)
    assert result.rag == Rag.NO_DATA
    assert result.points == 0
    assert result.progress is None
    assert result.forecast is None
    assert result.planned_now == pytest.approx(planned(higher, SOON_AFTER))


def test_one_value_gives_progress_and_rag_but_no_forecast(higher):
    add_values(higher, [84], first=datetime.date(2025, 3, 1))
    result = progress_of(higher, SOON_AFTER)
    assert result.points == 1
    assert result.rag == Rag.GREEN
    assert result.progress == pytest.approx(20.0)
    assert result.forecast is None
    assert result.forecast_progress is None


def test_an_active_objective_whose_latest_value_is_older_than_a_period_plus_grace_is_stale(
    higher,
):
    add_values(higher, [82, 84, 86])  # the latest period ends on 31 March
    # Monthly: one period (31 days) plus 14 days of grace after 31 March is 15 May.
    assert progress_of(higher, datetime.date(2025, 5, 15)).rag == Rag.GREEN
    assert progress_of(higher, datetime.date(2025, 5, 16)).rag == Rag.STALE


def test_weekly_objectives_go_stale_sooner(org):
    weekly = make_objective(org.organisation, org.manager, frequency="weekly")
    add_values(weekly, [81, 82])  # weeks of 30 Dec and 6 Jan; the latter ends on 12 Jan
    assert progress_of(weekly, datetime.date(2025, 1, 26)).rag == Rag.GREEN
    assert progress_of(weekly, datetime.date(2025, 1, 27)).rag == Rag.STALE


def test_only_active_objectives_go_stale(higher):
    higher.status = "draft"
    higher.save()
    add_values(higher, [82])
    assert progress_of(higher, datetime.date(2025, 9, 1)).rag != Rag.STALE


def test_the_forecast_extends_a_straight_line_through_the_values(higher):
    # y = 80 + 0.05 x, x in days since the start, at each month's end: 98.2 at day 364.
    for month in range(1, 6):
        start, end = period_bounds(datetime.date(2025, month, 1), "monthly")
        x = (end - higher.start_date).days
        Measurement.objects.create(
            objective=higher, period=start, period_end=end, value=Decimal(80 + 0.05 * x)
        )
    result = progress_of(higher, datetime.date(2025, 6, 5))
    assert result.forecast == pytest.approx(98.2, abs=1e-3)
    assert result.forecast_progress == pytest.approx(91.0, abs=1e-2)


def test_the_forecast_uses_only_the_latest_points(higher):
    add_values(higher, [50, 50, 50])  # an old plateau, ignored by the forecast
    first = datetime.date(2025, 4, 1)
    for i in range(FORECAST_POINTS):
        start, end = period_bounds(datetime.date(2025, 4 + i, 1), "monthly")
        x = (end - higher.start_date).days
        Measurement.objects.create(
            objective=higher, period=start, period_end=end, value=Decimal(70 + 0.1 * x)
        )
    assert first == Measurement.objects.filter(value__gt=50).earliest("period").period
    result = progress_of(higher, datetime.date(2025, 10, 5))
    assert result.forecast == pytest.approx(70 + 0.1 * 364, abs=1e-3)


def test_least_squares_matches_the_textbook_formula_on_noisy_values(higher):
    values = [81.0, 84.5, 83.0, 86.0, 88.5]
    add_values(higher, values)
    xs = [
        (period_bounds(datetime.date(2025, m, 1), "monthly")[1] - higher.start_date).days
        for m in range(1, 6)
    ]
    n = len(values)
    sx, sy = sum(xs), sum(values)
    sxy, sxx = sum(x * y for x, y in zip(xs, values, strict=True)), sum(x * x for x in xs)
    slope = (n * sxy - sx * sy) / (n * sxx - sx**2)
    intercept = (sy - slope * sx) / n
    result = progress_of(higher, datetime.date(2025, 6, 5))
    assert result.forecast == pytest.approx(intercept + slope * 364)


def test_values_before_the_start_or_after_the_target_date_use_the_ends_of_the_plan(higher):
    result = progress_of(higher, datetime.date(2026, 3, 1))
    assert result.planned_now == pytest.approx(100.0)
    result = progress_of(higher, datetime.date(2024, 6, 1))
    assert result.planned_now == pytest.approx(80.0)


def test_with_progress_is_one_query_for_many_objectives(org, django_assert_num_queries):
    for i in range(12):
        add_values(make_objective(org.organisation, org.manager, title=f"O{i}"), [81, 83 + i])
    with django_assert_num_queries(1):  # the objectives, every figure computed by PostgreSQL
        rows = list(Objective.objects.with_progress(SOON_AFTER))
    assert {row.points for row in rows} == {2}
