"""Figures and dates read as people write them on the demo's main pages (issue 22.9).

The demo is seeded once for the module (rolled back at the end). For the dashboard, the
objectives list, "Our objectives", every objective's page, the risk register and heat map,
every risk's page, the leadership evidence page, the management reviews (their packs) and
My work, as a leader and as a member of staff, the text a person sees (no <script> or
<style>, no attributes, so no <time datetime> values) has no ISO date such as 2026-12-04
and no figure with more decimals than a measure is written with; an objective's own page
writes its computed figures (planned, forecast) at the measure's own decimals.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client, override_settings

from isova import demo
from isova.models import User

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"  # as tests/conftest.py
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A figure with three or more decimals ("9.93333"): no measure of the demo is written so.
LONG_DECIMAL = re.compile(r"(?<![\d.])\d[\d,]*\.\d{3,}\b")
MAX_DETAILS = 8  # detail pages of one kind read per person: every state of the demo

pytestmark = pytest.mark.django_db


class VisibleText(HTMLParser):
    """The text a person sees: character data outside <script>, <style> and <template>."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems_in(url: str, html: str) -> list[str]:
    text = visible_text(html)

    def where(m: re.Match) -> str:
        return text[max(0, m.start() - 50) : m.end() + 20]

    found = [f"{url}: ISO date in {where(m)!r}" for m in ISO_DATE.finditer(text)]
    found += [f"{url}: raw figure in {where(m)!r}" for m in LONG_DECIMAL.finditer(text)]
    return found


def _links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', html)))[:MAX_DETAILS]


def _pages(client: Client) -> dict[str, str]:
    pages: dict[str, str] = {}

    def get(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = response.content.decode()
        return pages[url]

    for url in ("/objectives/ours/", "/risks/heat-map/", "/actions/mine/"):
        get(url)
    for listing, detail in (
        ("/objectives/?status=", r"/objectives/\d+/"),
        ("/risks/", r"/risks/\d+/"),
        ("/reviews/", r"/reviews/\d+/"),
    ):
        for url in _links(get(listing), detail):
            get(url)
    return pages


@pytest.fixture(scope="module")
def seen(django_db_setup, django_db_blocker) -> dict[str, dict[str, str]]:
    """Every page read, by person, then by URL."""
    out: dict[str, dict[str, str]] = {}
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        demo.seed()
        for email in ("leader@example.com", "staff@example.com"):
            client = Client()
            client.force_login(User.objects.get(email=email))
            pages = _pages(client)
            if email.startswith("leader"):
                for url in ("/dashboard/", "/leadership/evidence/"):
                    response = client.get(url)
                    assert response.status_code == 200, url
                    pages[url] = response.content.decode()
            out[email] = pages
        from objectives.models import Objective

        out["decimals"] = {  # type: ignore[assignment]
            f"/objectives/{o.pk}/": str(o.decimals) for o in Objective.objects.all()
        }
        transaction.set_rollback(True)
    return out


def test_the_main_pages_were_read(seen):
    leader = seen["leader@example.com"]
    for needed in ("/dashboard/", "/leadership/evidence/", "/risks/heat-map/"):
        assert needed in leader
    assert sum(bool(re.fullmatch(r"/objectives/\d+/", u)) for u in leader) >= 3
    assert sum(bool(re.fullmatch(r"/risks/\d+/", u)) for u in leader) >= 3
    assert sum(bool(re.fullmatch(r"/reviews/\d+/", u)) for u in leader) >= 1


@pytest.mark.parametrize("email", ["leader@example.com", "staff@example.com"])
def test_no_page_shows_an_iso_date_or_a_raw_figure(seen, email):
    problems = [p for url, html in seen[email].items() for p in problems_in(url, html)]
    assert not problems, "\n".join(problems)


def test_an_objective_writes_planned_and_forecast_at_the_measures_decimals(seen):
    with_decimals = 0
    for url, html in seen["leader@example.com"].items():
        match = re.fullmatch(r"/objectives/(\d+)/", url)
        if not match:
            continue
        text = visible_text(html)
        figures = re.findall(r"(?:Planned by|Forecast at) \d+ \w+ \d{4} (-?[\d,]+(?:\.\d+)?)", text)
        assert figures, url
        places = int(seen["decimals"][url])
        for figure in figures:
            decimals = len(figure.split(".")[1]) if "." in figure else 0
            assert decimals == places, (url, figure, places)
        with_decimals += places > 0
    assert with_decimals, "the demo has a measure written with decimals"


def test_behind_plan_is_never_negative_on_the_dashboard(seen):
    html = seen["leader@example.com"]["/dashboard/"]
    table = html.split("<caption>Furthest behind plan</caption>", 1)[1].split("</table>", 1)[0]
    text = visible_text(table)
    assert not re.search(r"-\d", text), text
    assert re.search(r"(behind|ahead of) plan|on plan", text)


def test_the_checker_finds_iso_dates_and_raw_figures_but_not_in_attributes_or_scripts():
    html = (
        '<p data-x="2026-12-04">Due <time datetime="2026-12-04">4 Dec 2026</time>, 9.9 %</p>'
        '<script>var d = "2026-12-04", v = 9.93333;</script>'
    )
    assert problems_in("/ok/", html) == []
    bad = "<td>2026-12-04</td><td>9.93333</td><td>1,234.5678</td>"
    assert len(problems_in("/bad/", bad)) == 3
