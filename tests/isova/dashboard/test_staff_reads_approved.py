"""The dashboard shows staff the last approved version of objectives and risks, and nothing
else (issue 22.3): a target changed and submitted but not yet approved does not move an
objective's state for them, a record never approved is not counted, the panel's own refresh
URL agrees, every figure's list shows staff the same count, and the queries stay fixed."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from isova import records
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.isova.test_dashboard_budget import DASHBOARD_BUDGET
from tests.objectives.conftest import add_values, complete, make_objective
from tests.risks.conftest import raise_risk


@pytest.fixture(autouse=True)
def _april_2025():
    with time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _approve(org, obj):
    records.submit(membership=membership_of(org.manager, org.organisation), obj=obj)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=obj, password=PASSWORD
    )


@pytest.fixture
def tightened(org):
    """Approved as 80 → 100 % (on track with 82, 84, 86), then changed to a target of 200
    (far off track with the same values), submitted and not yet approved."""
    objective = complete(make_objective(org.organisation, org.manager, title="On time"))
    objective.status = "draft"
    objective.save()
    objective.actions.create(
        organisation=org.organisation,
        title="Weekly dispatch check",
        owner=org.staff,
        due_date=datetime.date(2025, 6, 30),
    )
    _approve(org, objective)
    add_values(objective, [82, 84, 86])
    objective.refresh_from_db()
    objective.target, objective.title = Decimal("200"), "On time, doubled"
    objective.save()
    records.record_changed(obj=objective, changed_fields=["target", "title"], user=org.manager)
    records.submit(membership=membership_of(org.manager, org.organisation), obj=objective)
    return objective


def _context(client, url, name):
    response = client.get(url)
    assert response.status_code == 200
    return response.context[name]


def _rag(data):
    return {str(state): count for state, count, _ in data["rag"]}


def _rag_urls(data):
    return {str(state): url for state, _, url in data["rag"]}


def _list_count(client, url):
    return _context(client, url, "page").paginator.count


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/panels/objectives/"])
def test_staff_see_the_approved_state_of_an_objective_changed_since(org, as_user, tightened, url):
    staff = _context(as_user(org.staff), url, "objectives")
    assert _rag(staff)["green"] == 1 and _rag(staff)["red"] == 0
    manager = _context(as_user(org.manager), url, "objectives")
    assert _rag(manager)["red"] == 1 and _rag(manager)["green"] == 0


def test_staff_trends_read_the_approved_terms(org, as_user, tightened):
    trends = _context(as_user(org.staff), "/dashboard/panels/trends/", "trends")
    [shown] = trends["top"]
    assert (shown.title, shown.target, shown.rag) == ("On time", Decimal("100"), "green")
    assert trends["choices"] == [(tightened.pk, "On time")]
    [entry] = trends["payload"]["objectives"]
    assert entry["rag"] == "green" and "doubled" not in entry["title"]
    page = as_user(org.staff).get("/dashboard/").content.decode()
    assert "On time, doubled" not in page
    manager = _context(as_user(org.manager), "/dashboard/panels/trends/", "trends")
    assert [o.title for o in manager["top"]] == ["On time, doubled"]


def test_staff_land_on_a_list_with_the_count_they_were_shown(org, as_user, tightened):
    make_objective(org.organisation, org.manager, title="Never approved", status="draft")
    for user in (org.staff, org.manager):
        client = as_user(user)
        data = _context(client, "/dashboard/", "objectives")
        for state, count in _rag(data).items():
            assert _list_count(client, _rag_urls(data)[state]) == count, (user, state)


def test_an_objective_never_approved_is_counted_for_managers_not_staff(org, as_user):
    draft = make_objective(org.organisation, org.manager, title="Idea", status="draft")
    add_values(draft, [82, 84, 86])
    staff = _context(as_user(org.staff), "/dashboard/", "objectives")
    assert staff["open_total"] == 0
    manager = _context(as_user(org.manager), "/dashboard/", "objectives")
    assert manager["open_total"] == 1
    body = as_user(org.staff).get("/objectives/?status=open").content.decode()
    assert "Idea" not in body


def test_an_active_objective_without_an_approval_stands_for_staff(org, as_user):
    """Imported, or older than the approval workflow: its row is what was agreed."""
    make_objective(org.organisation, org.manager, title="Imported")
    staff = _context(as_user(org.staff), "/dashboard/", "objectives")
    assert staff["open_total"] == 1


def _high_risk(org, title):
    from risks import services

    risk = raise_risk(org, title=title, inherent_likelihood=3, inherent_impact=4)
    services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Second source",
        owner=org.staff,
        due_date=datetime.date(2030, 1, 31),
    )
    return risk


def _residual(data):
    return {row["name"]: row["residual"] for row in data["band_rows"]}


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/panels/risks/"])
def test_a_risk_never_approved_is_counted_for_managers_not_staff(org, as_user, url):
    approved = _high_risk(org, "Supplier fails")
    _approve(org, approved)
    _high_risk(org, "Press breaks down")  # its plan was never approved
    raise_risk(org, title="Paper runs out", inherent_likelihood=1, inherent_impact=2)
    staff = _context(as_user(org.staff), url, "risks")
    manager = _context(as_user(org.manager), url, "risks")
    assert sum(_residual(manager).values()) == 3
    assert sum(_residual(staff).values()) == 2
    assert "Press breaks down" not in [r.title for r in staff["top"]]
    assert "Press breaks down" in [r.title for r in manager["top"]]
    for row in staff["band_rows"]:  # the register behind each band agrees
        assert _list_count(as_user(org.staff), row["residual_url"]) == row["residual"]


def test_staff_read_a_risk_as_approved_on_the_dashboard(org, as_user):
    from risks import services

    risk = _high_risk(org, "Supplier fails")
    _approve(org, risk)
    services.risk_update(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Supplier fails this year",
        inherent_likelihood=5,
    )
    staff = _context(as_user(org.staff), "/dashboard/", "risks")
    assert [r.title for r in staff["top"]] == ["Supplier fails"]
    inherent = {row["name"]: row["inherent"] for row in staff["band_rows"]}
    manager = _context(as_user(org.manager), "/dashboard/", "risks")
    manager_inherent = {row["name"]: row["inherent"] for row in manager["band_rows"]}
    assert inherent != manager_inherent  # 12 (High) approved, 20 (Critical) now
    assert [r.title for r in manager["top"]] == ["Supplier fails this year"]


def _staff_data(org, n):
    for i in range(n):
        objective = complete(make_objective(org.organisation, org.manager, title=f"Aim {i}"))
        objective.status = "draft"
        objective.save()
        objective.actions.create(
            organisation=org.organisation,
            title=f"Step {i}",
            owner=org.staff,
            due_date=datetime.date(2025, 6, 30),
        )
        _approve(org, objective)
        add_values(objective, [82, 84])
        objective.target = Decimal("150")
        objective.save()
        records.record_changed(obj=objective, changed_fields=["target"], user=org.manager)
        make_objective(org.organisation, org.manager, title=f"Draft {i}", status="draft")
        risk = _high_risk(org, f"Risk {i}")
        if i % 2:
            _approve(org, risk)


@pytest.mark.parametrize("n", [1, 8])
def test_staff_dashboard_keeps_to_its_budget(org, as_user, django_assert_max_num_queries, n):
    _staff_data(org, n)
    client = as_user(org.staff)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        assert client.get("/dashboard/").status_code == 200
    for name in ("objectives", "trends", "risks", "upcoming", "glance"):
        with django_assert_max_num_queries(12 if name != "glance" else 45, info=name):
            assert client.get(f"/dashboard/panels/{name}/").status_code == 200


def _changed_after_approval(org):
    """Approved at 3 × 4 (High), re-scored 5 × 4 (Critical) and retitled since, not yet
    approved again; another High risk never approved; a Low one that needs no approval."""
    from risks import services

    risk = _high_risk(org, "Supplier fails")
    _approve(org, risk)
    services.risk_update(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Supplier fails this year",
        inherent_likelihood=5,
    )
    _high_risk(org, "Press breaks down")
    raise_risk(org, title="Paper runs out", inherent_likelihood=1, inherent_impact=2)


@pytest.mark.parametrize("user", ["staff", "manager"])
def test_every_heat_map_cell_agrees_with_the_register_behind_it(org, as_user, user):
    _changed_after_approval(org)
    client = as_user(getattr(org, user))
    cells = []
    for source in ("/risks/heat-map/",):
        for drawn in _context(client, source, "maps"):
            cells += [c for row in drawn["grid"] for c in row["cells"]]
    dashboard = _context(client, "/dashboard/", "risks")
    cells += [c for row in dashboard["grid"] for c in row["cells"]]
    assert sum(c["count"] for c in cells) == (2 + 2 + 2 if user == "staff" else 3 + 3 + 3)
    for cell in cells:
        if cell["count"]:
            assert _list_count(client, cell["url"]) == cell["count"], cell["url"]
    inherent = {
        c["score"]: c["count"]
        for drawn in _context(client, "/risks/heat-map/", "maps")
        if drawn["basis"] == "inherent"
        for row in drawn["grid"]
        for c in row["cells"]
        if c["count"]
    }
    assert inherent == ({12: 1, 2: 1} if user == "staff" else {20: 1, 12: 1, 2: 1})


@pytest.mark.parametrize("user", ["staff", "manager"])
def test_every_glance_count_agrees_with_its_list(org, as_user, tightened, user):
    _changed_after_approval(org)
    make_objective(org.organisation, org.manager, title="Never approved", status="draft")
    client = as_user(getattr(org, user))
    glance = _context(client, "/dashboard/", "glance")
    figures = [f for group in glance["groups"] for f, _ in group["figures"] if f.is_count]
    assert figures
    for figure in figures:
        if "/risks/" in figure.url or "/objectives/" in figure.url:
            assert _list_count(client, figure.url) == figure.value, figure.label
    risks = _context(client, "/dashboard/", "risks")
    assert _list_count(client, risks["above_appetite_url"]) == risks["above_appetite"]


def test_the_decisions_panel_is_not_shown_to_staff(org, as_user):
    """What waits for a signature is not theirs to read; the register shows them signed
    decisions only, so its counts could not agree."""
    staff = as_user(org.staff)
    assert 'id="panel-decisions"' not in staff.get("/dashboard/").content.decode()
    assert staff.get("/dashboard/panels/decisions/").status_code == 404
    manager = as_user(org.manager)
    assert 'id="panel-decisions"' in manager.get("/dashboard/").content.decode()
    assert manager.get("/dashboard/panels/decisions/").status_code == 200


def test_upcoming_shows_staff_approved_titles_and_no_record_never_approved(org, as_user, tightened):
    from objectives.models import Objective
    from risks.models import Risk

    soon = datetime.date(2025, 4, 20)
    Objective.objects.filter(pk=tightened.pk).update(next_review_date=soon)
    draft = _high_risk(org, "Press breaks down")  # its plan was never approved
    Risk.objects.filter(pk=draft.pk).update(next_review_date=soon)
    staff = [i.title for i in _context(as_user(org.staff), "/dashboard/", "upcoming")["items"]]
    assert "On time" in staff
    assert "On time, doubled" not in staff and "Press breaks down" not in staff
    manager = [i.title for i in _context(as_user(org.manager), "/dashboard/", "upcoming")["items"]]
    assert "On time, doubled" in manager and "Press breaks down" in manager
    refreshed = as_user(org.staff).get("/dashboard/panels/upcoming/").content.decode()
    assert "On time, doubled" not in refreshed and "Press breaks down" not in refreshed


def test_the_reviews_list_behind_the_panel_names_objectives_as_approved(org, as_user, tightened):
    """The panel's "All reviews": the overdue review of the objective, by its approved title."""
    staff = as_user(org.staff).get("/objectives/reviews/").content.decode()
    assert ">On time</a>" in staff and "On time, doubled" not in staff
    manager = as_user(org.manager).get("/objectives/reviews/").content.decode()
    assert "On time, doubled" in manager


def test_the_demo_dashboard_of_staff_keeps_to_the_budget(
    db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.test import Client

    from isova import demo
    from isova.models import User

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    client = Client()
    client.force_login(User.objects.get(email="staff@example.com"))
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        assert client.get("/dashboard/").status_code == 200
    for url in ("/objectives/?status=open", "/risks/", "/risks/heat-map/"):
        assert client.get(url).status_code == 200
