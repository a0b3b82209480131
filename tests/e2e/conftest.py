"""Real-browser tests: Playwright (pytest-playwright's fixtures) driving Debian's Chromium.

Run with `make e2e`; they are part of `make test` too. Every test here is marked `e2e`.
"""

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def login(live_server, page):
    """Log `user` in through the real login form; returns the page, ready on the landing page."""

    def _login(user, password=None):
        from tests.factories import PASSWORD

        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(password or PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _login


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"
