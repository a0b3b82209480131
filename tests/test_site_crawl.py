"""Whole-site smoke and accessibility crawl over the demo data.

For each demo login the crawler walks the site breadth-first from "/", following the
same-site `<a href>` links of every page (GET only), and records what each page looks like.
The tests below then assert on those records: no server errors, labelled form controls,
`alt` on images, one `<h1>`, a `lang`, unique ids, one current link per nav, and that one
organisation's pages never show the other one's name or people, nor open its detail pages to
its leader.

The demo is seeded and crawled once for the module, inside a transaction rolled back at the
end (like tests/isova/test_seed.py); each test reads the collected records.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve

from isova import demo
from isova.models import User
from tests.permission_trap import InputRead, trap_input

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"  # as tests/conftest.py
LOADED_RELS = {"stylesheet", "icon"}  # <link>s the browser fetches for the page itself
PRODUCTION_STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
ENGINEERING_USERS = [
    "leader@example.com",
    "manager@example.com",
    "staff@example.com",
    "auditor@example.com",
]
CARE_LEADER = "leader@care.example.com"
ENGINEERING_LEADER = "leader@example.com"
STAFF = "staff@example.com"
DEMO_USERS = [*ENGINEERING_USERS, CARE_LEADER]
ANONYMOUS = "anonymous visitor"  # crawls the login and password-reset pages
MAX_PAGES_PER_USER = 400
SKIPPED_PREFIXES = ("/admin/", "/accounts/logout", "/static/", "/media/")
SKIPPED_SUFFIXES = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff2")
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
NUMERIC_SEGMENT = re.compile(r"/\d+(/|$)")
# Pages of one kind (the same path but for the ids, the same query parameter names) crawled
# per user, and pages of one path with any query: enough to meet objects in different states
# and each filter, few enough to stay quick and to stop at endless links ("next year").
MAX_PAGES_PER_KIND = 5
MAX_QUERIES_PER_PATH = 10
# Each test is a `db` test (so the test database is set up) reading the module's one crawl.
pytestmark = pytest.mark.django_db


@dataclass
class GetForm:
    """A `<form method="get">`: where it goes, its fields' defaults and each select's options."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)

    def urls(self) -> list[str]:
        """The form submitted as rendered, then with each select set to each other option."""
        queries = [self.fields]
        for name, options in self.choices.items():
            for option in options:
                changed = [(n, option if n == name else v) for n, v in self.fields]
                if changed not in queries:
                    queries.append(changed)
        return [f"{self.action.split('?')[0]}?{urlencode(q)}" for q in queries]


