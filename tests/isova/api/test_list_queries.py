"""Every list answers in the same number of queries at small and at larger data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Feedback
from tests.audits.conftest import plan, raise_finding, start
from tests.factories import member
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
