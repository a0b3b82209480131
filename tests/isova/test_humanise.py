"""Figures and dates for people: the review pack shows "9.9" and "4 Dec 2026", never
"9.93333" or "2026-12-04" (#22 item 9)."""

import datetime
from decimal import Decimal

from django.template.loader import render_to_string

from isova.humanise import cell, day, decimals_of, figure
from objectives.review_inputs import _performance_row


def test_figures_round_to_the_given_places_without_trailing_zeros_and_group_thousands():
    assert figure("9.93333") == "9.93"
    assert figure(Decimal("9.93333"), 1) == "9.9"
    assert figure("95.000") == "95"
    assert figure(12345.5, 1) == "12,345.5"
    assert figure(None) == "—"
    assert figure("-0.001") == "0"


def test_a_measure_is_written_with_the_decimals_of_its_baseline_and_target():
    assert decimals_of(Decimal("80"), Decimal("10.5")) == 1
    assert decimals_of(Decimal("80.00"), Decimal("100")) == 0


def test_dates_read_as_people_write_them_from_dates_and_frozen_iso_strings():
    assert day(datetime.date(2026, 12, 4)) == "4 Dec 2026"
    assert day("2026-12-04") == "4 Dec 2026"
    assert cell("2026-12-04") == "4 Dec 2026"
    assert cell("9.93333") == "9.93"
    assert cell("Orders on time") == "Orders on time"
    assert cell(7) == "7"


def test_the_process_performance_row_uses_the_measures_decimals_and_a_readable_period():
    row = _performance_row(
        {
            "measure_name": "Scrap rate",
            "title": "Less scrap",
            "last_value": Decimal("9.93333"),
            "unit": "%",
            "last_period": datetime.date(2026, 11, 1),
            "baseline": Decimal("12.5"),
            "target": Decimal("8.0"),
            "forecast": 7.04444,
        }
    )
    assert row == ["Scrap rate", "9.9 %", "1 Nov 2026", "12.5", "8", "7"]


def test_a_frozen_pack_table_renders_readable_cells():
    data = {"table": {"columns": ["Due", "Value"], "rows": [["2026-12-04", "9.93333"]]}}
    html = render_to_string("reviews/inputs/_section.html", {"data": data})
    assert "<td>4 Dec 2026</td>" in html and "<td>9.93</td>" in html
    assert "2026-12-04" not in html and "9.93333" not in html


def test_a_measure_is_written_at_its_own_decimals_with_its_unit():
    from isova.humanise import measure

    assert measure(97.1234, 1, "%") == "97.1%"
    assert measure(Decimal("90"), 1, "%") == "90.0%"
    assert measure(6.6, 0, "days") == "7 days"
    assert measure(1234.5, 0, "days") == "1,235 days"
    assert measure(-0.04, 1) == "0.0"
    assert measure(None, 1, "%") == "—"


def test_a_gap_to_the_plan_is_never_a_negative_behind():
    from isova.humanise import plan_gap

    assert plan_gap(12.46) == "12.5 % behind plan"
    assert plan_gap(-3.0) == "3 % ahead of plan"
    assert plan_gap(-0.01) == "on plan"
    assert plan_gap(None) == "no data"
