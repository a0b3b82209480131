"""The audits panel under the dashboard's filters, and its figures as links to lists that show
the same counts."""

import datetime

from audits.models import Process
from tests.factories import ActionFactory

from .conftest import assign, plan, raise_finding, start
from .test_dashboard import days_ago


def _count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def _known_audit_actions(org, running_audit):
    finding = raise_finding(org, running_audit)
    today = org.organisation.today()
    for age, due in [(5, 3), (10, -1), (45, -20), (75, 9), (120, -60)]:
        with days_ago(age):
            assign(org, finding, title=f"{age} days old", due_date=today + datetime.timedelta(due))
    assign(org, finding, owner=org.manager, title="the manager's", due_date=today)
    ActionFactory(organisation=org.organisation, owner=org.staff)  # not an audit action


def test_every_audit_figure_links_to_a_list_with_the_same_count(org, running_audit, as_user):
    _known_audit_actions(org, running_audit)
    client = as_user(org.leader)
    audits = client.get("/dashboard/").context["audits"]
    assert (audits["actions"]["count"], audits["actions"]["overdue"]) == (6, 3)
    assert _count(client, audits["urls"]["count"]) == 6
    assert _count(client, audits["urls"]["overdue"]) == 3
    for bucket, count, url in audits["buckets"]:
        assert _count(client, url) == count, bucket
    assert [count for _, count, _ in audits["buckets"]] == [3, 1, 1, 1]


def test_the_owner_filter_narrows_audit_actions_and_their_links(org, running_audit, as_user):
    _known_audit_actions(org, running_audit)
    client = as_user(org.leader)
    audits = client.get(f"/dashboard/?owner={org.manager.pk}").context["audits"]
    assert audits["actions"]["count"] == 1
    assert _count(client, audits["urls"]["count"]) == 1
    for bucket, count, url in audits["buckets"]:
        assert _count(client, url) == count, bucket


def test_the_process_filter_counts_only_findings_of_that_process(
    org, running_audit, process, as_user
):
    raise_finding(org, running_audit)
    elsewhere = Process.objects.create(organisation=org.organisation, name="Purchasing")
    other = start(org, plan(org, process=elsewhere, title="Purchasing audit"))
    raise_finding(org, other)
    raise_finding(org, other)
    client = as_user(org.leader)
    response = client.get(f"/dashboard/?process={elsewhere.pk}")
    assert not response.context["form"].errors
    audits = response.context["audits"]
    assert audits["findings"]["total"] == 2
    assert _count(client, audits["urls"]["register"]) == 2
    assert client.get("/dashboard/").context["audits"]["findings"]["total"] == 3


def test_the_process_filter_offers_this_organisations_processes_only(
    org, other_org, process, as_user
):
    theirs = Process.objects.create(organisation=other_org.organisation, name="Theirs")
    response = as_user(org.leader).get(f"/dashboard/?process={theirs.pk}")
    assert response.status_code == 200 and "process" in response.context["form"].errors
    html = response.content.decode()
    assert "Production" in html and "Theirs" not in html


def test_the_period_filter_counts_findings_raised_since_and_links_to_them(
    org, running_audit, as_user
):
    from .test_dashboard import days_ago

    with days_ago(100):
        raise_finding(org, running_audit)
    raise_finding(org, running_audit)
    client = as_user(org.leader)
    audits = client.get("/dashboard/?period=30").context["audits"]
    assert audits["findings"]["total"] == 1
    assert _count(client, audits["urls"]["register"]) == 1
