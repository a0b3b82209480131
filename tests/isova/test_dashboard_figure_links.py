"""Every figure of the demo's dashboard is a link to the list of exactly those items: the
test follows each one and compares the list's count with the figure."""

import re
from html import unescape

import pytest
from django.test import Client

from isova import demo
from isova.models import User

LINK = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)
TAG = re.compile(r"<[^>]+>")
NUMBER = re.compile(
    # a count: not a percentage (a share, not items), not a date ("3 Dec 2026"), not a range
    r"^\s*(\d[\d,]*)(?!\d|%|[-/:.]\d|\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))"
)


def figures(html: str) -> list[tuple[str, int]]:
    """(address, number) of every link whose text starts with a number."""
    found = []
    for href, inner in LINK.findall(html):
        text = unescape(TAG.sub("", inner))
        number = NUMBER.match(text)
        if number:
            found.append((unescape(href), int(number.group(1).replace(",", ""))))
    return found


def _list_count(response) -> int | None:
    """The number of items a list page says it shows (its paginator), None when it is not
    a paginated list."""
    context = response.context
    if context is None:
        return None
    paginator = getattr(context.get("page"), "paginator", None)
    if paginator is not None:  # every register and list
        return paginator.count
    if "waiting_count" in context:  # the approvals inbox
        return context["waiting_count"]
    if "reach" in context:  # the policy page: who acknowledged the approved version
        return context["reach"]["acknowledged"]
    if "overdue" in context and "recent" in context:  # objective reviews: those past due
        return len(context["overdue"])
    return None


@pytest.fixture
def demo_leader(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    client = Client()
    client.force_login(User.objects.get(email="leader@example.com"))
    return client


def test_every_figure_of_the_demo_dashboard_links_to_a_list_with_the_same_count(demo_leader):
    html = demo_leader.get("/dashboard/").content.decode()
    shown = figures(html)
    assert len(shown) > 20
    wrong = []
    for href, figure in shown:
        response = demo_leader.get(href)
        assert response.status_code == 200, href
        count = _list_count(response)
        if count != figure:
            wrong.append((href, figure, count))
    print(len(shown), "figures")
    for w in wrong:
        print(w)
    assert wrong == []
