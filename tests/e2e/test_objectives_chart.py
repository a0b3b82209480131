import datetime

from playwright.sync_api import expect

from objectives.models import Measurement, period_bounds, period_label
from tests.objectives.conftest import add_values, make_objective


def test_a_manager_records_a_value_and_the_chart_shows_it(transactional_db, org, login, url):
    today = org.organisation.today()
    objective = make_objective(
        org.organisation,
        org.manager,
        title="Raise on-time delivery",
        start_date=today.replace(day=1) - datetime.timedelta(days=120),
        target_date=today + datetime.timedelta(days=240),
    )
    add_values(objective, [81, 82])
    last_month, _ = period_bounds(today.replace(day=1) - datetime.timedelta(days=1), "monthly")
    month = period_label(last_month, "monthly")

    page = login(org.manager)
    page.goto(url(objective.get_absolute_url()))
    chart = page.locator("#objective-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()  # Plotly drew it
    actual = "document.getElementById('objective-chart').data.find(t => t.name === 'Actual').y"
    assert page.evaluate(actual) == [81, 82]

    page.get_by_label("Period").fill(month)
    page.get_by_label("Value (%)").fill("87.5")
    page.get_by_label("Comment").fill("Best month so far")
    page.get_by_role("button", name="Save value").click()

    expect(page.get_by_text(f"Saved {month}: 87.5")).to_be_visible()  # swapped in, no reload
    # The swapped-in chart has no data until Plotly has drawn it again. Poll from here:
    # wait_for_function evaluates its string with eval() inside the page, which the
    # Content-Security-Policy (script-src 'self') refuses whenever it has to poll twice.
    redrawn = (
        "document.getElementById('objective-chart')?.data"
        "?.find(t => t.name === 'Actual')?.y?.includes(87.5) === true"
    )
    for _ in range(100):
        if page.evaluate(redrawn):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(redrawn), "the chart was not redrawn with the new value"
    assert page.evaluate(actual)[-1] == 87.5
    expect(page.locator("#values")).to_contain_text("Best month so far")
    assert Measurement.objects.get(objective=objective, period=last_month).value == 87.5
