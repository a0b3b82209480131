"""On a phone (390 x 844) no page is wider than the screen: nothing to scroll sideways."""

from isova.models import Role
from tests.factories import PASSWORD, ActionFactory, MembershipFactory

PHONE = {"width": 390, "height": 844}
PAGES = ["/dashboard/", "/actions/", "/actions/mine/", "/objectives/", "/audits/", "/approvals/"]
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_pages_fit_a_phone_for_a_member_of_two_organisations_with_long_names(
    transactional_db, org, other_org, browser, url
):
    # The header's organisation switcher lists "<organisation> (<role>)" for each membership.
    org.organisation.name = "Hartwell Precision Engineering Ltd"
    org.organisation.save()
    MembershipFactory(organisation=other_org.organisation, user=org.manager, role=Role.STAFF)
    ActionFactory(organisation=org.organisation, owner=org.manager, assigned_by=org.leader)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.manager.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        too_wide = {}
        for path in PAGES:
            page.goto(url(path))
            assert page.get_by_label("Organisation").is_visible()
            if (extra := page.evaluate(OVERFLOW)) > 0:
                too_wide[path] = f"{extra}px wider than the screen"
        assert too_wide == {}
    finally:
        context.close()
