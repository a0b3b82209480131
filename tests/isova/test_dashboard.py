"""The leadership dashboard: content, access, HTMX panels and a constant number of queries."""

import datetime

import pytest

from isova.models import ActionStatus, Role
from tests.factories import ActionFactory, member


def _actions(org, n):
    today = org.organisation.today()
    for i in range(n):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            assigned_by=org.manager,
            due_date=today + datetime.timedelta(days=(i % 20) - 10),
            status=list(ActionStatus)[i % 5],
        )


def test_dashboard_counts_outstanding_and_overdue_actions_of_this_organisation_only(
    org, other_org, as_user
):
    today = org.organisation.today()
    ActionFactory(
        organisation=org.organisation, owner=org.staff, due_date=today - datetime.timedelta(days=1)
    )
    ActionFactory(
        organisation=org.organisation, owner=org.staff, due_date=today + datetime.timedelta(days=1)
    )
    ActionFactory(
        organisation=other_org.organisation,
        owner=other_org.staff,
        due_date=today - datetime.timedelta(days=1),
    )
    response = as_user(org.leader).get("/dashboard/")
    assert response.status_code == 200
    actions = response.context["actions"]
    assert (actions["outstanding"], actions["overdue"]) == (2, 1)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_dashboard(org, as_user, role):
    assert as_user(org.user(role)).get("/dashboard/").status_code == 200


def test_only_leaders_get_the_approvals_list(org, as_user):
    assert as_user(org.leader).get("/dashboard/").context["approvals"]["can_approve"] is True
    assert as_user(org.manager).get("/dashboard/").context["approvals"]["can_approve"] is False


def test_a_panel_alone_is_a_fragment_for_htmx(org, as_user):
    response = as_user(org.leader).get("/dashboard/panels/actions/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-actions"' in html and "<html" not in html


def test_an_unknown_panel_is_404(org, as_user):
    assert as_user(org.leader).get("/dashboard/panels/nope/").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("n", [5, 200])
def test_dashboard_runs_a_fixed_number_of_queries(org, as_user, django_assert_max_num_queries, n):
    _actions(org, n)
    client = as_user(org.leader)
    # session, user, memberships+organisation (3); the filter form's members and processes
    # (2); the hourly "last seen" update (1); approvals: waiting list, count (2); objectives:
    # RAG counts, review-overdue list, count (3); audits: action summary, findings aggregate
    # (2); risks panel and its partial (8, tests/risks); reviews panel (11 at most,
    # tests/reviews); actions aggregate (1); trends: objectives for the select, the twelve
    # furthest behind, their values (3); upcoming: one per source (5); leadership health:
    # thresholds and each figure (15, tests/isova/test_health_panel.py). Savepoints none.
    # Total 56.
    with django_assert_max_num_queries(56):
        response = client.get("/dashboard/")
    assert response.status_code == 200


def test_a_user_without_membership_in_this_org_sees_nothing_of_it(org, other_org, as_user):
    outsider = member(other_org.organisation, Role.LEADER)
    ActionFactory(organisation=org.organisation, owner=org.staff)
    response = as_user(outsider).get("/dashboard/")
    assert response.context["actions"]["outstanding"] == 0


def _submit_policies(org, n):
    from isova import records
    from isova.records import policy as policy_services
    from tests.conftest import membership_of

    manager = membership_of(org.manager, org.organisation)
    for i in range(n):
        policy = policy_services.policy_create(
            membership=manager,
            title=f"Policy {i}",
            text="We meet our customers' requirements.",
            owner=org.leader,
            effective_from=datetime.date(2026, 1, 1),
        )
        records.submit(membership=manager, obj=policy)


def test_leaders_see_submitted_records_waiting_for_them(org, as_user):
    _submit_policies(org, 2)
    approvals = as_user(org.leader).get("/dashboard/").context["approvals"]
    assert approvals["waiting_count"] == 2
    assert [str(v.record) for v in approvals["waiting"]] == ["Policy 0", "Policy 1"]


@pytest.mark.parametrize("n", [2, 30])
def test_waiting_approvals_cost_the_same_queries_however_many(
    org, as_user, django_assert_max_num_queries, n
):
    _submit_policies(org, n)
    client = as_user(org.leader)
    # 56 as above, plus the prefetch of the records themselves (one per kind of record: 1)
    # and the reviews panel's policy share once an approved policy exists (2).
    with django_assert_max_num_queries(59):
        assert client.get("/dashboard/").status_code == 200


@pytest.fixture
def throwaway_panel(settings, tmp_path):
    """A panel registered as an app would, with its own template; unregistered afterwards."""
    from isova.registry import Panel, registry

    (tmp_path / "throwaway_panel.html").write_text(
        '<section id="panel-throwaway">Throwaway: {{ throwaway.answer }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    registry.register(
        "panels",
        Panel(
            name="throwaway",
            title="Throwaway",
            order=50,
            template="throwaway_panel.html",
            build=lambda ctx: {"answer": ctx.organisation.name},
            visible=lambda membership: membership.role == Role.LEADER,
        ),
    )
    yield
    registry.unregister("throwaway")


def test_a_panel_an_app_registers_shows_on_the_dashboard_without_the_core_changing(
    org, as_user, throwaway_panel
):
    html = as_user(org.leader).get("/dashboard/").content.decode()
    assert f"Throwaway: {org.organisation.name}" in html
    refreshed = as_user(org.leader).get("/dashboard/panels/throwaway/", HTTP_HX_REQUEST="true")
    assert refreshed.status_code == 200 and 'id="panel-throwaway"' in refreshed.content.decode()


def test_a_panel_hidden_from_a_role_is_neither_shown_nor_refreshed_for_it(
    org, as_user, throwaway_panel
):
    assert "Throwaway" not in as_user(org.manager).get("/dashboard/").content.decode()
    assert as_user(org.manager).get("/dashboard/panels/throwaway/").status_code == 404


def test_registered_panels_show_in_their_order(org, as_user):
    html = as_user(org.leader).get("/dashboard/").content.decode()
    ids = ["panel-approvals", "panel-objectives", "panel-audits", "panel-actions"]
    positions = [html.index(f'id="{panel_id}"') for panel_id in ids]
    assert positions == sorted(positions)
