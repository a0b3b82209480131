"""Every list has its page's filters (the page's own form) and an ordering that pages stably."""

from __future__ import annotations

import base64
import datetime
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from audits.models import FindingType, Process
from objectives.models import StrategicGoal
from reviews.models import Feedback
from tests.audits.conftest import plan, raise_finding, start
from tests.conftest import client_for
from tests.decisions.conftest import record, signed
from tests.objectives.conftest import make_objective
from tests.risks.conftest import raise_risk

from .conftest import api_as


def feedback(org, kind: str, title: str, **fields: Any) -> Feedback:
    fields.setdefault("received_on", org.organisation.today())
    return Feedback.objects.create(
        organisation=org.organisation, kind=kind, title=title, submitted_by=org.staff, **fields
    )


@pytest.fixture
def rows(org):
    """A few rows of each list, varied in what the filters and orderings look at."""
    today = org.organisation.today()
    goal = StrategicGoal.objects.create(organisation=org.organisation, title="Delivery")
    make_objective(org.organisation, org.manager, title="Cut scrap", goal=goal)
    make_objective(org.organisation, org.staff, title="Answer faster", status="draft")
    make_objective(
        org.organisation,
        org.staff,
        title="Deliver on time",
        status="achieved",
        target_date=datetime.date(2025, 6, 30),
        next_review_date=datetime.date(2025, 3, 1),
    )
    audit = start(org, plan(org))
    raise_finding(org, audit, FindingType.MAJOR)
    raise_finding(org, audit, FindingType.MINOR, clause="7.5.3")
    raise_finding(org, audit, FindingType.OBSERVATION)
    raise_risk(org, title="Supplier fails", inherent_likelihood=4, inherent_impact=4)
    raise_risk(org, title="Press breaks", owner=org.staff, inherent_likelihood=2)
    raise_risk(org, title="New market", kind="opportunity", category="customer", treatment="pursue")
    raise_risk(
        org,
        title="Key person leaves",
        owner=org.staff,
        inherent_impact=5,
        next_review_date=today + datetime.timedelta(days=30),
    )
    feedback(org, "suggestion", "Label the racks")
    feedback(org, "complaint", "Late parts", score=Decimal("2.0"), status="answered")
    feedback(org, "survey", "Quarterly survey", score=Decimal("4.5"))
    feedback(org, "suggestion", "Brighter lights", status="closed")
    record(org, title="Weekly delivery slot")
    record(org, title="Second shift", decision="Run a second shift on the presses.")
    signed(org, title="Drop supplier Castco", review_date=today + datetime.timedelta(days=10))
    return SimpleNamespace(goal=goal, audit=audit)


def all_ids(api, path: str, query: str = "", page_size: int = 200) -> list[int]:
    answer = api.client.get(f"/api/v1/{path}/?{query}&page_size={page_size}")
    assert answer.status_code == 200, answer.json()
    return [row["id"] for row in answer.json()["results"]]


def walk(api, path: str, query: str, page_size: int) -> list[int]:
    """Every id, following `next` from the first page."""
    url = f"/api/v1/{path}/?{query}&page_size={page_size}"
    seen: list[int] = []
    while url:
        body = api.client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    return seen


def page_ids(org, url: str) -> list[int]:
    """The ids the page lists (decisions: the register's recorded decisions)."""
    page = client_for(org.leader).get(url).context["page"]
    rows = list(page.object_list)
    assert page.paginator.count == len(rows)  # one page: compare it whole
    if rows and isinstance(rows[0], dict):
        return [row["pk"] for row in rows if row["source"] == "register"]
    return [row.pk for row in rows]


PAGE_CASES = (
    [
        ("objectives", "/objectives/", q)
        for q in ["", "owner={staff}", "status=open", "status=draft", "rag=no_data", "goal={goal}"]
    ]
    + [
        ("findings", "/audits/findings/", q)
        for q in ["", "type=major", "status=unresolved", "clause=7.5.3", "raised_from={today}"]
    ]
    + [
        ("risks", "/risks/", q)
        for q in [
            "",
            "q=supplier",
            "owner={staff}",
            "kind=opportunity",
            "category=customer",
            "likelihood=4",
            "status=live",
            "sort=review",
            "sort=-inherent&owner={staff}",
        ]
    ]
    + [
        ("feedback", "/reviews/feedback/", q)
        for q in ["", "kind=suggestion", "status=answered", "kind=suggestion&status=closed"]
    ]
    + [
        ("decisions", "/decisions/", q)
        for q in ["", "q=shift", "status=draft", "status=signed", "status=due", "source=register"]
    ]
)