class PageParser(HTMLParser):
    """Collects the links, GET forms and accessibility facts of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.htmx_links: list[str] = []
        self.forms: list[GetForm] = []
        self.post_actions: list[str] = []  # where each <form method="post"> goes
        self.h1_count = 0
        self.heading_levels: list[int] = []
        self.html_lang: str | None = None
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        # (description, id, named by a wrapping label or aria-*)
        self.controls: list[tuple[str, str | None, bool]] = []
        self.images_without_alt: list[str] = []
        self.assets: list[str] = []  # every script, stylesheet and icon the page loads
        self.references: list[tuple[str, str]] = []  # (attribute, id it names)
        self.current_links: Counter[str] = Counter()  # nav label -> links marked current
        self._navs: list[str] = []
        self._form: GetForm | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        for attribute in ("aria-labelledby", "aria-describedby"):
            self.references += [(attribute, ref) for ref in a.get(attribute, "").split()]
        if a.get("hx-get"):
            self.htmx_links.append(a["hx-get"])
        if tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and a.get("href") and LOADED_RELS & set(a.get("rel", "").split()):
            self.assets.append(a["href"])
        if tag == "nav":
            self._navs.append(a.get("aria-label", "unlabelled"))
        if a.get("aria-current") == "page" and self._navs:
            self.current_links[self._navs[-1]] += 1
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "h1":
            self.h1_count += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.heading_levels.append(int(tag[1]))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
                self.references.append(("label for", a["for"]))
        elif tag == "img" and "alt" not in a:
            self.images_without_alt.append(a.get("src", "?"))
        elif tag == "form":
            is_get = a.get("method", "get").lower() == "get"
            if not is_get:
                self.post_actions.append(a.get("action", ""))
            self._form = GetForm(action=a.get("action", "")) if is_get else None
            if self._form:
                self.forms.append(self._form)
        elif tag == "option" and self._select:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag in ("input", "select", "textarea"):
            self._control(tag, a)

    def _control(self, tag: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower() if tag == "input" else tag
        if self._form is not None and a.get("name") and kind not in UNLABELLED_INPUT_TYPES:
            if tag == "select":
                self._select = (a["name"], [], [])
            elif kind not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append(
                    (a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
                )
        elif self._form is not None and kind == "hidden" and a.get("name"):
            self._form.fields.append((a["name"], a.get("value", "")))
        if kind in UNLABELLED_INPUT_TYPES:
            return
        described = f"<{tag} name={a.get('name')!r} id={a.get('id')!r}>"
        named = bool(self.open_labels or a.get("aria-label") or a.get("aria-labelledby"))
        self.controls.append((described, a.get("id"), named))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "label":  # <label/> is not valid HTML, but must not stay "open"
            self.open_labels -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1
        elif tag == "nav" and self._navs:
            self._navs.pop()
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            name, options, selected = self._select
            default = (selected or options or [""])[0]
            self._form.fields.append((name, default))
            self._form.choices[name] = [o for o in options if o != default]
            self._select = None

    def problems(self) -> list[str]:
        found = []
        if self.h1_count != 1:
            found.append(f"{self.h1_count} <h1> elements (want exactly one)")
        if not self.html_lang:
            found.append("<html> has no lang")
        for before, after in zip(self.heading_levels, self.heading_levels[1:], strict=False):
            if after > before + 1:  # axe's heading-order: h1 then h3 skips a level
                found.append(f"heading order: <h{after}> follows <h{before}>")
                break
        for duplicate, count in Counter(self.ids).items():
            if count > 1:
                found.append(f"id {duplicate!r} used {count} times")
        for described, control_id, named in self.controls:
            if not named and not (control_id and control_id in self.label_for):
                found.append(f"unlabelled {described}")
        for nav, count in self.current_links.items():
            if count > 1:
                found.append(f"{count} links of the {nav!r} nav are aria-current=page")
        for src in self.images_without_alt:
            found.append(f"<img src={src!r}> has no alt")
        ids = set(self.ids)
        for attribute, ref in self.references:
            if ref not in ids:
                found.append(f"{attribute}={ref!r} names no element on the page")
        return found


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@dataclass
class Crawl:
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # user -> url -> status
    page_problems: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    cross_org: list[str] = field(default_factory=list)
    template_text: list[str] = field(default_factory=list)
    assets: dict[str, str] = field(default_factory=dict)  # script/style URL -> a page using it
    post_urls: dict[str, str] = field(default_factory=dict)  # form target -> a page with it
    input_before_permission: list[str] = field(default_factory=list)
    walked_routes: set[str] = field(default_factory=set)
    missing_assets: list[str] = field(default_factory=list)


TEMPLATE_SYNTAX = ("{#", "{%", "{{")


def template_text(html: str) -> list[str]:
    """Template syntax that reached the page (an unclosed multi-line `{# #}`, say), in context."""
    found = []
    for mark in TEMPLATE_SYNTAX:
        at = html.find(mark)
        if at >= 0:
            found.append(f"{mark!r} in {html[max(at - 30, 0) : at + 50]!r}")
    return found


def _internal(base: str, href: str) -> str | None:
    """The same-site path (with query) that `href` on page `base` points to, or None."""
    href = href.strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    url, _fragment = urldefrag(urljoin("http://testserver" + base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(SKIPPED_SUFFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def page_kind(url: str) -> tuple[str, tuple[str, ...]]:
    """The path with ids as N, and the query's parameter names: `/actions/N/edit/`, ("next",)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    return path, tuple(sorted({name for name, _ in parse_qsl(parts.query, True)}))


def foreign_words(email: str) -> list[str]:
    """Names from the demo organisation `email` does not belong to (none if in both)."""
    specs = (demo.ENGINEERING, demo.CARE_HOME)
    own = {p.email for spec in specs for p in spec["people"] if email in _emails(spec)}
    words = []
    for spec in specs:
        if email not in _emails(spec):
            words.append(spec["name"])
            words += [p.name for p in spec["people"] if p.email not in own]
    return words


def _emails(spec: dict) -> set[str]:
    return {p.email for p in spec["people"]}


