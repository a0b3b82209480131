"""The findings register: filters, HTMX fragment and full page, constant queries."""

import datetime

import pytest
import time_machine

from audits.models import Finding, FindingType, Process

from .conftest import assign, complete, plan, raise_finding, respond, start, verify


def many_findings(org, process, n):
    """`n` findings over several audits, each with two corrective actions."""
    findings = []
    for i in range(n):
        if i % 10 == 0:
            audit = start(org, plan(org, process=process, title=f"Audit {i}"))
        finding = raise_finding(org, audit, list(FindingType)[i % 4], clause="8.5.1")
        assign(org, finding, title=f"Fix {i}")
        assign(org, finding, title=f"Check {i}", owner=org.leader)
        findings.append(finding)
    return findings


def test_the_register_lists_findings_with_their_action_progress(org, finding, as_user):
    action = assign(org, finding)
    assign(org, finding, title="Second")
    complete(org, action)
    response = as_user(org.staff).get("/audits/findings/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content
    assert finding.reference in content
    assert "1 of 2" in content


def test_an_htmx_request_gets_only_the_results_fragment(org, finding, as_user):
    response = as_user(org.staff).get("/audits/findings/?type=minor", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert content.lstrip().startswith('<section id="results"')
    assert finding.reference in content


def test_the_full_page_and_the_fragment_list_the_same_findings(org, finding, as_user):
    client = as_user(org.staff)
    full = client.get("/audits/findings/?type=major").content.decode()
    fragment = client.get("/audits/findings/?type=major", HTTP_HX_REQUEST="true").content.decode()
    assert "0 findings" in full and "0 findings" in fragment


@pytest.fixture
def varied(org, process, running_audit):
    """One finding of each kind the filters tell apart."""
    other = Process.objects.create(organisation=org.organisation, name="Purchasing")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=75)):
        old_major = raise_finding(org, running_audit, FindingType.MAJOR, clause="7.1.5.1")
    minor = raise_finding(org, running_audit, FindingType.MINOR, clause="8.5", process=other)
    ofi = raise_finding(org, running_audit, FindingType.OFI, clause="8.4.2")
    closed = raise_finding(org, running_audit, FindingType.MINOR, clause="8.5.1")
    closed = respond(org, closed)
    complete(org, assign(org, closed))
    from audits import services
    from tests.conftest import membership_of

    services.finding_close(
        membership=membership_of(org.auditor, org.organisation), finding=verify(org, closed)
    )
    return {"old_major": old_major, "minor": minor, "ofi": ofi, "closed": closed, "other": other}


def listed(as_user, org, query):
    content = as_user(org.staff).get(f"/audits/findings/?{query}").content.decode()
    return content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=major", {"old_major"}),
        ("type=minor", {"minor", "closed"}),
        ("status=closed", {"closed"}),
        ("status=unresolved", {"old_major", "minor", "ofi"}),
        ("status=open", {"old_major", "minor", "ofi"}),
        ("clause=8.5", {"minor", "closed"}),
        ("clause=Clause+7.1.5", {"old_major"}),
        ("overdue=on", {"old_major"}),  # 75 days old, major: due after 30
        ("age=61-90", {"old_major"}),
        ("age=0-30", {"minor", "ofi", "closed"}),
    ],
)
def test_each_filter_selects_the_right_findings(org, as_user, varied, query, expected):
    content = as_user(org.staff).get(f"/audits/findings/?{query}").content.decode()
    for name, finding in varied.items():
        if not isinstance(finding, Finding):
            continue
        assert (f'id="finding-{finding.pk}"' in content) == (name in expected), (query, name)


def test_the_process_filter(org, as_user, varied):
    content = as_user(org.staff).get(f"/audits/findings/?process={varied['other'].pk}")
    content = content.content.decode()
    assert f'id="finding-{varied["minor"].pk}"' in content
    assert f'id="finding-{varied["ofi"].pk}"' not in content


@pytest.mark.parametrize(
    "query", ["type=huge", "status=x", "process=abc", "clause=12", "age=7", "page=zz", "page=999"]
)
def test_bad_filter_values_show_an_error_not_a_500(org, finding, as_user, query):
    response = as_user(org.staff).get(f"/audits/findings/?{query}")
    assert response.status_code == 200


def test_an_unknown_clause_filter_says_so(org, finding, as_user):
    content = as_user(org.staff).get("/audits/findings/?clause=12").content.decode()
    assert "not a clause of ISO 9001:2015" in content


# The register runs: session, user, memberships (middleware), the process choices of the
# filter form, the paginator's count and one page of findings with their audit, process and
# action counts joined (the generic relation's content type comes from Django's cache).
REGISTER_QUERIES = 6


def test_the_register_runs_a_fixed_number_of_queries_on_small_data(
    org, process, as_user, django_assert_max_num_queries
):
    many_findings(org, process, 3)
    client = as_user(org.staff)
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get("/audits/findings/?status=unresolved")
    assert response.content.decode().count('id="finding-') == 3


def test_the_register_runs_the_same_queries_on_larger_data(
    org, process, as_user, django_assert_max_num_queries
):
    many_findings(org, process, 60)
    client = as_user(org.staff)
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get("/audits/findings/?status=unresolved")
    assert response.content.decode().count('id="finding-') == 25
    with django_assert_max_num_queries(REGISTER_QUERIES):
        response = client.get("/audits/findings/?page=3", HTTP_HX_REQUEST="true")
    assert response.content.decode().count('id="finding-') == 10


@pytest.mark.parametrize("url", ["/audits/findings/", "/audits/"])
def test_the_register_and_the_programme_give_a_history_restore_the_whole_page_and_vary_on_htmx(
    org, as_user, url
):
    response = as_user(org.staff).get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_the_flags_a_list_shows_agree_with_the_alerts_filters(org, running_audit):
    """with_flags(today) is what lists read; past_response_due / not_started_late what the
    alerts and the dashboard count: the same rows either way."""
    from audits.models import Audit

    fresh = raise_finding(org, running_audit)
    late = raise_finding(org, running_audit)
    Finding.objects.filter(pk=late.pk).update(
        raised_on=datetime.date(2026, 1, 5), response_due=datetime.date(2026, 2, 4)
    )
    today = datetime.date(2026, 3, 1)
    flagged = {f.pk: f for f in Finding.objects.for_org(org.organisation).with_flags(today)}
    past_due = set(Finding.objects.for_org(org.organisation).past_response_due(today))
    assert {pk for pk, f in flagged.items() if f.overdue} == {f.pk for f in past_due} == {late.pk}
    assert flagged[late.pk].age.days == 55
    assert fresh.pk in flagged

    planned = plan(org, planned_date=datetime.date(2026, 2, 1))
    audits = {a.pk: a.late for a in Audit.objects.for_org(org.organisation).with_flags(today)}
    late_audits = set(Audit.objects.for_org(org.organisation).not_started_late(today))
    assert {pk for pk, is_late in audits.items() if is_late} == {a.pk for a in late_audits}
    assert audits[planned.pk] is True
