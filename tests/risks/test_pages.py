"""Risk pages: what each role sees and may do, HTMX fragments, and fixed query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from isova.models import Action
from isova.registry import PanelContext
from risks import services
from risks.models import Risk, RiskMatrix
from risks.reports import panel
from tests.conftest import membership_of
from tests.risks.conftest import bulk_risks, raise_risk

ROLES = ("leader", "manager", "staff", "auditor")


@pytest.fixture
def risk(org):
    return raise_risk(org, process=None, inherent_likelihood=4, inherent_impact=4)


def risk_post(org, **overrides):
    data = {
        "kind": "risk",
        "title": "CNC spindle failure stops cell 2",
        "description": "",
        "category": "process",
        "process": "",
        "cause": "Worn bearings",
        "consequence": "Late deliveries",
        "owner": org.manager.pk,
        "existing_controls": "Monthly vibration check",
        "inherent_likelihood": "3",
        "inherent_impact": "4",
        "residual_likelihood": "",
        "residual_impact": "",
        "target_likelihood": "2",
        "target_impact": "2",
        "treatment": "reduce",
        "treatment_justification": "",
        "status": "open",
        "review_every_days": "",
        "next_review_date": "",
    }
    return data | overrides


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_register_heat_map_matrix_risk_page_and_export(
    org, risk, as_user, role
):
    client = as_user(org.user(role))
    for url in (
        "/risks/",
        "/risks/heat-map/",
        "/risks/matrix/",
        risk.get_absolute_url(),
        "/risks/export/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_raise_edit_review_plan_import_or_change_the_matrix(
    org, risk, as_user, role
):
    client = as_user(org.user(role))
    before = (Risk.objects.count(), Action.objects.count(), RiskMatrix.objects.get().bands)
    assert client.get("/risks/new/").status_code == 403
    assert client.post("/risks/new/", risk_post(org)).status_code == 403
    assert (
        client.post(f"/risks/{risk.pk}/edit/", risk_post(org, title="Changed")).status_code == 403
    )
    review = {
        "reviewed_on": "2026-01-01",
        "likelihood": "1",
        "impact": "1",
        "controls_effective": "yes",
    }
    assert client.post(f"/risks/{risk.pk}/review/", review).status_code == 403
    plan = {"title": "X", "owner": org.staff.pk, "due_date": "2030-01-01", "priority": "medium"}
    assert client.post(f"/risks/{risk.pk}/plan/new/", plan).status_code == 403
    assert client.post("/risks/import/", {}).status_code == 403
    assert (
        client.post(
            "/risks/matrix/", {"likelihood": "a\nb", "impact": "a\nb", "bands": ""}
        ).status_code
        == 403
    )
    risk.refresh_from_db()
    assert risk.title == "Key supplier of castings fails" and risk.assessments.count() == 1
    assert before == (Risk.objects.count(), Action.objects.count(), RiskMatrix.objects.get().bands)


@pytest.mark.parametrize("role", ["leader", "manager"])
def test_leaders_and_managers_raise_a_risk_from_the_form(org, as_user, role):
    response = as_user(org.user(role)).post("/risks/new/", risk_post(org))
    risk = Risk.objects.get(title="CNC spindle failure stops cell 2")
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert (risk.inherent_score, risk.inherent_band, risk.residual_score) == (12, "High", 12)
    assert risk.next_review_date == org.organisation.today() + datetime.timedelta(days=90)


def test_a_level_outside_the_matrix_is_a_form_error_not_a_500(org, as_user):
    response = as_user(org.manager).post("/risks/new/", risk_post(org, inherent_likelihood="9"))
    assert response.status_code == 422
    assert not Risk.objects.exists()


def test_a_manager_records_a_review_that_moves_the_score(org, risk, as_user):
    review = {
        "reviewed_on": org.organisation.today().isoformat(),
        "likelihood": "2",
        "impact": "3",
        "controls_effective": "yes",
        "note": "Second supplier qualified.",
    }
    response = as_user(org.manager).post(f"/risks/{risk.pk}/review/", review)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.residual_score, risk.residual_band, risk.inherent_score) == (6, "Medium", 16)
    page = as_user(org.auditor).get(risk.get_absolute_url()).content.decode()
    assert "Second supplier qualified." in page and 'id="risk-chart-data"' in page


def test_staff_update_the_status_of_their_own_treatment_action(org, risk, as_user):
    action = services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Replace bearings",
        owner=org.staff,
        due_date=datetime.date(2030, 1, 1),
    )
    response = as_user(org.staff).post(
        f"/actions/{action.pk}/status/", {"status": "in_progress", "version": action.version}
    )
    assert response.status_code in (200, 302)
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_user_text_in_the_chart_data_is_escaped(org, as_user):
    risk = raise_risk(org, title="</script><script>alert(1)</script>")
    page = as_user(org.staff).get(risk.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page


def test_the_register_filters_by_band_kind_and_overdue_review(org, as_user):
    raise_risk(org, title="Low one", inherent_likelihood=1, inherent_impact=1)
    raise_risk(org, title="Critical one", inherent_likelihood=5, inherent_impact=5)
    raise_risk(org, title="Late one", next_review_date=datetime.date(2020, 1, 1))
    raise_risk(org, title="Chance", kind="opportunity", treatment="pursue")
    client = as_user(org.manager)
    page = client.get("/risks/?band=Critical").content.decode()
    assert "Critical one" in page and "Low one" not in page
    page = client.get("/risks/?kind=opportunity").content.decode()
    assert "Chance" in page and "Low one" not in page
    page = client.get("/risks/?review_overdue=on").content.decode()
    assert "Late one" in page and "Critical one" not in page


def test_bad_filter_values_are_ignored_not_a_500(org, risk, as_user):
    response = as_user(org.staff).get("/risks/?owner=abc&likelihood=99&sort=evil&process=-1")
    assert response.status_code == 200


def test_the_register_answers_htmx_with_the_results_fragment_only(org, risk, as_user):
    client = as_user(org.manager)
    fragment = client.get("/risks/?kind=risk", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="results"' in fragment and risk.reference in fragment
    page = client.get("/risks/?kind=risk").content.decode()
    assert "<html" in page and 'id="results"' in page


def test_the_heat_map_answers_htmx_with_the_maps_fragment_only(org, risk, as_user):
    client = as_user(org.staff)
    fragment = client.get("/risks/heat-map/?kind=risk", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="maps"' in fragment
    assert "<html" in client.get("/risks/heat-map/").content.decode()


def test_each_heat_map_cell_links_to_the_register_showing_the_same_count(org, as_user):
    for li, im in ((4, 4), (4, 4), (1, 2), (5, 5)):
        raise_risk(org, inherent_likelihood=li, inherent_impact=im)
    closed = raise_risk(org, inherent_likelihood=4, inherent_impact=4)
    Risk.objects.filter(pk=closed.pk).update(status="closed")
    client = as_user(org.manager)
    page = client.get("/risks/heat-map/").content.decode()
    url = "/risks/?kind=risk&amp;status=live&amp;basis=residual&amp;likelihood=4&amp;impact=4"
    assert url in page
    assert '<span class="count">2</span> <span class="band-name">High</span>' in page
    listed = client.get(url.replace("&amp;", "&")).content.decode()
    assert "2 risks" in listed


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/risks/", "/risks/heat-map/", "/risks/?band=High&sort=-inherent"])
def test_register_and_heat_map_run_the_same_queries_at_10_and_2000_risks(
    org, as_user, url, django_assert_max_num_queries
):
    bulk_risks(org.organisation, org.manager, 10)
    client = as_user(org.leader)
    # session, user, membership(s) and organisation (middleware) + the current matrix (2:
    # approved version, row) + the register's count and page, or the heat map's two groupings
    with django_assert_max_num_queries(12):
        small = _count(client, url)
    bulk_risks(org.organisation, org.manager, 1990, start=11)
    with django_assert_max_num_queries(12):
        large = _count(client, url)
    assert small == large


def test_the_dashboard_panel_runs_the_same_queries_at_10_and_2000_risks(
    org, rf, django_assert_max_num_queries
):
    bulk_risks(org.organisation, org.manager, 10)
    membership = membership_of(org.leader, org.organisation)
    request = rf.get("/dashboard/")
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=membership,
        today=org.organisation.today(),
    )
    # matrix (2), band counts, top 5 risks, top 3 opportunities (kept apart, #22.8), reviews
    # overdue, overdue treatment actions, cells
    with django_assert_max_num_queries(8):
        small = panel(ctx)
    bulk_risks(org.organisation, org.manager, 1990, start=11)
    with django_assert_max_num_queries(8):
        large = panel(ctx)
    assert sum(row["residual"] for row in large["band_rows"]) == 2000
    assert len(large["top"]) == len(small["top"]) == 5
    assert large["overdue_reviews"] == 2000 // 7


def test_the_dashboard_panel_template_renders_counts_and_cells(org, rf):
    from django.template.loader import render_to_string

    raise_risk(org, inherent_likelihood=5, inherent_impact=5, title="Fire in the paint shop")
    membership = membership_of(org.leader, org.organisation)
    ctx = PanelContext(
        request=rf.get("/"),
        organisation=org.organisation,
        membership=membership,
        today=org.organisation.today(),
    )
    html = render_to_string("risks/_dashboard_panel.html", {"risks": panel(ctx)})
    assert "Fire in the paint shop" in html and "Critical" in html


def test_the_dashboard_panel_honours_the_dashboards_owner_filter(org, rf):
    raise_risk(org, title="Mine", owner=org.staff)
    raise_risk(org, title="Not mine")
    membership = membership_of(org.leader, org.organisation)
    ctx = PanelContext(
        request=rf.get("/"),
        organisation=org.organisation,
        membership=membership,
        today=org.organisation.today(),
        filters={"owner": org.staff.pk},
    )
    assert [r.title for r in panel(ctx)["top"]] == ["Mine"]


def test_a_manager_cannot_approve_a_risk_plan(org, risk, as_user):
    from isova import records

    services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Plan",
        owner=org.staff,
        due_date=datetime.date(2030, 1, 1),
    )
    records.submit(membership=membership_of(org.leader, org.organisation), obj=risk)
    response = as_user(org.manager).post(
        f"/records/risks.risk/{risk.pk}/decide/", {"decision": "approve", "password": "x"}
    )
    assert response.status_code == 403
    assert records.state(risk).status == "submitted"


def test_the_register_filter_form_shows_no_template_comment_and_says_any_level(org, as_user):
    page = as_user(org.staff).get("/risks/").content.decode()
    assert "{#" not in page and "A list's filter form" not in page
    assert ">Any likelihood</option>" in page and ">Any impact</option>" in page


def test_the_register_shows_how_each_risk_moved_at_its_last_review(org, as_user):
    risk = raise_risk(org, title="Moving", inherent_likelihood=4, inherent_impact=4)
    services.risk_review_record(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        reviewed_on=org.organisation.today(),
        likelihood=2,
        impact=4,
        controls_effective=True,
    )
    raise_risk(org, title="Still")
    page = as_user(org.manager).get("/risks/").content.decode()
    assert page.count("at the last review") == 1 and "fell from 16 at the last review" in page