def crawl_as(client: Client, email: str, crawl: Crawl) -> None:
    """Breadth-first from "/": links and GET forms as pages, `hx-get`s as htmx requests.

    No page may name the other organisation or its people.
    """
    foreign = foreign_words(email)
    seen = {("/", False)}
    kinds: Counter[tuple] = Counter()
    queue = deque([("/", False)])
    statuses: dict[str, int] = {}

    def enqueue(base: str, hrefs: list[str], htmx: bool) -> None:
        for href in hrefs:
            target = _internal(base, href)
            if not target or (target, htmx) in seen:
                continue
            path, names = page_kind(target)
            kind, path_with_query = (path, names, htmx), (path, bool(names), htmx)
            if kinds[kind] < MAX_PAGES_PER_KIND and (
                not names or kinds[path_with_query] < MAX_QUERIES_PER_PATH
            ):
                seen.add((target, htmx))
                kinds[kind] += 1
                kinds[path_with_query] += 1
                queue.append((target, htmx))

    while queue and len(seen) - len(queue) < MAX_PAGES_PER_USER:
        url, htmx = queue.popleft()
        label = f"{email} GET {url}" + (" (htmx)" if htmx else "")
        response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        if not htmx:
            statuses[url] = response.status_code
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            cause = f" ({error[0].__name__}: {error[1]})" if error else ""
            crawl.server_errors.append(f"{label} -> {response.status_code}{cause}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            enqueue(url, [response["Location"]], htmx=False)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        parser = parse(html)
        crawl.cross_org += [f"{label} shows {word!r}" for word in foreign if word in html]
        crawl.template_text += [f"{label}: {text}" for text in template_text(html)]
        for asset in parser.assets:
            crawl.assets.setdefault(urljoin(url, asset), label)
        for action in parser.post_actions:
            target = _internal(url, action or url)
            if target:
                crawl.post_urls.setdefault(target, label)
        if htmx and b"<html" in response.content:
            crawl.page_problems.append(f"{label}: a whole page, not a fragment")
        elif not htmx:
            crawl.page_problems += [f"{label}: {problem}" for problem in parser.problems()]
        enqueue(url, parser.links, htmx=False)
        enqueue(url, [u for form in parser.forms for u in form.urls()], htmx=False)
        enqueue(url, parser.htmx_links, htmx=True)
    crawl.statuses[email] = statuses


def detail_urls(statuses: dict[str, int]) -> set[str]:
    """The pages shown (200) whose path names an object by its numeric id."""
    return {
        url
        for url, status in statuses.items()
        if status == 200 and NUMERIC_SEGMENT.search(urlsplit(url).path)
    }


def check_other_org_cannot_open(client: Client, email: str, urls: set[str], crawl: Crawl) -> None:
    """Each URL answers 404 or 403 to `email`; those error pages get the page checks too."""
    for url in sorted(urls):
        response = client.get(url)
        if response.status_code not in (403, 404):
            crawl.cross_org.append(f"{email} GET {url} -> {response.status_code} (want 404 or 403)")
        elif "text/html" in response.get("Content-Type", ""):
            problems = parse(response.content.decode()).problems()
            crawl.page_problems += [
                f"{email} GET {url} ({response.status_code}): {p}" for p in problems
            ]


def check_assets(crawl: Crawl) -> None:
    """Every script, stylesheet and icon a page loads answers 200 (served by WhiteNoise from
    the collected files, as in production)."""
    client = Client(raise_request_exception=False)
    for asset, page in sorted(crawl.assets.items()):
        response = client.get(asset)
        if response.status_code != 200:
            crawl.missing_assets.append(f"{asset} -> {response.status_code} (on {page})")
        if response.streaming:
            # Read through the test client's wrapper, which closes the file without firing
            # request_finished (whose handler would close the database connection mid-crawl).
            b"".join(response.streaming_content)


# Endpoints any member may post to (their own notifications, their own organisation switch):
# no role permission is consulted, so reading input first is right for them.
OPEN_TO_EVERY_MEMBER = {
    "login",  # public: for anyone, signed in or not
    "password_reset",
    "calendar_settings",  # each member's own calendar address
    "notification_read",
    "notification_read_all",
    "notification_preferences",
    "switch_organisation",
    "password_change",
    "api_tokens",  # each member's own API tokens (the form's scope is checked against the role)
    "totp_setup",  # each member's own authenticator app
}


def check_permission_first(crawl: Crawl) -> None:
    """Post an empty form to every form target the crawl met, as every demo user: a view
    must consult the role permissions (or answer 403/404) before it reads any input."""
    middleware = [*settings.MIDDLEWARE, "tests.permission_trap.TrapMiddleware"]
    with override_settings(MIDDLEWARE=middleware), trap_input():
        for email in DEMO_USERS:
            client = Client()
            client.force_login(User.objects.get(email=email))
            for url in sorted(crawl.post_urls):
                match = resolve(urlsplit(url).path)
                crawl.walked_routes.add(match.route)
                try:
                    with transaction.atomic():
                        client.post(url, {})
                        transaction.set_rollback(True)
                except InputRead as read:
                    if not read.checked and match.url_name not in OPEN_TO_EVERY_MEMBER:
                        crawl.input_before_permission.append(
                            f"{email} POST {url} ({match.view_name}) read input before "
                            "consulting any permission"
                        )


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """Static files as production has them: collected, hashed and listed in the manifest by
    the storage production uses (settings.STORAGES under DEBUG=0), so a template that names a
    static file which does not exist fails to render (a 500) instead of drawing nothing."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker, production_static) -> Crawl:
    result = Crawl()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        demo.seed()
        clients = {}
        for email in [*DEMO_USERS, ANONYMOUS]:
            clients[email] = Client(raise_request_exception=False)
            if email != ANONYMOUS:
                clients[email].force_login(User.objects.get(email=email))
            crawl_as(clients[email], email, result)
        engineering = set().union(*(detail_urls(result.statuses[e]) for e in ENGINEERING_USERS))
        care = detail_urls(result.statuses[CARE_LEADER])
        check_other_org_cannot_open(clients[CARE_LEADER], CARE_LEADER, engineering, result)
        check_other_org_cannot_open(clients[ENGINEERING_LEADER], ENGINEERING_LEADER, care, result)
        check_assets(result)
        check_permission_first(result)
        transaction.set_rollback(True)
    return result


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_crawl_reaches_every_part_of_the_site_for_each_demo_user(crawl):
    for email in DEMO_USERS:
        paths = {urlsplit(u).path for u, s in crawl.statuses[email].items() if s == 200}
        sections = ["/actions/", "/objectives/", "/audits/", "/policy/"]
        if email != STAFF:  # staff have no dashboard or approvals inbox in their navigation
            sections += ["/dashboard/", "/approvals/"]
        for section in sections:
            assert section in paths, f"{email} never reached {section}"
        assert detail_urls(crawl.statuses[email]), f"{email} reached no detail page"


def test_an_anonymous_visitor_reaches_the_login_and_password_reset_pages_only(crawl):
    shown = {urlsplit(u).path for u, s in crawl.statuses[ANONYMOUS].items() if s == 200}
    assert {"/accounts/login/", "/accounts/password_reset/"} <= shown
    assert all(path.startswith("/accounts/") for path in shown), shown


def test_no_page_answers_a_server_error(crawl):
    assert not crawl.server_errors, _report(crawl.server_errors)


def test_every_page_has_one_h1_a_lang_unique_ids_labelled_controls_and_image_alts(crawl):
    assert not crawl.page_problems, _report(crawl.page_problems)


def test_every_page_renders_with_the_production_static_manifest(crawl, production_static):
    # A missing static file is a ValueError from the manifest storage, a 500 in the crawl.
    assert (production_static / "staticfiles.json").exists()
    assert not crawl.server_errors, _report(crawl.server_errors)


def test_every_script_stylesheet_and_icon_of_every_page_answers_200(crawl):
    assert any(a.endswith(".js") for a in crawl.assets), "the crawl met no script at all"
    assert any(a.endswith(".css") for a in crawl.assets), "the crawl met no stylesheet"
    assert not crawl.missing_assets, _report(crawl.missing_assets)


def test_the_checker_collects_scripts_stylesheets_and_icons():
    page = """<html lang="en"><head><link rel="stylesheet" href="/static/css/app.css">
    <link rel="icon" href="/static/img/favicon.svg"><link rel="preconnect" href="/x">
    <script src="/static/js/filters.js"></script><script>inline()</script></head></html>"""
    assert parse(page).assets == [
        "/static/css/app.css",
        "/static/img/favicon.svg",
        "/static/js/filters.js",
    ]


def test_every_form_target_decides_permission_before_reading_input(crawl):
    assert len(crawl.post_urls) > 30, sorted(crawl.post_urls)
    assert not crawl.input_before_permission, _report(crawl.input_before_permission)


def test_the_permission_walk_reaches_the_endpoints_found_wrong_before(crawl):
    assert "objectives/<int:pk>/withdraw/" in crawl.walked_routes, sorted(crawl.walked_routes)


def test_no_page_shows_template_syntax(crawl):
    assert not crawl.template_text, _report(crawl.template_text)


def test_neither_organisation_sees_the_other_ones_detail_pages(crawl):
    assert not crawl.cross_org, _report(crawl.cross_org)


# The checker itself, on small pages (so a crawl that finds nothing means something).

GOOD_PAGE = """<!doctype html><html lang="en"><body><h1>Title</h1>
<form method="get" action="/actions/"><label for="q">Search</label><input id="q" name="q">
<label>Mine <input type="checkbox" name="mine" checked></label>
<select name="status" aria-label="Status"><option value="">Any</option>
<option value="open" selected>Open</option><option value="done">Done</option></select>
<input type="hidden" name="sort" value="due"><button type="submit">Go</button></form>
<img src="/static/logo.svg" alt=""><a href="/actions/1/#top">One</a></body></html>"""


def test_the_checker_passes_a_page_without_problems():
    assert parse(GOOD_PAGE).problems() == []


def test_the_checker_names_each_accessibility_problem():
    bad = """<html><body><h1>One</h1><h1>Two</h1><input name="q" id="q">
    <select name="s"></select><textarea name="t" aria-labelledby="missing"></textarea>
    <label for="nothing">Orphan</label><p id="q"></p><img src="/x.png">
    <nav aria-label="Main"><a aria-current="page">A</a><a aria-current="page">B</a></nav>
    </body></html>"""
    problems = parse(bad).problems()
    assert problems == [
        "2 <h1> elements (want exactly one)",
        "<html> has no lang",
        "id 'q' used 2 times",
        "unlabelled <input name='q' id='q'>",
        "unlabelled <select name='s' id=None>",
        "2 links of the 'Main' nav are aria-current=page",
        "<img src='/x.png'> has no alt",
        "aria-labelledby='missing' names no element on the page",
        "label for='nothing' names no element on the page",
    ]


def test_the_checker_finds_a_heading_that_skips_a_level():
    page = '<html lang="en"><body><h1>My actions</h1><h3>Oil the press</h3></body></html>'
    assert parse(page).problems() == ["heading order: <h3> follows <h1>"]
    fine = '<html lang="en"><body><h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2></body></html>'
    assert parse(fine).problems() == []


def test_the_checker_finds_template_text_left_on_a_page():
    assert template_text(GOOD_PAGE) == []
    leaked = "<p>{# A comment\n   on two lines #}</p><p>{{ name }}</p>"
    assert [t[:4] for t in template_text(leaked)] == ["'{#'", "'{{'"]


def test_get_forms_are_submitted_as_rendered_and_with_each_other_option():
    (form,) = parse(GOOD_PAGE).forms
    assert form.urls() == [
        "/actions/?q=&mine=on&status=open&sort=due",
        "/actions/?q=&mine=on&status=&sort=due",
        "/actions/?q=&mine=on&status=done&sort=due",
    ]


def test_links_are_followed_within_the_site_only():
    assert _internal("/actions/", "/actions/1/#top") == "/actions/1/"
    assert _internal("/actions/", "?page=2") == "/actions/?page=2"
    assert _internal("/audits/", "3/") == "/audits/3/"
    for outside in ["mailto:a@b.c", "https://example.com/", "/admin/", "/static/app.css"]:
        assert _internal("/", outside) is None
    assert _internal("/", "/accounts/logout/") is None


def test_each_user_looks_out_for_the_other_organisations_names():
    engineering_view = foreign_words("leader@example.com")
    assert "Rosewood Care Home" in engineering_view
    assert "Grace Mbeki" in engineering_view
    care_view = foreign_words(CARE_LEADER)
    assert "Hartwell Precision Engineering Ltd" in care_view
    assert "Helen Hartwell" in care_view
    assert "Marcus Reid" not in care_view  # he belongs to both
    assert foreign_words("manager@example.com") == []
