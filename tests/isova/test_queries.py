"""The action lists run a fixed number of queries, however many actions there are."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from isova.models import Action, ActionStatus

from .conftest import make_action

STATUSES = list(ActionStatus.values)


@pytest.fixture(params=[5, 200], ids=["5 actions", "200 actions"])
def many_actions(request, org):
    """`n` actions in every status, half of them the staff member's, some with a source."""
    count = request.param
    today = org.organisation.today()
    source_type = ContentType.objects.get_for_model(org.organisation)
    owners = [org.staff, org.manager, org.leader, org.auditor]
    Action.objects.bulk_create(
        Action(
            organisation=org.organisation,
            owner=owners[i % 2] if i % 5 else owners[i % 4],
            assigned_by=org.manager,
            status=STATUSES[i % len(STATUSES)],
            due_date=today + datetime.timedelta(days=i % 40 - 20),
            title=f"Action number {i}",
            source_type=source_type if i % 3 else None,
            source_id=org.organisation.pk if i % 3 else None,
        )
        for i in range(count)
    )
    return count


# Every page starts with the same three queries:
#   1. the session, 2. the user, 3. the user's memberships with their organisations
#   (isova.tenancy.OrganisationMiddleware; base.html's switcher reuses them).
PER_REQUEST = 3


@pytest.mark.parametrize(
    "query", ["", "?status=outstanding&overdue=on", "?page=2", "?source=isova.organisation"]
)
def test_all_actions_runs_a_fixed_number_of_queries(
    org, as_user, many_actions, django_assert_max_num_queries, query
):
    client = as_user(org.manager)
    # + 4. the source types in use (the filter's choices), 5. COUNT for the paginator,
    #   6. one page of actions with owner, assigner and source type joined,
    #   7. the members for the owner filter's choices.
    with django_assert_max_num_queries(PER_REQUEST + 4):
        response = client.get(f"/actions/{query}")
    assert response.status_code == 200
    assert len(response.context["rows"]) <= 25


def test_all_actions_filtered_by_owner_adds_only_the_owner_lookup(
    org, as_user, many_actions, django_assert_max_num_queries
):
    client = as_user(org.manager)
    # The list's seven queries (above) + 8. the chosen owner, validated by the filter form.
    with django_assert_max_num_queries(PER_REQUEST + 5):
        response = client.get(f"/actions/?owner={org.staff.pk}&status=open")
    assert response.status_code == 200
    assert all(row["action"].owner == org.staff for row in response.context["rows"])


def test_the_htmx_list_fragment_runs_a_fixed_number_of_queries_too(
    org, as_user, many_actions, django_assert_max_num_queries
):
    client = as_user(org.manager)
    # Source types, COUNT, the page (the owner choices are not rendered in the fragment).
    with django_assert_max_num_queries(PER_REQUEST + 3):
        response = client.get("/actions/?status=open", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<section id="results"')
    full = client.get("/actions/?status=open").content.decode()
    assert "<html" in full
    assert 'id="results"' in full


def test_my_actions_runs_a_fixed_number_of_queries(
    org, as_user, many_actions, django_assert_max_num_queries
):
    client = as_user(org.staff)
    # + 4. count of my outstanding actions (paginator), 5. this page of them,
    #   6. my ten most recently closed ones (both with joins); My work adds 7–11. one per
    #   upcoming source (due in the next 14 days), 12. my overdue count and 13. the
    #   objectives I lead.
    with django_assert_max_num_queries(PER_REQUEST + 10):
        response = client.get("/actions/mine/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows
    assert all(row["action"].owner == org.staff for row in rows)


def test_the_action_detail_page_runs_a_fixed_number_of_queries(
    org, as_user, many_actions, django_assert_max_num_queries
):
    action = make_action(org, owner=org.staff, title="Tracked")
    client = as_user(org.manager)
    for status in ("in_progress", "done"):
        action.status, action.version = status, action.version + 1
        action.save()
    # + 4. the action with its people and source type, 5. its history (50 newest),
    #   6. the organisation's members (names for the history).
    with django_assert_max_num_queries(PER_REQUEST + 3):
        response = client.get(f"/actions/{action.pk}/")
    assert response.status_code == 200


def test_my_actions_pages_a_long_list_due_soonest_first(org, as_user):
    import datetime

    from tests.factories import ActionFactory

    today = org.organisation.today()
    for i in range(30):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            title=f"Task {i:02d}",
            due_date=today + datetime.timedelta(days=i),
        )
    first = as_user(org.staff).get("/actions/mine/")
    assert first.context["page"].paginator.count == 30
    assert [r["action"].title for r in first.context["rows"]][:2] == ["Task 00", "Task 01"]
    assert len(first.context["rows"]) == 25
    second = as_user(org.staff).get("/actions/mine/?page=2")
    assert [r["action"].title for r in second.context["rows"]] == [
        f"Task {i}" for i in range(25, 30)
    ]
    assert "30 actions outstanding" in first.content.decode()
