"""Dashboard filters, figures that link to their lists, the per-panel query contract and the
record of when a member last opened the dashboard."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from isova.models import ActionStatus, Membership
from isova.registry import registry
from tests.factories import ActionFactory


def _actions(org, n, owner=None):
    today = org.organisation.today()
    for i in range(n):
        ActionFactory(
            organisation=org.organisation,
            owner=owner or (org.staff if i % 2 else org.manager),
            assigned_by=org.manager,
            due_date=today + datetime.timedelta(days=(i % 20) - 10),
            status=list(ActionStatus)[i % 5],
        )


def _data(org, n):
    """`n` actions, and n/10 objectives, findings with actions and risks: the larger data."""
    from tests.audits.conftest import assign, plan, raise_finding, start
    from tests.objectives.conftest import add_values, make_objective
    from tests.risks.conftest import bulk_risks

    _actions(org, n)
    audit = start(org, plan(org))
    for i in range(max(1, n // 10)):
        objective = make_objective(org.organisation, org.manager, title=f"Objective {i}")
        add_values(objective, [80 + i % 5, 82])
        assign(org, raise_finding(org, audit), title=f"Fix {i}")
    bulk_risks(org.organisation, org.manager, max(1, n // 10))


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("n", [3, 150])
@pytest.mark.parametrize("query", ["", "?period=90", "?owner=staff"])
def test_every_registered_panel_keeps_to_its_query_budget(
    org, as_user, django_assert_max_num_queries, n, query
):
    _data(org, n)
    client = as_user(org.leader)
    query = query.replace("staff", str(org.staff.pk))
    # a filtered address validates its values against the filter form's choices (2)
    form = 2 if query else 0
    for panel in registry.panels():
        # session, user, memberships+organisation (3), then the panel's own budget
        with django_assert_max_num_queries(3 + form + panel.max_queries, info=panel.name):
            response = client.get(f"/dashboard/panels/{panel.name}/{query}")
        assert response.status_code == 200, panel.name


@pytest.mark.parametrize("n", [3, 150])
def test_the_whole_dashboard_keeps_to_the_sum_of_the_panels_budgets(
    org, as_user, django_assert_max_num_queries, n
):
    _data(org, n)
    client = as_user(org.leader)
    # the glance block reads the other panels' answers (isova.dashboard.memo): on the page it
    # adds one query to their budgets, its objectives a week ago (test_dashboard_glance.py)
    budget = 1 + sum(p.max_queries for p in registry.panels() if p.name != "glance")
    # session, user, memberships (3); the filter form's members and processes (2); the
    # hourly "last seen" update (1); then every panel's budget
    with django_assert_max_num_queries(3 + 2 + 1 + budget):
        assert client.get("/dashboard/").status_code == 200


def test_the_owner_filter_narrows_the_actions_panel_and_its_links_show_the_same_counts(
    org, as_user
):
    _actions(org, 20)
    client = as_user(org.leader)
    response = client.get(f"/dashboard/?owner={org.staff.pk}")
    actions = response.context["actions"]
    for figure in ("outstanding", "overdue", "awaiting_verification", "mine"):
        assert _list_count(client, actions["urls"][figure]) == actions[figure], figure
    unfiltered = client.get("/dashboard/").context["actions"]
    assert actions["outstanding"] < unfiltered["outstanding"]


def test_yours_counts_the_viewers_own_actions_whoever_the_owner_filter_names(org, as_user):
    _actions(org, 10, owner=org.manager)
    client = as_user(org.manager)
    actions = client.get(f"/dashboard/?owner={org.staff.pk}&period=30").context["actions"]
    assert actions["outstanding"] == 0 and actions["mine"] > 0
    assert _list_count(client, actions["urls"]["mine"]) == actions["mine"]


def test_every_actions_figure_links_to_a_list_with_the_same_count(org, as_user):
    _actions(org, 20, owner=None)
    client = as_user(org.leader)
    actions = client.get("/dashboard/?period=30").context["actions"]
    for figure in ("outstanding", "overdue", "awaiting_verification", "mine"):
        assert _list_count(client, actions["urls"][figure]) == actions[figure], figure


def test_the_period_filter_counts_only_actions_created_since(org, as_user):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100)):
        _actions(org, 5)
    _actions(org, 3)
    client = as_user(org.leader)
    everything = client.get("/dashboard/").context["actions"]
    recent = client.get("/dashboard/?period=30").context["actions"]
    total = everything["outstanding"] + everything["awaiting_verification"]
    assert recent["outstanding"] + recent["awaiting_verification"] < total
    assert _list_count(client, recent["urls"]["outstanding"]) == recent["outstanding"]


@pytest.mark.parametrize("query", ["owner=abc", "owner=999999", "period=7", "process=x"])
def test_an_invalid_filter_is_shown_as_an_error_and_ignored(org, other_org, as_user, query):
    _actions(org, 4)
    client = as_user(org.leader)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["actions"] == client.get("/dashboard/").context["actions"]


def test_another_organisations_member_is_not_a_valid_owner(org, other_org, as_user):
    response = as_user(org.leader).get(f"/dashboard/?owner={other_org.staff.pk}")
    assert response.status_code == 200 and "owner" in response.context["form"].errors


def test_filtering_with_htmx_returns_only_the_panels_and_without_it_the_page(org, as_user):
    client = as_user(org.leader)
    fragment = client.get(f"/dashboard/?owner={org.staff.pk}", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'id="results"' in html and "<html" not in html
    page = client.get(f"/dashboard/?owner={org.staff.pk}").content.decode()
    assert "<html" in page and 'id="results"' in page and 'name="owner"' in page


def test_the_panels_refresh_addresses_keep_the_filters(org, as_user):
    html = as_user(org.leader).get(f"/dashboard/?owner={org.staff.pk}&period=90").content
    refresh = re.findall(r'hx-get="(/dashboard/panels/[^"]+)"', html.decode())
    assert refresh and all(f"owner={org.staff.pk}" in url and "period=90" in url for url in refresh)


def test_a_panel_alone_honours_the_same_filters(org, as_user):
    _actions(org, 10)
    client = as_user(org.leader)
    response = client.get(f"/dashboard/panels/actions/?owner={org.staff.pk}")
    assert response.status_code == 200
    expected = client.get(f"/dashboard/?owner={org.staff.pk}").context["actions"]
    assert response.context["actions"]["outstanding"] == expected["outstanding"]


def test_panels_that_a_filter_does_not_apply_to_say_so(org, as_user):
    html = as_user(org.leader).get("/dashboard/?period=30").content.decode()
    assert "the period filter does not apply" in html


def test_opening_the_dashboard_records_when_the_member_last_saw_it(org, as_user):
    client = as_user(org.leader)
    membership = Membership.objects.get(user=org.leader, organisation=org.organisation)
    assert membership.last_seen_dashboard_at is None
    client.get("/dashboard/")
    membership.refresh_from_db()
    first = membership.last_seen_dashboard_at
    assert first is not None
    client.get("/dashboard/")
    membership.refresh_from_db()
    assert membership.last_seen_dashboard_at == first  # not again within the hour
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        client.get("/dashboard/")
    membership.refresh_from_db()
    assert membership.last_seen_dashboard_at > first


def test_a_fresh_last_seen_costs_no_query(org, as_user, django_assert_max_num_queries):
    client = as_user(org.leader)
    client.get("/dashboard/")
    # the glance block reads the other panels' answers (isova.dashboard.memo): on the page it
    # adds one query to their budgets, its objectives a week ago (test_dashboard_glance.py)
    budget = 1 + sum(p.max_queries for p in registry.panels() if p.name != "glance")
    with django_assert_max_num_queries(3 + 2 + budget):  # no UPDATE this time
        client.get("/dashboard/")


def test_the_approvals_count_links_to_an_inbox_with_the_same_count(org, as_user):
    from tests.isova.test_dashboard import _submit_policies

    _submit_policies(org, 3)
    client = as_user(org.leader)
    html = client.get("/dashboard/").content.decode()
    assert '<a href="/approvals/"><strong>3</strong> waiting</a>' in html
    assert client.get("/approvals/").context["waiting_count"] == 3


def test_the_filters_start_folded_and_open_once_one_is_applied(org, as_user):
    """The dashboard's first screen is its figures: the filter panel is folded until a filter
    is in the address (then it stays open, showing what narrows the figures)."""
    client = as_user(org.leader)
    folded = client.get("/dashboard/").content.decode()
    assert re.search(r'<details class="filter-panel">', folded)
    applied = client.get("/dashboard/?period=90").content.decode()
    assert re.search(r'<details class="filter-panel" open>', applied)
    # the lists keep theirs open (their filters are what a list is used for)
    assert '<details class="filter-panel" open>' in client.get("/actions/").content.decode()
