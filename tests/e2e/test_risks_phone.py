"""On a phone (390 x 844) the risk pages are no wider than the screen."""

from tests.e2e.test_phone_layout import OVERFLOW, PHONE
from tests.factories import PASSWORD
from tests.risks.conftest import raise_risk


def test_risk_pages_fit_a_phone(transactional_db, org, browser, url):
    risk = raise_risk(org, title="A rather long risk title about the heat-treatment supplier")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.manager.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        too_wide = {}
        paths = ["/risks/", "/risks/heat-map/", "/risks/matrix/", risk.get_absolute_url()]
        for path in [*paths, "/risks/new/", f"/risks/{risk.pk}/review/", "/risks/import/"]:
            page.goto(url(path))
            if (extra := page.evaluate(OVERFLOW)) > 0:
                too_wide[path] = f"{extra}px wider than the screen"
        assert too_wide == {}
    finally:
        context.close()
