"""On a phone (390 x 844) the header stays compact, filters fold away so results come first,
and My actions saves a status as soon as it is chosen."""

from playwright.sync_api import expect

from isova.models import ActionStatus, Role
from tests.factories import PASSWORD, ActionFactory, MembershipFactory

PHONE = {"width": 390, "height": 844}


def _phone_login(browser, url, user):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url("/accounts/login/"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    return context, page


def test_the_header_takes_less_than_a_sixth_of_a_phone_screen(
    transactional_db, org, other_org, browser, url
):
    org.organisation.name = "Hartwell Precision Engineering Ltd"
    org.organisation.save()
    MembershipFactory(organisation=other_org.organisation, user=org.manager, role=Role.STAFF)
    for user in (org.manager, org.staff):
        context, page = _phone_login(browser, url, user)
        try:
            for path in ("/actions/", "/objectives/"):
                page.goto(url(path))
                height = page.locator("header.site-header").bounding_box()["height"]
                assert height <= PHONE["height"] / 6, f"{user.email} {path}: {height}px"
        finally:
            context.close()


def test_filters_are_folded_on_a_phone_and_open_on_a_desktop(transactional_db, org, browser, url):
    context, page = _phone_login(browser, url, org.manager)
    try:
        page.goto(url("/actions/"))
        expect(page.get_by_label("Owner")).to_be_hidden()
        page.get_by_text("Filter actions", exact=True).click()
        expect(page.get_by_label("Owner")).to_be_visible()
    finally:
        context.close()
    desktop = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = desktop.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.manager.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        page.goto(url("/actions/"))
        expect(page.get_by_label("Owner")).to_be_visible()
    finally:
        desktop.close()


def test_my_actions_saves_a_status_as_soon_as_it_is_chosen(transactional_db, org, browser, url):
    action = ActionFactory(
        organisation=org.organisation, owner=org.staff, assigned_by=org.manager, title="Oil it"
    )
    context, page = _phone_login(browser, url, org.staff)
    try:
        card = page.locator(f"#action-card-{action.pk}")
        card.get_by_label("New status for “Oil it”").select_option("done")
        expect(page.locator(f"#action-card-{action.pk}").get_by_text("Saved")).to_be_visible()
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE
    finally:
        context.close()
