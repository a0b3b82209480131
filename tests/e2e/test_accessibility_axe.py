"""axe-core on every page of the demo, on a laptop (1366 x 768) and a phone (390 x 844): no
serious and no critical violation anywhere.

The pages are found the way tests/test_site_crawl.py finds them (every link and GET form
from "/"), one page of each kind (the same path but for the ids and the same query parameter
names), then opened in Chromium, logged in through the real login form. A leader reaches every
kind of page but staff's own (their navigation, "Our objectives", their suggestions), so the
leader's pages are scanned, then the kinds only staff reach: each kind once, not once per
person (five people scanned the same pages five times and took over half an hour).
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from isova import demo
from isova.models import User
from tests.test_site_crawl import Crawl, crawl_as, page_kind

SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
USERS = ["leader@example.com", "staff@example.com"]
BLOCKING = ("serious", "critical")
# Pages drawn by a script after load: scanned once what they draw is there (Swagger UI
# fetches the schema, then draws an operation per endpoint).
DRAWN = {"/api/v1/docs/": ".opblock-summary-control"}


def pages_of(email: str, seen: set[tuple]) -> list[str]:
    """One URL of each kind of page `email` can open (200) that no one before scanned."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=email))
    crawl = Crawl()
    crawl_as(client, email, crawl)
    kinds: dict[tuple, str] = {}
    for url, status in sorted(crawl.statuses[email].items()):
        if status == 200 and page_kind(url) not in seen:
            kinds.setdefault(page_kind(url), url)
    seen |= set(kinds)
    # Pages only: downloads (CSV, ICS, the evidence pack) are not opened in the browser.
    return sorted(
        url
        for url in kinds.values()
        if "text/html" in client.get(url).get("Content-Type", "")
        and "attachment" not in client.get(url).get("Content-Disposition", "")
    )


def _violations(axe: Axe, page, label: str) -> list[str]:
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            found.append(f"{label}: {violation['impact']} {violation['id']} at {targets}")
    return found


def test_no_page_of_the_demo_has_a_serious_or_critical_axe_violation(
    transactional_db, browser, url
):
    demo.seed()
    axe = Axe()
    problems: list[str] = []
    scanned = 0
    seen: set[tuple] = set()
    for email in USERS:
        paths = pages_of(email, seen)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, bypass_csp=True)
            try:
                page = context.new_page()
                page.goto(url("/accounts/login/"))
                page.get_by_label("E-mail address").fill(email)
                page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(lambda u: "/accounts/login/" not in u)
                for path in paths:
                    page.goto(url(path))
                    if path in DRAWN:
                        page.wait_for_selector(DRAWN[path])
                    problems += _violations(axe, page, f"{email} {size} {path}")
                    scanned += 1
            finally:
                context.close()
    assert scanned > 60, scanned
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