@pytest.mark.parametrize("path, page, query", PAGE_CASES)
def test_each_lists_filters_give_the_pages_rows(org, rows, path, page, query):
    query = query.format(
        staff=org.staff.pk, goal=rows.goal.pk, today=org.organisation.today().isoformat()
    )
    on_page = page_ids(org, f"{page}?{query}")
    by_api = all_ids(api_as(org.leader, org.organisation), path, query)
    assert sorted(by_api) == sorted(on_page)
    if "sort=" in query:  # the page's sort is the API's order too
        assert by_api == on_page


def test_the_filters_do_filter(org, rows):
    """The cases above are not all 'everything': each list has a filter that keeps some."""
    api = api_as(org.leader, org.organisation)
    for path, query, expected in [
        ("objectives", "status=draft", 1),
        ("findings", "type=major", 1),
        ("risks", "kind=opportunity", 1),
        ("feedback", "kind=suggestion", 2),
        ("decisions", "status=signed", 1),
    ]:
        assert len(all_ids(api, path, query)) == expected, path


ORDERINGS = [
    ("objectives", "title", "title"),
    ("objectives", "target_date", "target_date"),
    ("objectives", "next_review_date", "next_review_date"),
    ("findings", "raised_on", "raised_on"),
    ("findings", "response_due", "response_due"),
    ("risks", "title", "title"),
    ("risks", "score", "residual_score"),
    ("risks", "inherent_score", "inherent_score"),
    ("risks", "next_review_date", "next_review_date"),
    ("feedback", "title", "title"),
    ("feedback", "score", "score"),
    ("feedback", "received_on", "received_on"),
    ("decisions", "title", "title"),
    ("decisions", "review_date", "review_date"),
    ("decisions", "decided_on", "decided_on"),
]


def expected_order(results: list[dict[str, Any]], key: str, down: bool) -> list[int]:
    """By `key` then id going up; empty values last going up and first going down."""

    def value(row: dict[str, Any]) -> Any:
        raw = row[key]
        return Decimal(raw) if key == "score" and isinstance(raw, str) else raw

    by_id = sorted(results, key=lambda r: r["id"])
    present = [r for r in by_id if value(r) is not None]
    empty = [r["id"] for r in by_id if value(r) is None]
    ordered = [r["id"] for r in sorted(present, key=value, reverse=down)]  # stable: ties by id
    return empty + ordered if down else ordered + empty


@pytest.mark.parametrize("path, name, key", ORDERINGS)
@pytest.mark.parametrize("down", [False, True], ids=["ascending", "descending"])
def test_a_list_is_ordered_up_or_down_with_ties_by_id(org, rows, path, name, key, down):
    api = api_as(org.leader, org.organisation)
    ordering = f"-{name}" if down else name
    body = api.get(f"/api/v1/{path}/", ordering=ordering, page_size=200).json()
    assert [r["id"] for r in body["results"]] == expected_order(body["results"], key, down)


@pytest.mark.parametrize("path, name, key", ORDERINGS)
@pytest.mark.parametrize("down", [False, True], ids=["ascending", "descending"])
def test_small_pages_in_an_order_add_up_to_the_whole_list_both_ways(
    org, rows, path, name, key, down
):
    api = api_as(org.leader, org.organisation)
    query = f"ordering={'-' if down else ''}{name}"
    whole = all_ids(api, path, query)
    assert walk(api, path, query, page_size=1) == whole
    # ...and back again from the last page through the `previous` links
    url = f"/api/v1/{path}/?{query}&page_size=2"
    body = api.client.get(url).json()
    while body["next"]:
        body = api.client.get(body["next"]).json()
    back = [r["id"] for r in body["results"]]
    while body["previous"]:
        body = api.client.get(body["previous"]).json()
        back = [r["id"] for r in body["results"]] + back
    assert back == whole


def test_the_created_order_is_the_order_rows_were_made_in(org, rows):
    api = api_as(org.leader, org.organisation)
    for path in ("objectives", "findings", "risks", "feedback", "decisions", "actions"):
        ids = all_ids(api, path, "ordering=created&status=")
        assert ids == sorted(ids), path
        assert all_ids(api, path, "ordering=-created&status=") == ids[::-1], path


def test_more_than_one_ordering_and_the_pages_sort_for_risks(org, rows):
    api = api_as(org.leader, org.organisation)
    results = api.get("/api/v1/risks/", ordering="-score,title").json()["results"]
    keys = [(-r["residual_score"], r["title"]) for r in results]
    assert keys == sorted(keys)
    by_sort = api.get("/api/v1/risks/", sort="-inherent").json()["results"]
    assert [r["inherent_score"] for r in by_sort] == sorted(
        (r["inherent_score"] for r in by_sort), reverse=True
    )
    # `ordering` wins over the page's `sort`
    both = api.get("/api/v1/risks/", sort="-inherent", ordering="title").json()["results"]
    assert [r["title"] for r in both] == sorted(r["title"] for r in both)


