from playwright.sync_api import expect

from isova.models import Action, ActionStatus
from tests.factories import PASSWORD, ActionFactory


def test_staff_changes_status_inline_and_it_persists_after_reload(
    transactional_db, org, login, url
):
    action = ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.manager,
        title="Oil the press",
    )
    page = login(org.staff)
    assert page.url.endswith("/actions/mine/")  # staff land on their own actions

    card = page.locator(f"#action-card-{action.pk}")
    # Choosing the status saves it: no button to press (the button is for pages without JS).
    card.get_by_label("New status for “Oil the press”").select_option("in_progress")
    card = page.locator(f"#action-card-{action.pk}")
    expect(card.get_by_text("Saved")).to_be_visible()  # swapped in by htmx, no reload

    page.reload()
    expect(page.locator(f"#action-card-{action.pk}")).to_contain_text("In progress")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert Action.history.filter(id=action.pk, status="in_progress").exists()


def test_the_same_status_change_works_with_javascript_disabled(transactional_db, org, browser, url):
    action = ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.manager,
        title="Sweep the floor",
    )
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.staff.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(url("/actions/mine/"))

        card = page.locator(f"#action-card-{action.pk}")
        card.get_by_label("New status for “Sweep the floor”").select_option("done")
        with page.expect_navigation():  # a real form post and redirect, no htmx
            card.get_by_role("button", name="Update").click()
        assert page.url == url("/actions/mine/")
        expect(page.get_by_text("“Sweep the floor” is now done.")).to_be_visible()
        expect(page.locator(f"#action-card-{action.pk}")).to_contain_text("Done")
    finally:
        context.close()
    action.refresh_from_db()
    assert (action.status, action.completed_by) == (ActionStatus.DONE, org.staff)
