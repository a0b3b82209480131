"""Every list answers in the same number of queries at small and at larger data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Feedback
from tests.audits.conftest import plan, raise_finding, start
from tests.decisions.conftest import record
from tests.factories import member
from tests.isova.conftest import make_action
from tests.objectives.conftest import make_objective
from tests.reviews.conftest import plan_review
from tests.risks.conftest import raise_risk

from .conftest import api_as


def grow(org, n: int) -> None:
    """`n` more of every kind of row the lists show."""
    audit = start(org, plan(org, title=f"Audit {n}"))
    for i in range(n):
        raise_finding(org, audit)
        raise_risk(org, title=f"Risk {n}-{i}")
        plan_review(org, title=f"Review {n}-{i}")
        member(org.organisation, "staff", full_name=f"Member {n}-{i}")
        Feedback.objects.create(
            organisation=org.organisation,
            kind="suggestion",
            title=f"Idea {i}",
            received_on=org.organisation.today(),
            submitted_by=org.staff,
        )
        make_objective(org.organisation, org.manager, title=f"Objective {n}-{i}")
        make_action(org, owner=org.manager)
        record(org, title=f"Decision {n}-{i}")


@pytest.mark.parametrize(
    "path", ["members", "audits", "findings", "risks", "reviews", "feedback", "approvals"]
)
def test_a_list_runs_the_same_queries_at_2_and_at_12_rows(org, path):
    api = api_as(org.leader, org.organisation)
    api.get(f"/api/v1/{path}/")  # the token's "last used" is written once a minute

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/{path}/").status_code == 200
        return len(queries)

    grow(org, 2)
    count()  # warms Django's content-type cache (a generic relation's first lookup)
    small = count()
    grow(org, 10)
    assert count() == small


@pytest.mark.parametrize(
    "path, query",
    [
        ("risks", "owner={manager}&status=live&q=Risk&ordering=-score"),
        ("risks", "sort=review&likelihood=3"),
        ("findings", "status=unresolved&type=minor&ordering=-raised_on"),
        ("feedback", "kind=suggestion&status=open&ordering=title"),
        ("actions", "status=&owner={manager}&ordering=due_date"),
        ("objectives", "owner={manager}&status=open&ordering=-target_date"),
        ("decisions", "q=Decision&status=draft&ordering=-decided_on"),
    ],
)
def test_a_filtered_and_ordered_list_runs_the_same_queries_at_2_and_at_12_rows(org, path, query):
    api = api_as(org.leader, org.organisation)
    url = f"/api/v1/{path}/?{query.format(manager=org.manager.pk)}&page_size=200"
    api.client.get(url)  # the token's "last used" is written once a minute

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = api.client.get(url)
            assert answer.status_code == 200, answer.json()
        assert answer.json()["results"]  # the filters keep rows: they are counted too
        return len(queries)

    grow(org, 2)
    count()  # warms Django's content-type cache (a generic relation's first lookup)
    small = count()
    grow(org, 10)
    assert count() == small


def test_the_next_page_of_an_ordered_list_runs_as_many_queries_as_the_first(org):
    grow(org, 12)
    api = api_as(org.leader, org.organisation)
    url = "/api/v1/risks/?ordering=title&page_size=5"
    first = api.client.get(url).json()

    def count(link: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.client.get(link).status_code == 200
        return len(queries)

    assert count(first["next"]) == count(url)
