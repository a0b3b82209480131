"""Leadership health: each figure against known data, thresholds leaders change, queries."""

import datetime

import pytest
import time_machine

from audits.models import Finding
from isova.health.services import health_panel, thresholds
from isova.models import Action, HealthThreshold, Membership, RecordVersion, Role
from isova.registry import PanelContext
from objectives.models import Objective, Review
from tests.audits.conftest import plan, raise_finding, start
from tests.conftest import membership_of
from tests.factories import ActionFactory, member
from tests.isova.test_dashboard import _submit_policies
from tests.objectives.conftest import make_objective
from tests.reviews.conftest import hold_and_discuss, plan_review

TODAY = datetime.date(2026, 3, 16)
NOON = datetime.datetime(2026, 3, 16, 12, tzinfo=datetime.UTC)


@pytest.fixture
def today():
    with time_machine.travel(NOON, tick=False):
        yield TODAY


def _ago(days):
    return NOON - datetime.timedelta(days=days)


def _figures(org, rf):
    request = rf.get("/dashboard/")
    request.user = org.leader
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=membership_of(org.leader, org.organisation),
        today=TODAY,
    )
    return {row["figure"].key: row for row in health_panel(ctx)["rows"]}


def _readings(row):
    return [(r.label, r.value, colour) for r, colour in row["readings"]]


def test_days_since_each_leader_opened_the_dashboard_and_never_is_red(org, today, rf):
    second = member(org.organisation, Role.LEADER, full_name="Zoe Second")
    Membership.objects.filter(user=org.leader, organisation=org.organisation).update(
        last_seen_dashboard_at=_ago(3)
    )
    row = _figures(org, rf)["leaders_last_seen"]
    assert _readings(row) == [
        (org.leader.get_full_name(), 3, "green"),
        (second.get_full_name(), None, "red"),
    ]
    assert row["colour"] == "red"


def test_days_since_a_leader_last_acted_takes_the_latest_kind_of_act(org, today, rf):
    action = ActionFactory(organisation=org.organisation, owner=org.staff, assigned_by=org.leader)
    Action.objects.filter(pk=action.pk).update(created_at=_ago(20))
    objective = make_objective(org.organisation, org.manager)
    Review.objects.create(
        objective=objective,
        reviewed_on=TODAY - datetime.timedelta(days=9),
        note="On track.",
        decision="continue",
        reviewed_by=org.leader,
    )
    row = _figures(org, rf)["leaders_last_acted"]
    assert _readings(row) == [(org.leader.get_full_name(), 9, "green")]


def test_a_leader_who_never_acted_is_red(org, today, rf):
    assert _readings(_figures(org, rf)["leaders_last_acted"]) == [
        (org.leader.get_full_name(), None, "red")
    ]


def test_objectives_not_reviewed_on_schedule_are_counted(org, today, rf):
    for days in (-1, -5, 3):
        objective = make_objective(org.organisation, org.manager)
        Objective.objects.filter(pk=objective.pk).update(
            next_review_date=TODAY + datetime.timedelta(days=days)
        )
    row = _figures(org, rf)["objectives_review_overdue"]
    assert _readings(row) == [("", 2, "amber")]
    assert row["readings"][0][0].url == "/objectives/reviews/"


def test_late_findings_and_the_oldest_ones_age(org, today, rf):
    audit = start(org, plan(org))
    for raised, due in ((70, 40), (20, 5), (3, -10)):
        finding = raise_finding(org, audit)
        Finding.objects.filter(pk=finding.pk).update(
            raised_on=TODAY - datetime.timedelta(days=raised),
            response_due=TODAY - datetime.timedelta(days=due),
        )
    figures = _figures(org, rf)
    assert _readings(figures["findings_late"]) == [("", 2, "amber")]
    assert _readings(figures["findings_oldest_late"]) == [("", 70, "red")]
    assert figures["findings_late"]["readings"][0][0].url == "/audits/findings/?overdue=on"


def test_attendance_of_each_leader_at_the_last_reviews(org, today, rf):
    assert _readings(_figures(org, rf)["review_attendance"]) == [
        (org.leader.get_full_name(), None, "grey")
    ]
    # The chair (the leader) is always invited; held and everyone present: 1 of 1.
    hold_and_discuss(org, plan_review(org))
    second = member(org.organisation, Role.LEADER, full_name="Zoe Second")
    assert _readings(_figures(org, rf)["review_attendance"]) == [
        (org.leader.get_full_name(), 100.0, "green"),
        (second.get_full_name(), 0.0, "red"),
    ]


def test_the_share_of_outstanding_actions_held_by_the_busiest_person(org, today, rf):
    for owner in (org.staff, org.staff, org.staff, org.manager):
        ActionFactory(organisation=org.organisation, owner=owner)
    ActionFactory(organisation=org.organisation, owner=org.manager, status="verified")
    (row,) = _figures(org, rf)["busiest_share"]["readings"]
    reading, colour = row
    assert (reading.label, reading.value, colour) == (org.staff.get_full_name(), 75.0, "red")
    assert reading.url == f"/actions/?status=outstanding&owner={org.staff.pk}"


