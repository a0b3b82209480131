"""The querysets the leadership dashboard will use: each a fixed number of queries."""

import datetime

import pytest

from objectives.models import Objective, Rag, Status
from tests.objectives.conftest import add_values, make_objective

TODAY = datetime.date(2025, 4, 10)


def _objectives(org, count: int) -> None:
    """`count` objectives cycling through green, red, no data and stale ones, and statuses."""
    for i in range(count):
        kind = i % 4
        objective = make_objective(
            org.organisation,
            org.manager,
            title=f"Objective {i}",
            status=[Status.ACTIVE, Status.ACTIVE, Status.DRAFT, Status.ACTIVE][kind],
            next_review_date=TODAY - datetime.timedelta(days=1 if kind == 1 else -30),
        )
        if kind == 0:
            add_values(objective, [82, 84, 86])  # green
        elif kind == 1:
            add_values(objective, [80, 80, 80])  # red
        elif kind == 3:
            add_values(objective, [82])  # January only: stale by April


@pytest.mark.parametrize("count", [4, 40])
def test_rag_and_status_counts_take_one_query_each(
    org, other_org, count, django_assert_num_queries
):
    _objectives(org, count)
    _objectives(other_org, 4)
    mine = Objective.objects.for_org(org.organisation)
    with django_assert_num_queries(1):  # GROUP BY the computed RAG
        rag = mine.rag_counts(TODAY)
    with django_assert_num_queries(1):  # GROUP BY status
        status = mine.status_counts()
    quarter = count // 4
    assert rag == {
        Rag.GREEN: quarter,
        Rag.AMBER: 0,
        Rag.RED: quarter,
        Rag.STALE: quarter,
        Rag.NO_DATA: quarter,
    }
    assert status[Status.ACTIVE] == 3 * quarter
    assert status[Status.DRAFT] == quarter
    assert sum(status.values()) == count


@pytest.mark.parametrize("count", [4, 40])
def test_overdue_reviews_and_stale_objectives_are_one_query_each(
    org, count, django_assert_num_queries
):
    _objectives(org, count)
    mine = Objective.objects.for_org(org.organisation)
    with django_assert_num_queries(1):
        overdue = list(mine.review_overdue(TODAY))
    with django_assert_num_queries(1):
        stale = list(mine.stale(TODAY))
    assert len(overdue) == count // 4
    assert {o.title for o in overdue} == {f"Objective {i}" for i in range(1, count, 4)}
    assert len(stale) == count // 4


def test_closed_objectives_are_left_out_of_the_rag_counts(org):
    objective = make_objective(org.organisation, org.manager, status=Status.ACHIEVED)
    add_values(objective, [82, 84, 86])
    counts = Objective.objects.for_org(org.organisation).rag_counts(TODAY)
    assert sum(counts.values()) == 0


@pytest.mark.parametrize("count", [3, 30])
def test_trend_series_are_one_query_and_in_percent_of_the_way(
    org, count, django_assert_num_queries
):
    for i in range(count):
        add_values(make_objective(org.organisation, org.manager, title=f"T{i:02d}"), [84, 90])
    with django_assert_num_queries(1):
        series = Objective.objects.for_org(org.organisation).trend_series()
    assert len(series) == count
    assert series[0]["title"] == "T00"
    assert series[0]["periods"] == ["2025-01-01", "2025-02-01"]
    assert series[0]["progress"] == [20.0, 50.0]
