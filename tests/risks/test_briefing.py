"""Risks in the leaders' weekly briefing: risks that moved band this week, reviews overdue."""

import datetime

from isova.models import Notification
from isova.notifications import alerts as core_alerts
from risks import alerts, services
from risks.models import Assessment
from tests.conftest import membership_of

from .conftest import raise_risk


def _week(org):
    today = org.organisation.today()
    return today - datetime.timedelta(days=7), today


def test_the_briefing_names_risks_that_moved_band_this_week_and_reviews_overdue(org):
    since, today = _week(org)
    moved = raise_risk(org, title="Castings supplier fails")  # Medium, 3 × 3
    steady = raise_risk(org, title="Gauge out of calibration")
    Assessment.objects.filter(risk__in=[moved, steady]).update(
        assessed_on=today - datetime.timedelta(days=30)
    )
    manager = membership_of(org.manager, org.organisation)
    for risk, (likelihood, impact) in ((moved, (5, 5)), (steady, (3, 3))):
        services.risk_review_record(
            membership=manager,
            risk=risk,
            reviewed_on=today,
            likelihood=likelihood,
            impact=impact,
            controls_effective=False,
        )
    raise_risk(org, title="New this week", inherent_likelihood=5, inherent_impact=5)
    late = raise_risk(org, title="Forgotten")
    late.next_review_date = today - datetime.timedelta(days=1)
    late.save()
    moved.refresh_from_db()

    lines = alerts.briefing(org.organisation, since, today)

    assert lines[0].startswith(f"{moved.reference} Castings supplier fails: up from Medium to ")
    assert lines[0].endswith(f"(/risks/{moved.pk}/)")
    assert moved.residual_band in lines[0]
    assert not any("Gauge" in line or "New this week" in line for line in lines)
    assert lines[-1] == "1 risk review overdue (/risks/?review_overdue=on)"


def test_a_quiet_week_leaves_the_risks_section_out(org):
    raise_risk(org)
    since, today = _week(org)
    Assessment.objects.update(assessed_on=today - datetime.timedelta(days=30))
    assert alerts.briefing(org.organisation, since, today) == []


def test_the_monday_briefing_carries_the_risks_section(org):
    monday = datetime.date(2025, 6, 9)
    late = raise_risk(org, title="Forgotten")
    late.next_review_date = monday - datetime.timedelta(days=3)
    late.save()
    core_alerts.scan(org.organisation, monday)
    body = Notification.objects.get(kind="weekly_briefing", recipient=org.leader).body
    assert "Risks\n- 1 risk review overdue" in body
