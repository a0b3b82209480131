"""The demo's decisions: a client-impacting decision after the late-delivery risk, signed, with
the actions carrying it out; one waiting for a leader; both organisations; idempotent."""

import pytest
from django.urls import reverse

from decisions.models import Decision, Shown
from isova import records
from isova.demo import seed
from isova.models import Organisation, User
from tests.conftest import client_for


@pytest.fixture
def demo(db):
    seed()
    return {o.slug: o for o in Organisation.objects.all()}


def test_the_demo_tells_the_decision_story_in_both_organisations(demo):
    """One seed (it takes seconds), the facts of both organisations, and a second seed."""
    check_hartwell(demo)
    check_links_both_ways(demo)
    check_rosewood(demo)
    before = Decision.objects.count()
    seed()
    assert Decision.objects.count() == before == 5


def check_hartwell(demo):
    hartwell = demo["hartwell"]
    decisions = Decision.objects.for_org(hartwell).with_state()
    northline = decisions.get(title__startswith="Give Northline Aero")
    assert northline.shown == Shown.SIGNED
    assert northline.affects_clients
    risk = northline.risks.get()
    assert risk.title == "Late deliveries to Northline Aero lose the contract"
    assert northline.objectives.filter(title__startswith="Raise on-time").exists()
    assert northline.actions.count() == 3
    assert {a.status for a in northline.actions.all()} == {"done", "in_progress", "open"}
    assert records.state(northline).last_signoff.signer.email == "leader@example.com"
    assert decisions.filter(shown=Shown.AWAITING).count() == 1
    assert decisions.due_for_review(hartwell.today()).count() == 1
    assert records.verify_chain(hartwell)[1] == []


def check_links_both_ways(demo):
    hartwell = demo["hartwell"]
    northline = Decision.objects.for_org(hartwell).get(title__startswith="Give Northline Aero")
    risk = northline.risks.get()
    leader = User.objects.get(email="leader@example.com")
    body = client_for(leader).get(risk.get_absolute_url()).content.decode()
    assert northline.get_absolute_url() in body
    detail = client_for(leader).get(northline.get_absolute_url()).content.decode()
    assert risk.get_absolute_url() in detail
    assert "Agree the Thursday slot" in detail


def check_rosewood(demo):
    rosewood = demo["rosewood"]
    decisions = Decision.objects.for_org(rosewood).with_state()
    assert decisions.get(title__startswith="A second waking").shown == Shown.SIGNED
    assert decisions.filter(shown=Shown.AWAITING).count() == 1
    grace = User.objects.get(email="leader@care.example.com")
    inbox = client_for(grace).get(reverse("approvals")).content.decode()
    assert "Use one agency" in inbox
