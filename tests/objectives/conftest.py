"""Helpers for the objectives tests: an objective with sensible defaults and its values."""

import datetime
from decimal import Decimal

import pytest

from objectives.models import Measurement, Objective, StrategicGoal, period_bounds

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 12, 31)


def make_objective(organisation, owner, **fields) -> Objective:
    defaults = {
        "title": "On-time delivery",
        "measure_name": "Orders delivered on time",
        "unit": "%",
        "direction": "higher",
        "baseline": Decimal("80"),
        "target": Decimal("100"),
        "start_date": START,
        "target_date": END,
        "frequency": "monthly",
        "status": "active",
    }
    defaults.update(fields)
    return Objective.objects.create(organisation=organisation, owner=owner, **defaults)


def complete(objective: Objective) -> Objective:
    """Fill in every 6.2.2 element except the plan steps."""
    objective.goal = StrategicGoal.objects.get_or_create(
        organisation=objective.organisation, title="On-time delivery"
    )[0]
    objective.why = "Customers leave when we are late."
    objective.resources = "Two planners, 4 hours a week."
    objective.evaluation = "Monthly, at the operations meeting."
    objective.next_review_date = objective.start_date + datetime.timedelta(days=90)
    objective.save()
    return objective


def add_values(objective: Objective, values, first: datetime.date | None = None) -> None:
    """One value per period, from the period containing `first` (default: the start)."""
    day = first or objective.start_date
    for value in values:
        start, end = period_bounds(day, objective.frequency)
        Measurement.objects.create(
            objective=objective, period=start, period_end=end, value=Decimal(str(value))
        )
        day = end + datetime.timedelta(days=1)


@pytest.fixture
def objective(org):
    return make_objective(org.organisation, org.manager)


def progress_of(objective: Objective, today: datetime.date) -> Objective:
    """The objective with its `with_progress` annotations, computed by the database."""
    return Objective.objects.with_progress(today).get(pk=objective.pk)


def planned(objective: Objective, day: datetime.date) -> float:
    """The planned path, in Python, to check the database's arithmetic against."""
    share = (day - objective.start_date).days / (objective.target_date - objective.start_date).days
    share = min(max(share, 0.0), 1.0)
    return float(objective.baseline) + float(objective.target - objective.baseline) * share
