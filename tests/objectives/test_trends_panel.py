"""The performance trends panel: the twelve furthest behind, one payload, escaping, queries."""

import datetime
import json

import pytest
import time_machine

from tests.objectives.conftest import add_values, make_objective

TODAY = datetime.date(2025, 7, 15)


def _objectives(org, n):
    """`n` active objectives, the i-th (i from 0) with its last value i points behind plan."""
    made = []
    for i in range(n):
        objective = make_objective(org.organisation, org.manager, title=f"Objective {i:02d}")
        # Planned at the end of June: 80 + 20 * 180/364 ≈ 89.9; value 90 - i.
        add_values(objective, [85, 88, 90 - i], first=datetime.date(2025, 4, 1))
        made.append(objective)
    return made


def _payload(response):
    html = response.content.decode()
    start = html.index('id="trends-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2025, 7, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def test_the_trends_payload_holds_the_twelve_furthest_behind_first(org, as_user, today):
    _objectives(org, 15)
    response = as_user(org.leader).get("/dashboard/")
    payload = _payload(response)
    titles = [o["title"] for o in payload["objectives"]]
    assert titles == [f"Objective {i:02d}" for i in range(14, 2, -1)]
    behind = [o["behind"] for o in payload["objectives"]]
    assert behind == sorted(behind, reverse=True)
    assert response.context["trends"]["total"] == 15
    assert "/objectives/?status=active" in response.content.decode()


def test_each_objective_carries_its_values_planned_path_and_target(org, as_user, today):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [85, 88, 90], first=datetime.date(2025, 4, 1))
    entry = _payload(as_user(org.leader).get("/dashboard/"))["objectives"][0]
    assert entry["actual"]["y"] == [85.0, 88.0, 90.0]
    assert entry["planned"] == {"x": ["2025-01-01", "2025-12-31"], "y": [80.0, 100.0]}
    assert entry["target"]["y"] == [100.0, 100.0]
    assert entry["url"] == objective.get_absolute_url()


def test_only_values_of_the_last_two_years_are_charted(org, as_user, today):
    objective = make_objective(org.organisation, org.manager, start_date=datetime.date(2023, 1, 1))
    add_values(objective, [70, 71], first=datetime.date(2023, 5, 1))
    add_values(objective, [80], first=datetime.date(2025, 6, 1))
    entry = _payload(as_user(org.leader).get("/dashboard/"))["objectives"][0]
    assert entry["actual"]["x"] == ["2025-06-30"]


def test_titles_and_units_are_escaped_before_plotly(org, as_user, today):
    make_objective(
        org.organisation, org.manager, title='<img src=x onerror="alert(1)">', unit="<b>%</b>"
    )
    response = as_user(org.leader).get("/dashboard/")
    entry = _payload(response)["objectives"][0]
    assert entry["title"] == '&lt;img src=x onerror="alert(1)"&gt;'
    assert entry["unit"] == "&lt;b&gt;%&lt;/b&gt;"
    assert "<img src=x" not in response.content.decode()


def test_closed_draft_and_other_organisations_objectives_are_not_charted(
    org, other_org, as_user, today
):
    make_objective(org.organisation, org.manager, title="Live")
    make_objective(org.organisation, org.manager, title="Draft", status="draft")
    make_objective(org.organisation, org.manager, title="Done", status="achieved")
    make_objective(other_org.organisation, other_org.manager, title="Theirs")
    payload = _payload(as_user(org.leader).get("/dashboard/"))
    assert [o["title"] for o in payload["objectives"]] == ["Live"]


def test_a_chosen_objective_outside_the_twelve_is_drawn_larger(org, as_user, today):
    objectives = _objectives(org, 14)
    least_behind = objectives[0]
    response = as_user(org.leader).get(f"/dashboard/?trend={least_behind.pk}")
    payload = _payload(response)
    assert payload["chosen"]["id"] == least_behind.pk
    assert least_behind.pk not in [o["id"] for o in payload["objectives"]]
    assert 'id="trend-chosen"' in response.content.decode()


