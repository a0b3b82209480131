import datetime

import pytest

from objectives.models import add_months, parse_period, period_bounds, period_label

D = datetime.date


@pytest.mark.parametrize(
    ("text", "frequency", "start"),
    [
        ("2025-03", "monthly", D(2025, 3, 1)),
        ("2025-03-17", "monthly", D(2025, 3, 1)),
        ("2025-Q2", "quarterly", D(2025, 4, 1)),
        ("2025-05", "quarterly", D(2025, 4, 1)),
        ("2025-w07", "weekly", D(2025, 2, 10)),
        ("2025-02-14", "weekly", D(2025, 2, 10)),
    ],
)
def test_a_period_can_be_named_the_way_its_frequency_reads(text, frequency, start):
    assert parse_period(text, frequency) == start


@pytest.mark.parametrize(
    ("text", "frequency"),
    [
        ("", "monthly"),
        ("March", "monthly"),
        ("2025-13", "monthly"),
        ("2025-Q1", "monthly"),
        ("2025-Q5", "quarterly"),
        ("2025-03", "weekly"),
        ("2025-W54", "weekly"),
        ("2025-02-30", "monthly"),
    ],
)
def test_a_text_that_names_no_period_is_refused_with_an_example(text, frequency):
    with pytest.raises(ValueError, match="is not a period; give"):
        parse_period(text, frequency)


def test_period_bounds_and_labels():
    assert period_bounds(D(2024, 2, 10), "monthly") == (D(2024, 2, 1), D(2024, 2, 29))
    assert period_bounds(D(2025, 11, 30), "quarterly") == (D(2025, 10, 1), D(2025, 12, 31))
    assert period_bounds(D(2025, 1, 1), "weekly") == (D(2024, 12, 30), D(2025, 1, 5))
    assert period_label(D(2024, 12, 30), "weekly") == "2025-W01"
    assert period_label(D(2025, 10, 1), "quarterly") == "2025-Q4"
    assert period_label(D(2025, 10, 1), "monthly") == "2025-10"


def test_adding_months_clips_to_the_end_of_a_shorter_month():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)
    assert add_months(D(2025, 3, 1), -18) == D(2023, 9, 1)


@pytest.mark.parametrize(
    ("text", "frequency"),
    [
        ("9999-12-31", "monthly"),
        ("9999-12-31", "weekly"),
        ("9999-12-31", "quarterly"),
        ("9999-W52", "weekly"),
        ("9999-12", "monthly"),
        ("9999-Q4", "quarterly"),
    ],
)
def test_a_period_at_the_edge_of_the_calendar_is_refused_not_a_crash(text, frequency):
    with pytest.raises(ValueError, match="is not a period; give"):
        parse_period(text, frequency)
