"""Every POST form of the site, sent with boundary values: no server error, ever (issue 9.7).

Over the demo data (seeded once for the module, rolled back at the end), the leader and the
manager of the engineering company walk the site (one page of each kind) and collect every
POST form. Each form is then sent as rendered but with, in turn: a NUL byte in every text
field; CR/LF in every text field; year 1 and year 9999 in every date, month and week field;
NaN and 1e309 in every number field; the other organisation's ids in every select; and 10 MB
of text in one field; and once as rendered over htmx. Every GET (filter) form is sent with
NUL, CR/LF, years 1 and 9999, NaN, a huge number and foreign ids in all its fields.
No answer may be a 5xx, and nothing of the other organisation changes.
"""

from __future__ import annotations

import time
from collections import deque

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings

from isova import demo
from isova.models import Organisation, User
from tests.html_forms import PostForm, post_forms
from tests.test_site_crawl import FAST_HASHER, GetForm, _internal, page_kind, parse

pytestmark = pytest.mark.django_db

# The manager records values and responds to findings; the leader approves and signs.
USERS = ["manager@example.com", "leader@example.com"]
MAX_PAGES = 150
# Forms that end the session or switch organisation would end the walk, not test input.
SKIPPED_ACTIONS = ("/accounts/logout", "/organisation/switch", "/accounts/password")
TEXT = {"text", "search", "email", "url", "tel", "password", "textarea"}
DATES = {"date": ("0001-01-01", "9999-12-31"), "month": ("0001-01", "9999-12")}
DATES |= {"week": ("0001-W01", "9999-W52")}
# Every field of a GET (filter) form gets each of these in turn, and each foreign id.
GET_VALUES = ["a\x00b", "a\r\nb", "0001-01-01", "9999-12-31", "9999-W52", "NaN", "9" * 30]


def walk(client: Client) -> tuple[list[tuple[str, PostForm]], list[tuple[str, GetForm]]]:
    """(page, form) for each kind of POST form, and of GET form, on one page of each kind."""
    queue, seen, kinds = deque(["/"]), {"/"}, set()
    found: dict[tuple, tuple[str, PostForm]] = {}
    filters: dict[tuple, tuple[str, GetForm]] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302) and response["Location"] not in seen:
            seen.add(response["Location"])
            queue.append(response["Location"])
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in post_forms(html):
            action = _internal(url, form.action or url)
            if action is None or action.startswith(SKIPPED_ACTIONS):
                continue
            form.action = action
            key = (page_kind(action), tuple(sorted(form.kinds)))
            found.setdefault(key, (url, form))
        page = parse(html)
        for get_form in page.forms:
            action = _internal(url, get_form.action or url)
            if action is not None:
                get_form.action = action
                key = (page_kind(action), tuple(sorted(n for n, _ in get_form.fields)))
                filters.setdefault(key, (url, get_form))
        for href in page.links:
            target = _internal(url, href)
            if target and target not in seen and page_kind(target) not in kinds:
                kinds.add(page_kind(target))
                seen.add(target)
                queue.append(target)
    return list(found.values()), list(filters.values())


def variants(form: PostForm, foreign_ids: list[str]) -> list[tuple[str, dict | None]]:
    def each(kinds: set[str], value: str) -> dict | None:
        names = [n for n, k in form.kinds.items() if k in kinds]
        return form.data(**dict.fromkeys(names, value)) if names else None

    out = [
        ("NUL in text", each(TEXT, "a\x00b")),
        ("CR/LF in text", each(TEXT, "a\r\nBcc: x@example.com")),
        ("NaN in numbers", each({"number"}, "NaN")),
        ("1e309 in numbers", each({"number"}, "1e309")),
    ]
    for kind, values in DATES.items():
        for value in values:
            out.append((f"{value} in {kind} fields", each({kind}, value)))
    out = [(what, data) for what, data in out if data is not None]
    for foreign in foreign_ids:
        selects = {n for n, k in form.kinds.items() if k == "select"}
        if selects:
            out.append((f"foreign id {foreign}", form.data(**dict.fromkeys(selects, foreign))))
    texts = [n for n, k in form.kinds.items() if k in TEXT]
    if texts:
        out.append(("10 MB of text", form.data(**{texts[0]: "x" * 10_000_000})))
    # Period fields are text inputs on quarterly objectives.
    periods = [n for n in form.kinds if n == "period"]
    if periods:
        out += [(f"period {p}", form.data(period=p)) for p in ("9999-12-31", "9999-Q4", "0-W0")]
    return out


def foreign_rows(organisation: Organisation) -> dict[str, list[dict]]:
    """Every row of every model that belongs to `organisation`, by model."""
    rows = {}
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "organisation" in names and not model.__name__.startswith("Historical"):
            rows[model._meta.label] = list(
                model.objects.filter(organisation=organisation).order_by("pk").values()
            )
    return rows


def foreign_ids(care: Organisation, own: Organisation) -> list[str]:
    """Ids that only the other organisation has: a person, a process, a goal."""
    person = User.objects.filter(memberships__organisation=care).exclude(
        memberships__organisation=own
    )
    process = apps.get_model("audits.Process").objects.filter(organisation=care)
    goal = apps.get_model("objectives.StrategicGoal").objects.filter(organisation=care)
    return [str(qs.values_list("pk", flat=True).first()) for qs in (person, process, goal)]


@pytest.fixture(scope="module")
def outcome(django_db_setup, django_db_blocker) -> dict:
    errors: list[str] = []
    posted = 0
    started = time.monotonic()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        demo.seed()
        care = Organisation.objects.get(slug=demo.CARE_HOME["slug"])
        ids = foreign_ids(care, Organisation.objects.get(slug=demo.ENGINEERING["slug"]))
        before = foreign_rows(care)
        for email in USERS:
            client = Client(raise_request_exception=False)
            client.force_login(User.objects.get(email=email))
            forms, filters = walk(client)

            def check(response, what: str, email: str = email) -> None:
                if response.status_code >= 500:
                    error = getattr(response, "exc_info", None)
                    cause = f" ({error[0].__name__}: {error[1]})" if error else ""
                    errors.append(f"{email} {what} -> {response.status_code}{cause}")

            for page, form in forms:
                for what, data in [*variants(form, ids), ("as rendered", form.data())]:
                    response = client.post(form.action, data)
                    check(response, f"POST {form.action} (form of {page}) with {what}")
                # The same form sent by htmx (views answer fragments then).
                response = client.post(form.action, form.data(), headers={"HX-Request": "true"})
                check(response, f"POST {form.action} (form of {page}) over htmx")
                posted += len(variants(form, ids)) + 2
            for page, get_form in filters:
                for value in [*GET_VALUES, *ids]:
                    query = {name: value for name, _ in get_form.fields}
                    response = client.get(get_form.action.split("?")[0], query)
                    check(response, f"GET {get_form.action} (filters of {page}) = {value!r}")
        after = foreign_rows(care)
        transaction.set_rollback(True)
    return {
        "errors": errors,
        "posted": posted,
        "changed": [label for label in before if before[label] != after[label]],
        "seconds": time.monotonic() - started,
    }


def test_no_form_answers_a_server_error_to_boundary_values(outcome):
    assert outcome["posted"] > 100, outcome["posted"]
    assert not outcome["errors"], f"{len(outcome['errors'])} error(s):\n" + "\n".join(
        outcome["errors"]
    )


def test_boundary_posts_change_nothing_of_the_other_organisation(outcome):
    assert outcome["changed"] == []
