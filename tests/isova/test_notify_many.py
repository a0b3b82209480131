"""An alert scan records its notifications in a fixed number of queries (issue 14: a commit
per notification held the scan to ~135 notifications a second at bench scale 1)."""

import datetime

from django.core import mail

from isova.models import Notification
from isova.notifications import alerts
from isova.notifications import services as notifications
from isova.registry import Alert
from tests.factories import ActionFactory, MembershipFactory


def _late_actions_for(org, people: int) -> None:
    today = org.organisation.today()
    for _ in range(people):
        member = MembershipFactory(organisation=org.organisation)
        ActionFactory(
            organisation=org.organisation,
            owner=member.user,
            due_date=today - datetime.timedelta(days=2),
        )


def test_a_scan_runs_the_same_queries_for_three_digests_as_for_thirty(
    org, django_assert_max_num_queries
):
    _late_actions_for(org, 3)
    # 1 overdue actions, the apps' alert queries, 1 today's notifications, 1 insert.
    with django_assert_max_num_queries(20) as few:
        assert alerts.scan(org.organisation) == 3
    Notification.objects.all().delete()
    _late_actions_for(org, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert alerts.scan(org.organisation) == 30


def test_notify_many_skips_todays_duplicates_and_repeats_in_the_batch(
    org, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = org.organisation.today()
    alert = Alert(recipient=org.staff, kind="k", key="a", subject="A", body="a")
    other = Alert(recipient=org.staff, kind="k", key="b", subject="B", body="b")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_many(org.organisation, [alert], today)
    with django_capture_on_commit_callbacks(execute=True):
        made = notifications.notify_many(org.organisation, [alert, other, other], today)

    assert made == 1
    assert sorted(Notification.objects.values_list("key", flat=True)) == ["a", "b"]
    assert sorted(m.subject for m in mail.outbox) == ["[isova] A", "[isova] B"]


def test_notify_many_with_nothing_to_say_makes_nothing(org):
    assert notifications.notify_many(org.organisation, [], org.organisation.today()) == 0
