"""The dashboard's "At a glance" block: the four things, leadership health and what waits for
the viewer on the first screen; every figure a link to the list of exactly those items with
the same count; no more queries than the panels below already run."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from isova import demo
from isova.actions.alerts import action_alerts
from isova.models import ActionStatus, User
from isova.registry import Glance, GlanceFigure, registry
from tests.factories import ActionFactory
from tests.isova.test_dashboard_budget import DASHBOARD_BUDGET
from tests.isova.test_dashboard_figure_links import _list_count
from tests.isova.test_dashboard_filters import _data

FIGURE = re.compile(
    r'<li class="glance-figure[^"]*"(?: data-glance-count="(\d+)")?>(.*?)</li>', re.S
)
HREF = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)
GROUP = re.compile(r'<h3 id="glance-[\w-]+-title">([^<]+)</h3>')
TAG = re.compile(r"<[^>]+>")


def glance_block(html: str) -> str:
    """The block's HTML: from its section to the next dashboard slot."""
    start = html.index('id="panel-glance"')
    end = html.index('class="panel-slot"', start)
    return html[start:end]


def glance_figures(html: str) -> list[tuple[int | None, str, str]]:
    """(count or None, address, link text) of every figure of the block."""
    found = []
    for count, inner in FIGURE.findall(glance_block(html)):
        link = HREF.search(inner)
        assert link is not None, f"a figure without a link: {inner.strip()}"
        text = " ".join(unescape(TAG.sub("", link.group(2))).split())
        found.append((int(count) if count else None, unescape(link.group(1)), text))
    return found