def test_approvals_waiting_count_the_days_of_the_oldest(org, today, rf):
    assert _readings(_figures(org, rf)["approvals_waiting"]) == [("", None, "green")]
    _submit_policies(org, 2)
    RecordVersion.objects.filter(organisation=org.organisation).update(submitted_at=_ago(8))
    assert _readings(_figures(org, rf)["approvals_waiting"]) == [("", 8, "amber")]


def test_thresholds_changed_by_a_leader_change_the_colour(org, as_user, today):
    Membership.objects.filter(user=org.leader, organisation=org.organisation).update(
        last_seen_dashboard_at=_ago(3)
    )
    client = as_user(org.leader)
    page = client.get("/dashboard/health/")
    assert page.status_code == 200
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data.update({"leaders_last_seen-amber": 1, "leaders_last_seen-red": 2})
    response = client.post("/dashboard/health/", data)
    assert response.status_code == 302
    assert thresholds(org.organisation)["leaders_last_seen"] == (1.0, 2.0)
    html = client.get("/dashboard/panels/health/").content.decode()
    assert "rag-dot-red health-red" in html.split('id="health-leaders_last_seen"')[1]


def test_thresholds_of_one_organisation_leave_the_others_alone(org, other_org, as_user, today):
    client = as_user(org.leader)
    page = client.get("/dashboard/health/")
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data.update({"busiest_share-amber": 10, "busiest_share-red": 20})
    client.post("/dashboard/health/", data)
    assert thresholds(other_org.organisation)["busiest_share"] == (40, 60)


def test_red_below_amber_is_refused_and_nothing_is_saved(org, as_user, today):
    client = as_user(org.leader)
    page = client.get("/dashboard/health/")
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data.update({"busiest_share-amber": 50, "busiest_share-red": 20, "findings_late-red": 9})
    response = client.post("/dashboard/health/", data)
    assert response.status_code == 200
    assert "red must be at or above amber" in response.content.decode()
    assert not HealthThreshold.objects.exists()


@pytest.mark.parametrize("value", ["", "-1", "abc", "1e9"])
def test_a_bad_threshold_is_a_form_error(org, as_user, today, value):
    client = as_user(org.leader)
    page = client.get("/dashboard/health/")
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data["busiest_share-red"] = value
    response = client.post("/dashboard/health/", data)
    assert response.status_code == 200 and not HealthThreshold.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.AUDITOR])
def test_only_leaders_change_the_thresholds(org, as_user, today, role):
    client = as_user(org.user(role))
    assert client.get("/dashboard/health/").status_code == 403
    assert client.post("/dashboard/health/", {}).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.LEADER, True), (Role.MANAGER, True), (Role.STAFF, False), (Role.AUDITOR, False)],
)
def test_leaders_and_managers_see_the_health_panel(org, as_user, today, role, shown):
    client = as_user(org.user(role))
    assert ('id="panel-health"' in client.get("/dashboard/").content.decode()) is shown
    assert client.get("/dashboard/panels/health/").status_code == (200 if shown else 404)


def test_the_health_panel_alone_is_a_fragment_for_htmx(org, as_user, today):
    response = as_user(org.leader).get("/dashboard/panels/health/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="panel-health"' in html and "<html" not in html
    assert "/dashboard/health/" in html


def _lots(org, n):
    for i in range(n):
        leader = member(org.organisation, Role.LEADER, full_name=f"Leader {i:03d}")
        ActionFactory(organisation=org.organisation, owner=org.staff, assigned_by=leader)
        make_objective(
            org.organisation, org.manager, next_review_date=TODAY - datetime.timedelta(1)
        )
    _submit_policies(org, min(n, 5))
    audit = start(org, plan(org))
    for _ in range(min(n, 5)):
        raise_finding(org, audit)
    hold_and_discuss(org, plan_review(org))


@pytest.mark.parametrize("n", [1, 30])
def test_the_health_panel_runs_a_fixed_number_of_queries(
    org, as_user, today, django_assert_max_num_queries, n
):
    _lots(org, n)
    client = as_user(org.leader)
    # session, user, memberships+organisation (3); thresholds (1); last seen: leaders (1);
    # last acted: leaders, sign-offs, actions assigned, objective reviews, risk reviews (5);
    # objectives past review (1); late findings, oldest late finding (2); attendance:
    # reviews held, leaders, attendance rows (3); busiest person (1); approvals (1); lessons:
    # closures captured and lessons improved, one aggregate (1). 19 named, but the leaders'
    # acts are one UNION (tests/isova/test_dashboard_budget.py): 15 run.
    with django_assert_max_num_queries(18):
        response = client.get("/dashboard/panels/health/")
    assert response.status_code == 200