def test_choosing_another_organisations_objective_shows_none_larger(org, other_org, as_user, today):
    _objectives(org, 2)
    theirs = make_objective(other_org.organisation, other_org.manager)
    response = as_user(org.leader).get(f"/dashboard/?trend={theirs.pk}")
    assert response.status_code == 200
    assert _payload(response)["chosen"] is None


@pytest.mark.parametrize("trend", ["abc", "-1", "99999999999999999999"])
def test_a_malformed_trend_choice_is_ignored(org, as_user, today, trend):
    _objectives(org, 1)
    response = as_user(org.leader).get("/dashboard/", {"trend": trend})
    assert response.status_code == 200 and _payload(response)["chosen"] is None


def test_the_trends_panel_alone_is_a_fragment_for_htmx(org, as_user, today):
    objectives = _objectives(org, 3)
    response = as_user(org.leader).get(
        f"/dashboard/panels/trends/?trend={objectives[1].pk}", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="panel-trends"' in html and "<html" not in html
    assert _payload(response)["chosen"]["id"] == objectives[1].pk


def test_plotly_is_loaded_on_the_dashboard_when_the_trends_panel_has_a_chart(org, as_user, today):
    assert "plotly" not in as_user(org.leader).get("/dashboard/").content.decode()
    _objectives(org, 1)
    html = as_user(org.leader).get("/dashboard/").content.decode()
    assert "vendor/plotly/plotly-cartesian.min.js" in html and "js/trends.js" in html


def test_an_owner_filter_charts_only_that_owners_objectives(org, as_user, today, rf):
    from isova.registry import PanelContext
    from objectives.trends import trends_panel

    make_objective(org.organisation, org.manager, title="Manager's")
    make_objective(org.organisation, org.leader, title="Leader's")
    request = rf.get("/dashboard/")
    request.user = org.leader
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=None,
        today=TODAY,
        filters={"owner": org.leader.pk},
    )
    data = trends_panel(ctx)
    assert [o["title"] for o in data["payload"]["objectives"]] == ["Leader's"]
    assert f"owner={org.leader.pk}" in data["all_url"]


@pytest.mark.parametrize("n", [2, 30])
def test_the_trends_panel_runs_a_fixed_number_of_queries(
    org, as_user, today, django_assert_max_num_queries, n
):
    objectives = _objectives(org, n)
    client = as_user(org.leader)
    # session, user, memberships+organisation (3); active objectives for the select (1);
    # the twelve furthest behind with progress (1); the chosen one outside them (1);
    # the values of every shown objective (1). Total 7.
    with django_assert_max_num_queries(7):
        response = client.get(f"/dashboard/panels/trends/?trend={objectives[0].pk}")
    assert response.status_code == 200


def test_an_objective_ahead_of_plan_reads_ahead_never_a_negative_behind(org, as_user, today):
    objective = make_objective(org.organisation, org.manager, title="Ahead")
    add_values(objective, [95, 97, 99], first=datetime.date(2025, 4, 1))  # planned ≈ 89.9
    html = as_user(org.leader).get("/dashboard/").content.decode()
    table = html.split("<caption>Furthest behind plan</caption>", 1)[1].split("</table>", 1)[0]
    assert "% ahead of plan" in table
    assert "-" not in table.split("Ahead</a>", 1)[1]


def test_small_multiple_titles_are_short_and_carry_the_measures_unit(org, as_user, today):
    make_objective(
        org.organisation,
        org.manager,
        title="Orders delivered complete and on time to every customer",
        unit="%",
    )
    make_objective(org.organisation, org.manager, title="Lead time", unit="days")
    entries = _payload(as_user(org.leader).get("/dashboard/"))["objectives"]
    labels = {e["title"]: e["label"] for e in entries}
    assert labels["Lead time"] == "Lead time (days)"
    long = labels["Orders delivered complete and on time to every customer"]
    assert long.endswith("… (%)") and len(long) <= 24 + len(" (%)")
