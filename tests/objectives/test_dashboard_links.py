"""The objectives panel's RAG pills link to the objectives list showing the same counts, under
the dashboard's owner filter too."""

import datetime

import time_machine

from tests.objectives.conftest import add_values, make_objective
from tests.objectives.test_dashboard_querysets import TODAY, _objectives


def _count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_each_rag_pill_links_to_a_list_with_the_same_count(org, as_user):
    assert org.organisation.today() == TODAY
    _objectives(org, 8)
    client = as_user(org.leader)
    rag = client.get("/dashboard/").context["objectives"]["rag"]
    assert sum(count for _, count, _ in rag) == 8
    for state, count, url in rag:
        assert _count(client, url) == count, state


@time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_the_owner_filter_narrows_the_rag_counts_and_their_links(org, as_user):
    _objectives(org, 4)
    theirs = make_objective(org.organisation, org.leader, title="The leader's")
    add_values(theirs, [80, 80, 80])
    client = as_user(org.leader)
    rag = client.get(f"/dashboard/?owner={org.leader.pk}").context["objectives"]["rag"]
    assert sum(count for _, count, _ in rag) == 1
    for state, count, url in rag:
        assert f"owner={org.leader.pk}" in url
        assert _count(client, url) == count, state


def test_the_objectives_panel_says_the_process_filter_does_not_apply(org, as_user):
    from audits.models import Process

    process = Process.objects.create(organisation=org.organisation, name="Sales")
    html = as_user(org.leader).get(f"/dashboard/?process={process.pk}").content.decode()
    assert "Objectives have no process" in html