def test_pages_in_an_order_neither_repeat_nor_skip_when_rows_are_added_meanwhile(org, rows):
    api = api_as(org.leader, org.organisation)
    before = all_ids(api, "risks", "ordering=title")
    first = api.get("/api/v1/risks/", ordering="title", page_size=2).json()
    assert [r["title"] for r in first["results"]] == ["Key person leaves", "New market"]
    raise_risk(org, title="A risk that sorts first")  # before the cursor: not seen now
    raise_risk(org, title="New market")  # the same title as the cursor's row: after it by id
    late = raise_risk(org, title="Zinc price rises")  # after the cursor
    seen = [r["id"] for r in first["results"]]
    url = first["next"]
    while url:
        body = api.client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in before] == before
    assert late.pk in seen
    assert len(seen) == len(before) + 2  # the one sorting before the cursor waits


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("objectives", "status=nope", "status"),
        ("objectives", "rag=purple", "rag"),
        ("objectives", "goal=abc", "goal"),
        ("findings", "raised_from=yesterday", "raised_from"),
        ("findings", "type=grave", "type"),
        ("risks", "likelihood=9", "likelihood"),
        ("risks", "sort=luck", "sort"),
        ("feedback", "kind=rumour", "kind"),
        ("decisions", "status=pending", "status"),
        ("decisions", "q=" + "x" * 101, "q"),
        ("actions", "ordering=urgency", "ordering"),
        ("objectives", "ordering=owner", "ordering"),
        ("findings", "ordering=-", "ordering"),
        ("risks", "ordering=title,secret", "ordering"),
        ("feedback", "ordering=submitted_by__password", "ordering"),
        ("decisions", "ordering=pk", "ordering"),
        ("members", "ordering=user", "ordering"),
        ("risks", "cursor=not-a-cursor", "cursor"),
    ],
)
def test_an_invalid_filter_or_ordering_is_a_400_naming_the_field(org, path, query, field):
    answer = api_as(org.leader, org.organisation).client.get(f"/api/v1/{path}/?{query}")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_cursor_of_another_ordering_or_tampered_with_is_a_400(org, rows):
    api = api_as(org.leader, org.organisation)
    first = api.get("/api/v1/risks/", ordering="title", page_size=1).json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    other = api.get("/api/v1/risks/", ordering="-score", cursor=cursor)
    assert other.status_code == 400
    assert other.json()["errors"][0]["field"] == "cursor"
    data = {"o": ["title", "pk"], "r": False, "v": ["x", "not a number"]}
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    answer = api.get("/api/v1/risks/", ordering="title", cursor=forged)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "cursor"


def test_another_organisations_ids_are_refused_and_its_rows_never_shown(org, other_org, rows):
    theirs_goal = StrategicGoal.objects.create(organisation=other_org.organisation, title="X")
    theirs_process = Process.objects.create(
        organisation=other_org.organisation, name="Their process", owner=other_org.manager
    )
    make_objective(other_org.organisation, other_org.manager, title="Their secret objective")
    raise_risk(other_org, title="Their secret risk")
    feedback(other_org, "suggestion", "Their secret idea")
    api = api_as(org.leader, org.organisation)
    for path, query, field in [
        ("objectives", f"owner={other_org.manager.pk}", "owner"),
        ("objectives", f"goal={theirs_goal.pk}", "goal"),
        ("risks", f"owner={other_org.manager.pk}", "owner"),
        ("findings", f"process={theirs_process.pk}", "process"),
        ("actions", f"owner={other_org.manager.pk}", "owner"),
    ]:
        answer = api.client.get(f"/api/v1/{path}/?{query}")
        assert answer.status_code == 400, path
        assert answer.json()["errors"][0]["field"] == field
        assert "secret" not in answer.content.decode()
    for path, query in [
        ("objectives", "ordering=title"),
        ("risks", "q=secret"),
        ("feedback", "ordering=title"),
    ]:
        assert "secret" not in api.client.get(f"/api/v1/{path}/?{query}").content.decode()


def test_staff_filter_only_the_feedback_they_submitted(org, rows):
    Feedback.objects.create(
        organisation=org.organisation,
        kind="suggestion",
        title="A manager's idea",
        received_on=org.organisation.today(),
        submitted_by=org.manager,
    )
    staff = api_as(org.staff, org.organisation)
    mine = staff.get("/api/v1/feedback/", kind="suggestion", ordering="title").json()
    assert [r["title"] for r in mine["results"]] == ["Brighter lights", "Label the racks"]
    leader = api_as(org.leader, org.organisation)
    every = leader.get("/api/v1/feedback/", kind="suggestion", ordering="title").json()
    assert len(every["results"]) == 3
