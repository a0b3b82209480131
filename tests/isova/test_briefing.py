"""The leaders' weekly briefing: Monday only, once a week, what changed, off by preference."""

from __future__ import annotations

import datetime

from django.conf import settings

from isova.models import Notification, NotificationPreference
from isova.notifications import alerts
from isova.notifications import services as notifications
from tests.factories import ActionFactory
from tests.objectives.conftest import add_values, make_objective

MONDAY = datetime.date(2025, 6, 9)


def test_the_briefing_names_what_changed_this_week_on_monday_only(org):
    org.organisation.escalate_to_assigner_after_days = 2
    org.organisation.save()
    ActionFactory(
        organisation=org.organisation, owner=org.staff, due_date=MONDAY - datetime.timedelta(10)
    )
    red = make_objective(org.organisation, org.manager, title="Scrap rate")
    add_values(red, [80, 80, 80, 80, 80])
    wednesday = MONDAY - datetime.timedelta(days=5)
    alerts.scan(org.organisation, wednesday)  # the objective turns red, the action escalates
    alerts.scan(org.organisation, MONDAY)

    briefing = Notification.objects.get(kind="weekly_briefing")
    assert briefing.recipient == org.leader
    assert briefing.window == "2025-W24"
    assert "Scrap rate: off track" in briefing.body
    assert (
        f"({settings.SITE_URL}/objectives/{red.pk}/?org={org.organisation.slug})" in briefing.body
    )
    assert "1 overdue" in briefing.body and "1 escalation this week" in briefing.body

    alerts.scan(org.organisation, MONDAY)  # again the same Monday: nothing new
    alerts.scan(org.organisation, MONDAY + datetime.timedelta(days=1))
    assert Notification.objects.filter(kind="weekly_briefing").count() == 1


def test_a_leader_can_turn_the_briefing_off(org):
    NotificationPreference.objects.create(user=org.leader, kind="weekly_briefing", mode="off")
    alerts.scan(org.organisation, MONDAY)
    briefing = Notification.objects.get(kind="weekly_briefing")
    assert briefing.status == "in_app"
    assert notifications.pending_ids() == []
