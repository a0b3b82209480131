"""The whole dashboard, every panel included, runs a fixed number of queries: on the demo
(data in every panel) and on larger data, and panels share what they both read."""

import pytest
from django.test import Client

from isova import demo
from isova.models import User
from tests.isova.test_dashboard_filters import _data

# session, user, memberships with their organisations (3); the process filter's choices (1);
# approvals: the five oldest waiting with the total as a window count (1) and the records
# shown, one per kind (up to 4: the demo's decisions wait too); leadership health:
# thresholds, leaders, every kind of
# leader act in one UNION, the busiest owner and their name, the oldest waiting approval,
# objectives past review (shared with the objectives panel), late findings (both figures),
# the last four reviews and their attendance (shared with the reviews panel) (11);
# objectives: RAG counts,
# the five past review (2); trends: the select's objectives, the twelve furthest behind,
# their values (3); audits: the action summary and the findings aggregate (2); upcoming: one
# per source (5); risks: the matrix (2), band counts, the top five, reviews overdue,
# treatment actions overdue, the heat map (7); reviews: feedback by age, the next review,
# the overdue ones, the open outputs, the policy, its version and sign-off (records), its
# reach as one aggregate (8); actions: one aggregate (1). The hourly "last seen" update (1).
# Getting started: every checklist step in one query (1, tests/onboarding). Risks: the top
# three opportunities, kept apart from the risks (1, #22.8). Decisions: the counts and those
# awaiting a signature or due for review (2, #27.1). Lessons: the member's lessons to
# capture (1) and, in leadership health, the share of closures captured and of lessons
# improved in one aggregate (1) (#27.2). "At a glance": its figures are the panels' own
# answers (0), and the objectives' states a week ago (1, #20.1).
DASHBOARD_BUDGET = 55


@pytest.fixture
def demo_leader(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    client = Client()
    client.force_login(User.objects.get(email="leader@example.com"))
    return client


def test_the_demo_dashboard_keeps_to_its_budget(demo_leader, django_assert_max_num_queries):
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = demo_leader.get("/dashboard/")
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 150])
def test_the_dashboard_keeps_to_its_budget_as_data_grows(
    org, as_user, django_assert_max_num_queries, n
):
    _data(org, n)
    client = as_user(org.leader)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = client.get("/dashboard/")
    assert response.status_code == 200
