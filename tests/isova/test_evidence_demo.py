"""The demo shows what it was built to show (issue 15, "How it will be checked"): the
engineering firm's leadership evidence for every section its data supports and the gaps it
was built with; the care home its own, thinner evidence; the record chains intact; a High
risk plan waiting for the leader."""

import io

import pytest
from django.core.management import call_command

from isova import demo
from isova.evidence import services as evidence
from isova.models import Organisation, RecordVersion, User
from isova.registry import registry
from risks.models import Risk

# The sections the engineering firm's data supports: all of them.
HARTWELL_EVIDENCED = [clause for clause, _ in evidence.ITEMS]


@pytest.fixture
def seeded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    return {o.slug: o for o in Organisation.objects.all()}


def _pack(organisation):
    start, end = evidence.default_period(organisation)
    return evidence.build(organisation, start, end)


def _texts(pack):
    return {
        "evidence": {s.clause: [e.summary for e in s.evidence] for s in pack.sections},
        "gaps": [g.summary for _, g in pack.gaps],
        "all": " ".join(item.summary for s in pack.sections for item in [*s.evidence, *s.gaps]),
    }


def test_the_demo_firm_shows_evidence_everywhere_and_the_gaps_it_was_built_with(seeded):
    hartwell = seeded["hartwell"]
    pack = _pack(hartwell)
    texts = _texts(pack)
    for clause in HARTWELL_EVIDENCED:
        assert texts["evidence"][clause], f"no evidence for {clause}"
    ops = User.objects.get(email="ops@example.com").get_full_name()
    assert f"Two of four reviews held without {ops}." in texts["gaps"]
    assert any(
        "took part in 2 of the last 4 management reviews" in e for e in texts["evidence"]["5.1.1 a"]
    )
    assert any("not reviewed on schedule" in g for g in texts["gaps"])
    assert any("past their response date" in g for g in texts["gaps"])
    assert any("Customer complaints answered" in e for e in texts["evidence"]["5.1.2 a"])
    assert any("survey results" in e for e in texts["evidence"]["5.1.2 c"])
    # People are named once each, however many records they signed.
    for section in pack.sections:
        for item in section.evidence:
            assert len(item.people) == len(set(item.people)), item


def test_every_evidence_source_names_a_clause_item_the_page_shows(seeded):
    """An item under a clause the page does not list ("5.1.2" for "5.1.2 a") vanishes."""
    for organisation in seeded.values():
        start, end = evidence.default_period(organisation)
        for source in registry.evidence_sources():
            for item in source.build(organisation, start, end):
                assert item.clause in evidence.TITLES, (source.name, item)


def test_the_care_home_shows_its_own_thinner_evidence(seeded):
    care, hartwell = _pack(seeded["rosewood"]), _pack(seeded["hartwell"])
    texts = _texts(care)
    evidenced = [s for s in care.sections if s.evidence]
    assert 0 < len(evidenced) < len([s for s in hartwell.sections if s.evidence])
    for name in User.objects.filter(memberships__organisation=seeded["hartwell"]).exclude(
        memberships__organisation=seeded["rosewood"]
    ):
        assert name.get_full_name() not in texts["all"]
    # No customer feedback in the care home's demo: that section says so.
    assert [s.strength for s in care.sections if s.clause == "5.1.2 c"] == ["none"]


def test_the_demo_keeps_its_record_chains_intact_and_a_high_risk_plan_waiting(seeded):
    out = io.StringIO()
    call_command("verify_records", stdout=out)
    assert "All chains intact" in out.getvalue()
    leader = User.objects.get(email="leader@example.com")
    waiting = (
        RecordVersion.objects.for_org(seeded["hartwell"])
        .awaiting_decision()
        .exclude(submitted_by=leader)
    )
    risk_ids = [v.object_id for v in waiting if v.content_type.model == "risk"]
    assert Risk.objects.filter(pk__in=risk_ids, inherent_band="High").exists()
