import datetime

from isova import notifications
from objectives import alerts
from tests.objectives.conftest import add_values, make_objective

TODAY = datetime.date(2025, 6, 10)


def test_owners_are_alerted_about_overdue_reviews_and_stale_values(
    org, other_org, django_assert_num_queries
):
    late = make_objective(
        org.organisation, org.staff, title="Late review", next_review_date=datetime.date(2025, 6, 1)
    )
    stale = make_objective(org.organisation, org.manager, title="Quiet one")
    add_values(stale, [82])  # January: stale by June
    fresh = make_objective(org.organisation, org.manager, title="Fresh one")
    add_values(fresh, [81, 82, 83, 84, 85])  # up to May
    make_objective(other_org.organisation, other_org.staff, next_review_date=TODAY)
    with django_assert_num_queries(2):
        found = list(alerts.due(org.organisation, TODAY))
    assert [(a["recipient"], a["kind"], a["subject"]) for a in found] == [
        (org.staff, "objective_review_overdue", "Review overdue: Late review"),
        (org.manager, "objective_stale", "No recent value: Quiet one"),
    ]
    assert found[0]["url"] == late.get_absolute_url()


def test_alerts_can_be_handed_to_notify_and_are_sent_once_a_day(org):
    make_objective(org.organisation, org.staff, next_review_date=datetime.date(2025, 1, 1))
    for _ in range(2):
        for alert in alerts.due(org.organisation, TODAY):
            notifications.notify(organisation=org.organisation, **alert)
    assert org.staff.notifications.filter(kind="objective_review_overdue").count() == 1