@pytest.fixture
def demo_leader(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    client = Client()
    client.force_login(User.objects.get(email="leader@example.com"))
    return client


def test_the_glance_block_comes_first_with_the_four_things_health_and_what_waits(demo_leader):
    html = demo_leader.get("/dashboard/").content.decode()
    # the first panel of the page, before every detail panel
    assert html.index('id="panel-glance"') < min(
        html.index(f'id="panel-{name}"') for name in ("objectives", "audits", "risks", "health")
    )
    groups = GROUP.findall(glance_block(html))
    assert groups == [
        "Objectives",
        "Audits",
        "Risks",
        "Waiting for you",
        "Leadership health",
        "Performance trends",
    ]
    block = glance_block(html)
    assert "off track" in block and "above the appetite" in block and "reviews overdue" in block
    assert block.count('class="sparkline"') >= 3  # the trends, drawn without JavaScript


def test_every_glance_figure_links_to_a_list_showing_the_same_count(demo_leader):
    figures = glance_figures(demo_leader.get("/dashboard/").content.decode())
    counts = [(count, href, text) for count, href, text in figures if count is not None]
    assert len(counts) >= 11  # objectives 3, audit actions 2, risks 3, waiting for you 3
    assert any(count for count, _, _ in counts)  # the demo has something in them
    wrong = []
    for count, href, text in counts:
        response = demo_leader.get(href)
        assert response.status_code == 200, href
        shown = _list_count(response)
        if shown != count:
            wrong.append((text, href, count, shown))
    assert wrong == []


def test_every_glance_figure_without_a_count_links_to_a_page_that_answers(demo_leader):
    figures = glance_figures(demo_leader.get("/dashboard/").content.decode())
    words = [(href, text) for count, href, text in figures if count is None]
    assert len(words) >= 8  # leadership health (8 figures) and the trends
    for href, text in words:
        assert text, href  # a name a screen reader reads out
        assert demo_leader.get(href).status_code == 200, (text, href)


def test_health_in_the_glance_says_its_colour_in_words(demo_leader):
    block = glance_block(demo_leader.get("/dashboard/").content.decode())
    line = block[block.index('id="glance-health-title"') :]
    line = line[: line.index("</section>")]
    assert re.search(r"Late findings: <span>(green|amber|red|grey)</span>", line)


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_see_their_own_work_but_not_health_or_approvals(org, as_user, role):
    ActionFactory(organisation=org.organisation, owner=org.user(role), assigned_by=org.manager)
    html = as_user(org.user(role)).get("/dashboard/").content.decode()
    block = glance_block(html)
    assert "Leadership health" not in block
    assert "approvals waiting" not in block and "escalated" not in block
    assert "outstanding action of yours" in block


def test_escalated_to_leaders_counts_the_actions_the_alert_ladder_took_to_them(org, as_user):
    organisation = org.organisation
    today = organisation.today()
    days = organisation.escalate_to_leaders_after_days
    for late in (days - 1, days, days + 5, 30):
        ActionFactory(
            organisation=organisation,
            owner=org.staff,
            assigned_by=org.manager,
            status=ActionStatus.OPEN,
            due_date=today - datetime.timedelta(days=late),
        )
    laddered = {
        alert.key.split(":due:")[0]
        for alert in action_alerts(organisation, today)
        if alert.kind == "action_escalated" and alert.recipient == org.leader
    }
    client = as_user(org.leader)
    figures = glance_figures(client.get("/dashboard/").content.decode())
    escalated = [(n, href) for n, href, text in figures if "escalated to you" in text]
    assert escalated and escalated[0][0] == len(laddered) == 3
    assert _list_count(client.get(escalated[0][1])) == 3


def test_another_organisations_work_never_counts(org, other_org, as_user):
    today = other_org.organisation.today()
    for _ in range(3):
        ActionFactory(
            organisation=other_org.organisation,
            owner=other_org.staff,
            assigned_by=other_org.manager,
            status=ActionStatus.OPEN,
            due_date=today - datetime.timedelta(days=40),
        )
    figures = glance_figures(as_user(org.leader).get("/dashboard/").content.decode())
    assert [n for n, _, text in figures if "escalated" in text] == [0]


def test_the_risk_register_lists_exactly_the_risks_above_the_appetite(org, as_user):
    from risks.models import Risk
    from risks.services import current_matrix
    from tests.risks.conftest import bulk_risks

    bulk_risks(org.organisation, org.manager, 30)
    matrix = current_matrix(org.organisation)
    above = Risk.objects.for_org(org.organisation).above_appetite(matrix)
    client = as_user(org.leader)
    figures = glance_figures(client.get("/dashboard/").content.decode())
    [(count, href)] = [(n, href) for n, href, text in figures if "above the appetite" in text]
    assert count == above.count() > 0
    response = client.get(href)
    assert {r.pk for r in response.context["page"]} <= set(above.values_list("pk", flat=True))
    assert _list_count(response) == count


def test_a_glance_group_an_app_registers_shows_without_the_core_changing(org, as_user):
    def build(ctx):
        return [GlanceFigure(label="things to see", value=7, url="/actions/")]

    registry.register("glance", Glance(name="throwaway", title="Throwaway", order=99, build=build))
    try:
        block = glance_block(as_user(org.leader).get("/dashboard/").content.decode())
    finally:
        registry.unregister("throwaway")
    assert "<h3" in block and "Throwaway" in block
    assert '<a href="/actions/"><strong>7</strong> things to see</a>' in block


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/").status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("n", [3, 150])
def test_the_glance_block_adds_no_query_to_the_dashboard(org, as_user, n):
    _data(org, n)
    client = as_user(org.leader)
    _queries(client)  # the first request notes "last seen" and creates the risk matrix
    with_glance = _queries(client)
    panels = registry._tables["panels"]
    glance = panels.pop("glance")
    try:
        without = _queries(client)
    finally:
        panels["glance"] = glance
    # the same queries whatever the size: the block reads the panels' own answers
    assert with_glance <= without + 1
    assert with_glance <= DASHBOARD_BUDGET


def test_the_demo_dashboard_with_its_glance_keeps_to_its_budget(
    demo_leader, django_assert_max_num_queries
):
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = demo_leader.get("/dashboard/")
    assert 'id="panel-glance"' in response.content.decode()


def test_objective_states_show_their_change_since_a_week_ago(org, as_user):
    from objectives.models import period_bounds
    from tests.objectives.conftest import add_values, make_objective

    today = org.organisation.today()
    start = today - datetime.timedelta(days=70)
    objective = make_objective(
        org.organisation,
        org.manager,
        frequency="weekly",
        baseline=0,
        target=100,
        start_date=start,
        target_date=today + datetime.timedelta(days=70),
    )
    weeks, day = 0, start
    while day <= today:  # every week from the start, this one included
        weeks, day = weeks + 1, period_bounds(day, "weekly")[1] + datetime.timedelta(days=1)
    # ahead of plan every week until last week; this week's value (begun since) far behind
    add_values(objective, [100] * (weeks - 1) + [0])
    html = as_user(org.leader).get("/dashboard/").content.decode()
    block = glance_block(html)
    week_ago = today - datetime.timedelta(days=7)
    since = f"since {week_ago.day} {week_ago:%b}"
    change = r"</a> <span [^>]*>"
    assert re.search(rf"<strong>1</strong> off track{change}\+1 {since}</span>", block)
    assert re.search(rf"<strong>0</strong> on track{change}−1 {since}</span>", block)
    assert re.search(rf"<strong>0</strong> slightly behind{change}none {since}</span>", block)


@pytest.mark.parametrize("narrowing", ["owner", "process", "period"])
def test_filtered_glance_figures_link_to_lists_narrowed_the_same_way(demo_leader, narrowing):
    from audits.models import Process

    organisation = User.objects.get(email="leader@example.com").memberships.get().organisation
    value = {
        "owner": lambda: User.objects.get(email="manager@example.com").pk,
        "process": lambda: Process.objects.for_org(organisation).order_by("pk").first().pk,
        "period": lambda: 90,
    }[narrowing]()
    html = demo_leader.get(f"/dashboard/?{narrowing}={value}").content.decode()
    assert "Filtered as the panels below are." in glance_block(html)
    wrong = []
    for count, href, text in glance_figures(html):
        if count is None:
            continue
        shown = _list_count(demo_leader.get(href))
        if shown != count:
            wrong.append((text, href, count, shown))
    assert wrong == []
