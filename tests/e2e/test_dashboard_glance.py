"""The dashboard's "At a glance" block on the demo, in Chromium: whole within the first screen
of a 1366 x 768 laptop and within two screens of a 390 x 844 phone; headed, every figure a
named link, its tone said in words too; a figure followed shows its count in the list."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from isova import demo

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BOTTOM = "() => document.getElementById('panel-glance').getBoundingClientRect().bottom + scrollY"


def _open_dashboard(browser, url, viewport, **options):
    # CSP bypassed for axe's injected script only (as in test_accessibility_axe.py)
    context = browser.new_context(viewport=viewport, bypass_csp=True, **options)
    page = context.new_page()
    page.goto(url("/accounts/login/"))
    page.get_by_label("E-mail address").fill("leader@example.com")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)
    page.goto(url("/dashboard/"))
    return context, page


@pytest.fixture
def seeded(transactional_db):
    demo.seed()


@pytest.mark.parametrize(
    ("viewport", "screens", "options"),
    [(LAPTOP, 1, {}), (PHONE, 2, {"is_mobile": True, "has_touch": True})],
    ids=["laptop", "phone"],
)
def test_the_glance_block_fits_the_first_screens(seeded, browser, url, viewport, screens, options):
    context, page = _open_dashboard(browser, url, viewport, **options)
    try:
        block = page.locator("#panel-glance")
        expect(block.get_by_role("heading", name="At a glance", level=2)).to_be_visible()
        for title in ("Objectives", "Audits", "Risks", "Waiting for you"):
            expect(block.get_by_role("heading", name=title, level=3)).to_be_visible()
        expect(block.get_by_role("heading", name="Leadership health", level=3)).to_be_visible()
        expect(block.get_by_role("heading", name="Performance trends", level=3)).to_be_visible()
        bottom = page.evaluate(BOTTOM)
        assert bottom <= screens * viewport["height"], f"{bottom}px from the top"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        violations = Axe().run(page, context="#panel-glance").response["violations"]
        blocking = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert blocking == []
    finally:
        context.close()


def test_every_glance_figure_is_a_named_link_and_leads_to_its_count(seeded, browser, url):
    context, page = _open_dashboard(browser, url, LAPTOP)
    try:
        figures = page.locator("#panel-glance .glance-figure")
        assert figures.count() >= 20
        for i in range(figures.count()):
            link = figures.nth(i).get_by_role("link")
            expect(link).to_have_count(1)
            name = link.inner_text().strip()
            assert len(name) > 3, name  # more than a bare number
        # tone is never colour alone: the health line says each colour in words
        health = page.locator("#panel-glance .glance-health .glance-status")
        for i in range(health.count()):
            assert re.search(r": (green|amber|red|grey)", health.nth(i).inner_text())
        overdue = page.locator("#panel-glance .glance-audits a", has_text="overdue")
        count = int(overdue.locator("strong").inner_text())
        overdue.click()
        page.wait_for_url("**/actions/**")
        expect(page.locator("p.count")).to_have_text(re.compile(rf"^{count} actions?$"))
    finally:
        context.close()
