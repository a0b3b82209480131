from playwright.sync_api import expect

from isova.models import Action, ActionStatus
from tests.factories import ActionFactory


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
    card.get_by_label("New status for “Oil the press”").select_option("in_progress")
    card.get_by_role("button", name="Update").click()
    card = page.locator(f"#action-card-{action.pk}")
    expect(card.get_by_text("Saved")).to_be_visible()  # swapped in by htmx, no reload

    page.reload()
    expect(page.locator(f"#action-card-{action.pk}")).to_contain_text("In progress")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert Action.history.filter(id=action.pk, status="in_progress").exists()
