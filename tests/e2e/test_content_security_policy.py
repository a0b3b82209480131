"""Every main page works under the Content-Security-Policy: the browser reports no violation,
and a unit typed as markup is drawn in the chart as text, not as a link (issue 9.8)."""

from playwright.sync_api import expect

from tests.objectives.conftest import add_values, make_objective


def test_the_main_pages_report_no_content_security_policy_violation(
    transactional_db, org, login, url
):
    objective = make_objective(org.organisation, org.manager, unit='<a href="//x.io">u</a>')
    add_values(objective, [81, 82])
    violations: list[str] = []
    page = login(org.manager)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    paths = [
        "/",
        "/dashboard/",
        "/actions/",
        "/actions/mine/",
        "/actions/new/",
        "/approvals/",
        "/policy/",
        "/objectives/",
        "/objectives/goals/",
        "/objectives/new/",
        "/objectives/import/",
        objective.get_absolute_url(),
        "/audits/",
        "/audits/findings/",
    ]
    for path in paths:
        page.goto(url(path))
        page.wait_for_load_state("networkidle")
    assert violations == []

    page.goto(url(objective.get_absolute_url()))
    chart = page.locator("#objective-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    assert chart.locator("a").count() == 0  # the unit is not a live link
    expect(chart.locator(".ytitle")).to_have_text('<a href="//x.io">u</a>')
    assert violations == []
