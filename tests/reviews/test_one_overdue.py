"""One definition of overdue: an outstanding action due before the organisation's today.

The review pack, the dashboard, the reviews panel and the action lists count the same actions
at the same moment, whatever date the next meeting is planned for."""

import datetime

import time_machine
from django.test import RequestFactory

from isova.dashboard.views import actions_panel
from isova.models import Action
from isova.registry import PanelContext
from reviews import panel, services
from reviews.pack import live_pack
from tests.conftest import membership_of

from .conftest import hold_and_discuss, plan_review

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


def _figures(pack: list[dict], key: str) -> dict[str, int]:
    (section,) = [s for s in pack if s["key"] == key]
    return dict(section["data"]["figures"])


def test_the_review_pack_counts_overdue_as_the_dashboard_does(org):
    with time_machine.travel(NOW, tick=False):
        today = org.organisation.today()
        earlier = hold_and_discuss(org, plan_review(org, days_ahead=-10, title="Last review"))
        manager = membership_of(org.manager, org.organisation)
        for days in (-3, -1, 5, 20):  # two overdue today; four by the next meeting's date
            services.output_add(
                membership=manager,
                review=earlier,
                kind="improvement",
                decision=f"Decision due in {days} days",
                owner=org.staff,
                due_date=today + datetime.timedelta(days=days),
            )
        upcoming = plan_review(org, days_ahead=30, title="Next review")
        pack = live_pack(upcoming)
        request = RequestFactory().get("/dashboard/")
        request.user = org.leader
        ctx = PanelContext(
            request=request,
            organisation=org.organisation,
            membership=membership_of(org.leader, org.organisation),
            today=today,
        )
        dashboard = actions_panel(ctx)["overdue"]
        reviews_panel = panel.build(ctx)["overdue_outputs"]
    overdue = Action.objects.for_org(org.organisation).overdue(today).count()
    assert overdue == 2
    assert _figures(pack, "reviews_actions")["Overdue"] == overdue
    assert dashboard == reviews_panel == overdue
