"""A leader filters the dashboard by owner with HTMX (the address follows), then follows a
figure to its list and finds the same count there."""

import datetime

from tests.factories import ActionFactory


def test_a_leader_filters_by_owner_and_follows_a_figure_to_its_list(
    transactional_db, org, login, url
):
    today = org.organisation.today()
    for owner, days in [(org.staff, -3), (org.staff, -1), (org.manager, -2), (org.staff, 5)]:
        ActionFactory(
            organisation=org.organisation,
            owner=owner,
            assigned_by=org.manager,
            due_date=today + datetime.timedelta(days=days),
        )
    page = login(org.leader)
    page.goto(url("/dashboard/"))
    panel = page.locator("#panel-actions")
    assert panel.get_by_role("link", name="3", exact=True).is_visible()  # overdue, anyone
    # the filters start folded on the dashboard: its figures come first
    assert not page.get_by_label("Owner").is_visible()
    page.get_by_text("Filter the dashboard").click()
    page.get_by_label("Owner").press_sequentially("acme sta")
    page.locator("#owner-suggestions").get_by_role("link", name=org.staff.get_full_name()).click()
    page.wait_for_url(lambda url: f"owner={org.staff.pk}" in url)
    overdue = page.locator("#panel-actions").get_by_role("link", name="2", exact=True)
    overdue.wait_for()
    overdue.click()
    page.wait_for_url(lambda url: "/actions/" in url and "overdue=on" in url)
    assert page.locator("#results p.count").inner_text() == "2 actions"
    assert f"owner={org.staff.pk}" in page.url
