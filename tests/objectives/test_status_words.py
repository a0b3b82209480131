"""Status words never contradict: the planned figure shown and the RAG use one reference date;
a forecast short of the target is flagged even while on track; goals roll up their objectives."""

import datetime

import pytest
import time_machine

from objectives.models import Objective, Rag, StrategicGoal
from tests.objectives.conftest import add_values, make_objective, progress_of

APRIL_10 = datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture
def just_ahead(org):
    """80 → 100 over 2025; 85.0 in March: above the plan for 31 March (84.9), below the plan
    for 10 April (85.4); its trend reaches about 98.5 by December, short of 100."""
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [82, 83.5, 85.0])
    return objective


def test_the_latest_value_and_the_planned_figure_are_compared_at_the_same_date(just_ahead):
    result = progress_of(just_ahead, APRIL_10.date())
    assert result.reference_date == datetime.date(2025, 3, 31)
    assert result.planned_now == pytest.approx(84.9, abs=0.05)
    assert result.behind < 0
    assert result.rag == Rag.GREEN


def test_a_value_for_a_period_not_yet_over_is_judged_against_today(org):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [84], first=datetime.date(2025, 3, 1))
    result = progress_of(objective, datetime.date(2025, 3, 15))
    assert result.reference_date == datetime.date(2025, 3, 15)


def test_a_forecast_short_of_the_target_is_flagged_while_on_track(just_ahead):
    result = progress_of(just_ahead, APRIL_10.date())
    assert result.rag == Rag.GREEN
    assert result.forecast < 100
    assert result.forecast_misses is True


def test_a_forecast_reaching_the_target_is_not_flagged(org):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [84, 88, 92])
    assert progress_of(objective, APRIL_10.date()).forecast_misses is False


def test_the_objective_page_shows_the_planned_figure_for_the_date_it_judges_and_the_flag(
    org, just_ahead, as_user
):
    with time_machine.travel(APRIL_10, tick=False):
        html = as_user(org.leader).get(f"/objectives/{just_ahead.pk}/").content.decode()
    # 84.9 planned, written at the measure's own decimals (80 → 100: whole numbers)
    assert "<dt>Planned by 31 Mar 2025</dt><dd>85 %</dd>" in html
    assert "Ahead of the planned path on 31 Mar 2025" in html
    assert "Planned by today" not in html
    assert "Forecast misses the target" in html


def test_strategic_goals_roll_up_their_open_objectives_states(org, just_ahead, as_user):
    goal = StrategicGoal.objects.create(organisation=org.organisation, title="Delivery")
    stuck = make_objective(org.organisation, org.manager, title="Stuck", goal=goal)
    add_values(stuck, [80, 80, 80])
    Objective.objects.filter(pk=just_ahead.pk).update(goal=goal)
    with time_machine.travel(APRIL_10, tick=False):
        html = as_user(org.leader).get("/objectives/goals/").content.decode()
    assert f'href="/objectives/?goal={goal.pk}&amp;rag=red">1 off track</a>' in html
    assert f'href="/objectives/?goal={goal.pk}&amp;rag=green">1 on track</a>' in html
    assert "2 forecasts to miss the target" in html


def test_the_goal_roll_up_is_one_query_however_many_objectives(org, django_assert_num_queries):
    goal = StrategicGoal.objects.create(organisation=org.organisation, title="Delivery")
    for i in range(8):
        add_values(make_objective(org.organisation, org.manager, title=f"O{i}", goal=goal), [81])
    with django_assert_num_queries(1):  # the objectives grouped by goal and RAG state
        counts = Objective.objects.for_org(org.organisation).rag_counts_by_goal(APRIL_10.date())
    assert sum(n for rag, n in counts[goal.pk].items() if rag in Rag.values) == 8
