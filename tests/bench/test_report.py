"""The README's performance figures are generated from the committed sample results, and the
growth per page is computed, not typed."""

from bench import report, runner


def test_the_readme_shows_exactly_the_figures_of_the_sample_results():
    readme = report.README.read_text()
    assert report.block(report.load()) in readme, "run `manage.py bench_report`"


def test_the_generated_table_has_a_row_per_page_with_its_sql_floor_and_growth():
    results = {
        "scale": 1.0,
        "rows": {"isova_action": 10},
        "growth_from_scale": 0.1,
        "pages": {
            "dashboard": {
                "queries": 40,
                "p50_ms": 90.0,
                "sql_floor_ms": 30.0,
                "over_floor": 3.0,
                "p95_ms": 120.0,
                "rps": 9.0,
                "c8": {"rps": 20.0},
            }
        },
        "growth": {"dashboard": {"ratio": 1.4}},
    }
    table = report.render(results)
    assert "| dashboard | 40 | 90 | 120 | 9 | 20 | 30 | 3 | 1.4× |" in table


def test_growth_divides_each_page_at_the_larger_scale_by_the_smaller():
    small = {"scale": 0.1, "pages": {"a": {"queries": 5, "p50_ms": 10.0, "sql_floor_ms": 2.0}}}
    large = {
        "scale": 1.0,
        "pages": {
            "a": {"queries": 5, "p50_ms": 15.0, "sql_floor_ms": 5.0},
            "new": {"queries": 1, "p50_ms": 1.0},
        },
    }
    assert runner.growth(small, large) == {
        "a": {"queries": [5, 5], "measure": "p50_ms", "ratio": 1.5, "sql_floor_ratio": 2.5}
    }
