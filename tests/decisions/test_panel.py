"""The dashboard's Decisions panel: what waits for a signature and what is due for review, in a
fixed number of queries; the weekly briefing names new decisions; the evidence pack cites
signed ones."""

import datetime

import pytest
from django.urls import reverse

from decisions.models import Decision
from isova.registry import Evidence, Gap, registry
from tests.conftest import client_for
from tests.decisions.conftest import record, signed, submit
from tests.decisions.test_pages import bulk


def panel_html(org, user=None):
    response = client_for(user or org.leader).get(
        reverse("dashboard_panel", args=["decisions"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_lists_those_waiting_for_sign_off_and_due_for_review(org):
    today = org.organisation.today()
    waiting = record(org, title="Waiting one")
    submit(org, waiting)
    signed(org, title="Due soon", review_date=today + datetime.timedelta(days=10))
    signed(org, title="Due much later", review_date=today + datetime.timedelta(days=300))
    record(org, title="Just a draft")
    body = panel_html(org)
    assert "Waiting one" in body and "Due soon" in body
    assert "Due much later" not in body and "Just a draft" not in body
    counts = Decision.objects.for_org(org.organisation).panel_counts(today)
    assert (counts["awaiting"], counts["due"], counts["overdue"]) == (1, 1, 0)


def test_a_review_date_passed_counts_as_overdue(org):
    today = org.organisation.today()
    decision = signed(org, title="Past it", decided_on=today - datetime.timedelta(days=400))
    Decision.objects.filter(pk=decision.pk).update(review_date=today - datetime.timedelta(days=3))
    assert "1 past the date" in panel_html(org)


@pytest.mark.parametrize("n", [2, 150])
def test_the_panel_keeps_to_its_budget(org, n, django_assert_max_num_queries):
    bulk(org, n)
    for i in range(3):
        submit(org, record(org, title=f"Awaiting {i}"))
    client = client_for(org.leader)
    url = reverse("dashboard_panel", args=["decisions"])
    client.get(url, HTTP_HX_REQUEST="true")
    panel = registry.panel("decisions")
    # session, user, memberships with their organisation (3), then the panel's own
    with django_assert_max_num_queries(3 + panel.max_queries):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.content.decode().count("Awaiting ") == 3


def test_the_weekly_briefing_names_new_decisions(org):
    today = org.organisation.today()
    record(org, title="Brand new decision")
    section = next(s for s in registry.briefing_sections() if s.name == "decisions")
    lines = section.build(org.organisation, today - datetime.timedelta(days=7), today)
    assert any("Brand new decision" in line and "draft" in line for line in lines)
    later = section.build(org.organisation, today, today + datetime.timedelta(days=7))
    assert not any("Brand new decision" in line for line in later)


def test_the_evidence_pack_cites_signed_decisions_under_5_1_1_a(org):
    today = org.organisation.today()
    signed(org, title="Signed for evidence")
    source = next(s for s in registry.evidence_sources() if s.name == "decisions")
    items = list(source.build(org.organisation, today - datetime.timedelta(days=30), today))
    evidence = [i for i in items if isinstance(i, Evidence)]
    assert len(evidence) == 1
    assert evidence[0].clause == "5.1.1 a" and evidence[0].count == 1
    assert evidence[0].people == (org.leader.get_full_name(),)
    assert not [i for i in items if isinstance(i, Gap)]


def test_a_signed_decision_past_its_review_is_an_evidence_gap(org):
    today = org.organisation.today()
    decision = signed(org, title="Stale", decided_on=today - datetime.timedelta(days=400))
    Decision.objects.filter(pk=decision.pk).update(review_date=today - datetime.timedelta(days=1))
    source = next(s for s in registry.evidence_sources() if s.name == "decisions")
    gaps = [
        i
        for i in source.build(org.organisation, today - datetime.timedelta(days=30), today)
        if isinstance(i, Gap)
    ]
    assert len(gaps) == 1 and "past the review date" in gaps[0].summary
