"""The "Upcoming" panel: what each registered source has due in the next 30 days."""

import datetime

import pytest
import time_machine

from audits.models import Process
from isova.models import ActionStatus
from isova.registry import registry
from objectives.models import Objective
from risks.models import Risk
from tests.audits.conftest import plan
from tests.factories import ActionFactory
from tests.objectives.conftest import make_objective
from tests.reviews.conftest import plan_review
from tests.risks.conftest import raise_risk

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _one_of_each(org, offset=0):
    """An action, objective review, audit, management review and risk review in the window,
    and one of each just outside it."""
    for days in (3 + offset, 31):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            title=f"Calibrate gauges {days}",
            due_date=_days(days),
        )
        objective = make_objective(org.organisation, org.manager, title=f"On-time delivery {days}")
        Objective.objects.filter(pk=objective.pk).update(next_review_date=_days(days))
        plan(org, title=f"Welding audit {days}", planned_date=_days(days))
        plan_review(org, title=f"Spring review {days}", days_ahead=days)
        risk = raise_risk(org, title=f"Supplier fails {days}")
        Risk.objects.filter(pk=risk.pk).update(next_review_date=_days(days))


def test_every_app_contributes_an_upcoming_source():
    assert [name for name, _ in registry.upcoming_sources()] == [
        "audits",
        "isova.actions",
        "objectives",
        "reviews",
        "risks",
    ]


def test_upcoming_lists_what_falls_due_in_the_next_30_days_by_date(org, as_user, today):
    _one_of_each(org)
    response = as_user(org.leader).get("/dashboard/")
    items = response.context["upcoming"]["items"]
    assert sorted(i.kind for i in items) == [
        "Action due",
        "Audit",
        "Management review",
        "Objective review",
        "Risk review",
    ]
    assert {i.day for i in items} == {_days(3)}
    page = response.content.decode()
    # The upcoming panel alone: the risks panel may list the same risk among its top risks.
    html = page[page.index('id="panel-upcoming"') :].split("</section>", 1)[0]
    for title in ("Calibrate gauges 3", "On-time delivery 3", "Welding audit 3", "Spring review 3"):
        assert title in html
    assert "Supplier fails 31" not in html


def test_finished_actions_and_other_organisations_items_are_left_out(
    org, other_org, as_user, today
):
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        title="Already done",
        due_date=_days(2),
        status=ActionStatus.VERIFIED,
    )
    ActionFactory(
        organisation=other_org.organisation,
        owner=other_org.staff,
        title="Theirs",
        due_date=_days(2),
    )
    html = as_user(org.leader).get("/dashboard/").content.decode()
    assert "Already done" not in html and "Theirs" not in html
    assert "Nothing due or planned" in html


def test_an_owner_filter_keeps_that_persons_items(org, today, rf):
    from isova.dashboard.upcoming import upcoming_panel
    from isova.registry import PanelContext

    _one_of_each(org)
    ActionFactory(
        organisation=org.organisation, owner=org.leader, title="Leader's", due_date=_days(5)
    )
    request = rf.get("/dashboard/")
    request.user = org.leader
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=None,
        today=TODAY,
        filters={"owner": org.leader.pk},
    )
    # The leader owns one action and chairs the management review (plan_review).
    titles = sorted(i.title for i in upcoming_panel(ctx)["items"])
    assert titles == ["Leader's", "Spring review 3"]


def test_a_process_filter_keeps_audits_and_risks_of_that_process(org, today, rf):
    from isova.dashboard.upcoming import upcoming_panel
    from isova.registry import PanelContext

    production = Process.objects.create(
        organisation=org.organisation, name="Production", owner=org.manager
    )
    plan(org, title="Welding audit", planned_date=_days(4), process=production)
    plan(org, title="Stores audit", planned_date=_days(4))
    request = rf.get("/dashboard/")
    request.user = org.leader
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=None,
        today=TODAY,
        filters={"process": production.pk},
    )
    audits = [i.title for i in upcoming_panel(ctx)["items"] if i.kind == "Audit"]
    assert len(audits) == 1 and audits[0].endswith("Welding audit")


def test_the_upcoming_panel_alone_is_a_fragment_for_htmx(org, as_user, today):
    response = as_user(org.leader).get("/dashboard/panels/upcoming/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="panel-upcoming"' in html and "<html" not in html
    assert "/actions/?due_from=2026-03-02&amp;due_to=2026-04-01" in html


@pytest.mark.parametrize("n", [1, 25])
def test_the_upcoming_panel_runs_a_fixed_number_of_queries(
    org, as_user, today, django_assert_max_num_queries, n
):
    for i in range(n):
        _one_of_each(org, offset=i % 20)
    client = as_user(org.leader)
    # session, user, memberships+organisation (3); one query per source: actions,
    # objective reviews, audits, management reviews, risk reviews (5). Total 8.
    with django_assert_max_num_queries(8):
        response = client.get("/dashboard/panels/upcoming/")
    assert response.status_code == 200
    assert len(response.context["upcoming"]["items"]) <= 5 * 20
