"""My work (issue 22.10): every member's own page, linked from the navigation for every role:
their actions, the objectives they lead, and what is due in the next 14 days, in a constant
number of queries."""

import datetime
import re

import pytest

from isova.models import ActionStatus
from tests.factories import ActionFactory
from tests.objectives.conftest import make_objective

ROLES = ["leader", "manager", "staff", "auditor"]


def _action(org, title, days, owner=None, status=ActionStatus.OPEN):
    return ActionFactory(
        organisation=org.organisation,
        owner=owner or org.staff,
        title=title,
        status=status,
        due_date=org.organisation.today() + datetime.timedelta(days=days),
    )


def _objective(org, title, owner, review_in_days):
    today = org.organisation.today()
    return make_objective(
        org.organisation,
        owner,
        title=title,
        start_date=today - datetime.timedelta(days=60),
        target_date=today + datetime.timedelta(days=300),
        next_review_date=today + datetime.timedelta(days=review_in_days),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reaches_my_work_from_the_navigation(org, as_user, role):
    html = as_user(org.user(role)).get("/objectives/").content
    nav = html.decode().split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'<a href="/actions/mine/"[^>]*>My work</a>', nav)


def test_my_work_shows_my_objectives_and_what_is_due_in_the_next_two_weeks(org, as_user):
    _action(org, "Oil the press", days=3)
    _action(org, "Late one", days=-2)
    _action(org, "Order gloves", days=30)
    _action(org, "Someone else's job", days=2, owner=org.manager)
    _objective(org, "Fewer rejects", org.staff, review_in_days=10)
    _objective(org, "Not mine", org.manager, review_in_days=5)

    response = as_user(org.staff).get("/actions/mine/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My work</h1>" in html
    due = html.split('id="due-heading"', 1)[1].split("</section>", 1)[0]
    assert "Oil the press" in due and "Fewer rejects" in due
    assert "Order gloves" not in due  # due in 30 days
    assert "1 of your actions is overdue" in due
    assert "Someone else" not in due and "Not mine" not in due
    led = html.split('id="mine-objectives-heading"', 1)[1].split("</section>", 1)[0]
    assert "Fewer rejects" in led and "Not mine" not in led


def test_my_work_says_when_nothing_is_due(org, as_user):
    html = as_user(org.auditor).get("/actions/mine/").content.decode()
    assert "Nothing of yours falls due in the next 14 days." in html
    assert 'id="mine-objectives-heading"' not in html


def _seed(org, n):
    for i in range(n):
        _action(org, f"Job {i}", days=i % 20)
        _objective(org, f"Aim {i}", org.staff, review_in_days=i % 20)
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            title=f"Done {i}",
            status=ActionStatus.DONE,
        )


def _count(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/actions/mine/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_work_runs_a_constant_number_of_queries(org, as_user, django_assert_max_num_queries):
    client = as_user(org.staff)
    _seed(org, 2)
    client.get("/actions/mine/")  # warm the session and caches
    small = _count(client)
    _seed(org, 25)
    with django_assert_max_num_queries(small):
        response = client.get("/actions/mine/")
    assert "Aim 0" in response.content.decode()
    assert small <= 25, small
