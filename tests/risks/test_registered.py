"""What the risks app registers with the core: panel, alerts, review input, evidence."""

import datetime

from isova import records
from isova.registry import Evidence, Gap, registry
from risks import alerts, reports, services
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.risks.conftest import raise_risk


def test_the_app_registers_its_panel_alerts_demo_review_input_and_evidence():
    assert registry.panel("risks").template == "risks/_dashboard_panel.html"
    assert "risks" in dict(registry.alert_sources())
    assert [s.clause for s in registry.review_inputs() if s.key == "risks"] == ["e"]
    assert any(s.name == "risks" for s in registry.evidence_sources())


def test_an_overdue_review_alerts_the_owner_once_per_risk(org):
    late = raise_risk(org, owner=org.staff, next_review_date=datetime.date(2020, 1, 1))
    raise_risk(org, title="On time")
    found = list(alerts.due(org.organisation, org.organisation.today()))
    assert [(a.recipient, a.key, a.kind) for a in found] == [
        (org.staff, f"risk:{late.pk}:review", "risk_review_overdue")
    ]
    assert late.reference in found[0].subject and found[0].url == late.get_absolute_url()


def test_a_closed_risk_is_never_alerted(org):
    raise_risk(org, status="closed", next_review_date=datetime.date(2020, 1, 1))
    assert list(alerts.due(org.organisation, org.organisation.today())) == []


def _review(org, risk, likelihood, impact, by=None):
    return services.risk_review_record(
        membership=membership_of(by or org.manager, org.organisation),
        risk=risk,
        reviewed_on=org.organisation.today(),
        likelihood=likelihood,
        impact=impact,
        controls_effective=True,
    )


def test_the_review_input_says_which_treatments_lowered_the_score(
    org, django_assert_max_num_queries
):
    fell = raise_risk(org, title="Fell", inherent_likelihood=4, inherent_impact=4)
    _review(org, fell, 2, 4)
    raise_risk(org, title="Stayed", inherent_likelihood=3, inherent_impact=3)
    raise_risk(org, title="Late", next_review_date=datetime.date(2020, 1, 1))
    today = org.organisation.today()
    with django_assert_max_num_queries(6):
        data = reports.review_input(org.organisation, today - datetime.timedelta(days=90), today)
    assert [r["title"] for r in data["fell"]] == ["Fell"]
    assert sorted(r["title"] for r in data["not_fell"]) == ["Late", "Stayed"]
    assert {b["name"]: b["residual"] for b in data["bands"]} == {
        "Low": 0,
        "Medium": 3,
        "High": 0,
        "Critical": 0,
    }
    assert data["reviews_held"] == 1 and [r["title"] for r in data["overdue_reviews"]] == ["Late"]
    import json

    json.dumps(data)  # frozen into the review record as JSON


def test_the_review_input_of_an_empty_register_is_empty(org):
    today = org.organisation.today()
    assert reports.review_input(org.organisation, today, today) == {}


def test_evidence_names_leader_reviews_and_approvals_and_a_gap_without_them(org):
    today = org.organisation.today()
    risk = raise_risk(org, category="customer", inherent_likelihood=4, inherent_impact=4)
    found = list(reports.evidence(org.organisation, today - datetime.timedelta(days=30), today))
    assert any(isinstance(e, Gap) and e.clause == "5.1.1 d" for e in found)
    assert any(isinstance(e, Gap) and e.clause == "5.1.2 b" for e in found)

    _review(org, risk, 3, 4, by=org.leader)
    services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk, title="Plan", owner=org.staff, due_date=today,
    )  # fmt: skip
    records.submit(membership=membership_of(org.manager, org.organisation), obj=risk)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=risk, password=PASSWORD
    )
    found = list(reports.evidence(org.organisation, today - datetime.timedelta(days=30), today))
    evidence = [e for e in found if isinstance(e, Evidence)]
    assert not any(isinstance(e, Gap) for e in found)
    assert {e.clause for e in evidence} == {"5.1.1 d", "5.1.2 b"}
    assert any("approved 1" in e.summary for e in evidence)
    assert any(org.leader.get_full_name() in e.people for e in evidence)
