"""The lessons list, one lesson, the dashboard panel and the API run a fixed number of queries
at small and at larger data."""

import pytest

from tests.conftest import client_for

from .conftest import capture, improve, prompted, recorded


def _data(org, n):
    lessons = prompted(org, org.staff, n=n)
    for lesson in lessons[: n // 2 + 1]:
        capture(org, lesson, tags=["Purchasing", "Planning"])
    improve(org, lessons[0])
    for i in range(n):
        recorded(org, label=f"Project {i}", tags=[f"Tag {i}"])


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_keeps_to_its_budget(org, django_assert_max_num_queries, n):
    _data(org, n)
    client = client_for(org.staff)
    # session, user, memberships (3); the count and the page of lessons with owner and
    # action (2); their tags (1); the member's lessons to capture (1). 7.
    with django_assert_max_num_queries(7):
        response = client.get("/lessons/?q=a&tag=Purchasing")
    assert response.status_code == 200
    with django_assert_max_num_queries(7):
        response = client.get("/lessons/")
    assert len(response.context["page"].object_list) == min(25, 2 * n)


@pytest.mark.parametrize("n", [1, 30])
def test_one_lesson_keeps_to_its_budget(org, django_assert_max_num_queries, n):
    _data(org, n)
    lesson = prompted(org, org.staff, n=1)[0]
    client = client_for(org.manager)
    # session, user, memberships (3); the lesson (1); its tags (1); the organisation's
    # processes, offered as tags (1); the members, owners of an improvement (0: not captured).
    with django_assert_max_num_queries(6):
        response = client.get(lesson.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_a_captured_lesson_with_its_improvements_keeps_to_its_budget(
    org, django_assert_max_num_queries, n
):
    from tests.objectives.conftest import make_objective
    from tests.risks.conftest import raise_risk

    _data(org, n)
    for i in range(n):
        make_objective(org.organisation, org.manager, title=f"Open {i}")
        raise_risk(org, title=f"Risk {i}")
    lesson = capture(org, prompted(org, org.staff, n=1)[0])
    client = client_for(org.leader)
    client.get(lesson.get_absolute_url())  # warm the content types
    # session, user, memberships (3); the lesson (1); its tags (1); the processes (1); the
    # members, owners of an action (1); the open objectives and the live risks a lesson may
    # change (1 each, the improvements hook). 9.
    with django_assert_max_num_queries(9):
        response = client.get(lesson.get_absolute_url())
    assert response.content.decode().count("<option") >= 2 * n


@pytest.mark.parametrize("n", [1, 30])
def test_the_dashboard_panel_keeps_to_its_budget(org, django_assert_max_num_queries, n):
    _data(org, n)
    client = client_for(org.staff)
    # session, user, memberships (3); the five oldest waiting with the total (1). 4.
    with django_assert_max_num_queries(4):
        response = client.get("/dashboard/panels/lessons/")
    html = response.content.decode()
    waiting = n - (n // 2 + 1)
    if waiting:
        assert f"<strong>{waiting}</strong> to capture" in html
        assert html.count("<li>") == 5
    else:
        assert "Nothing waits for your lesson" in html
