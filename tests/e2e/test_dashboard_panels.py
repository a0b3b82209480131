import datetime

from playwright.sync_api import expect

from objectives.models import Objective
from tests.objectives.conftest import add_values, make_objective


def test_a_leader_sees_the_trends_chart_and_follows_a_health_figure_to_its_list(
    transactional_db, org, login, url
):
    today = org.organisation.today()
    start = today.replace(day=1) - datetime.timedelta(days=150)
    for i, title in enumerate(("Raise on-time delivery", "Cut scrap <b>rate</b>")):
        objective = make_objective(
            org.organisation,
            org.manager,
            title=title,
            start_date=start,
            target_date=today + datetime.timedelta(days=200),
        )
        add_values(objective, [81 + i, 82, 80 - 3 * i])
        Objective.objects.filter(pk=objective.pk).update(
            next_review_date=today - datetime.timedelta(days=3)
        )
    errors: list[str] = []

    page = login(org.leader)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(url("/dashboard/"))
    chart = page.locator("#trends-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()  # Plotly drew the small multiples
    assert page.evaluate("document.getElementById('trends-chart').data.length") == 6
    # The title is drawn as typed, not as bold markup.
    expect(chart).to_contain_text("Cut scrap <b>rate</b>")

    page.get_by_label("Show one objective larger").select_option(label="Raise on-time delivery")
    expect(page.locator("#trend-chosen .main-svg").first).to_be_visible()

    page.locator("#health-objectives_review_overdue a").click()
    page.wait_for_url("**/objectives/reviews/")
    expect(page.get_by_text("Raise on-time delivery").first).to_be_visible()
    assert errors == []
