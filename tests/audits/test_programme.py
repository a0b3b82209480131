"""The audit programme: a year month by month, late audits flagged, HTMX and full page."""

import datetime

from .conftest import plan, start

# session, user, memberships (middleware), the year's audits with their finding counts,
# and the years that have audits (for the year selector).
PROGRAMME_QUERIES = 5


def test_audits_show_in_the_month_they_are_planned(org, process, as_user):
    may = plan(org, process=process, title="Purchasing", planned_date=datetime.date(2031, 5, 14))
    plan(org, process=process, title="Next year", planned_date=datetime.date(2032, 1, 9))
    content = as_user(org.staff).get("/audits/?year=2031").content.decode()
    may_section = content[content.index("<h2>May") : content.index("<h2>June")]
    assert may.reference in may_section
    assert "Next year" not in content
    assert "1 audit planned in 2031" in content


def test_an_audit_past_its_planned_date_and_not_started_is_flagged(org, process, as_user):
    today = org.organisation.today()
    late = plan(org, process=process, title="Late one", planned_date=today - datetime.timedelta(1))
    started = start(org, plan(org, title="Started", planned_date=today - datetime.timedelta(2)))
    content = as_user(org.leader).get(f"/audits/?year={today.year}").content.decode()
    assert "Not started: planned" in content
    assert content.count("Not started: planned") == 1
    assert "past its planned date and not started" in content
    assert late.is_late(today) and not started.is_late(today)


def test_the_year_selector_answers_htmx_with_the_fragment(org, process, as_user):
    plan(org, process=process, planned_date=datetime.date(2031, 3, 3))
    response = as_user(org.staff).get("/audits/?year=2031", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<section id="programme"')
    full = as_user(org.staff).get("/audits/?year=2031").content.decode()
    assert "<html" in full and 'id="programme"' in full


def test_a_bad_year_is_a_400_not_a_500(org, as_user):
    assert as_user(org.staff).get("/audits/?year=abc").status_code == 400
    assert as_user(org.staff).get("/audits/?year=99999").status_code == 400


def test_the_plan_button_shows_only_to_those_who_may_plan(org, as_user):
    assert "Plan an audit" in as_user(org.auditor).get("/audits/").content.decode()
    assert "Plan an audit" not in as_user(org.staff).get("/audits/").content.decode()


def test_the_programme_runs_a_fixed_number_of_queries(
    org, process, as_user, django_assert_max_num_queries
):
    plan(org, process=process, planned_date=datetime.date(2031, 2, 1))
    client = as_user(org.staff)
    with django_assert_max_num_queries(PROGRAMME_QUERIES):
        client.get("/audits/?year=2031")
    for month in range(1, 13):
        for day in (3, 17):
            plan(
                org,
                process=process,
                team=[org.leader],
                planned_date=datetime.date(2031, month, day),
            )
    with django_assert_max_num_queries(PROGRAMME_QUERIES):
        response = client.get("/audits/?year=2031")
    assert "25 audits planned in 2031" in response.content.decode()
