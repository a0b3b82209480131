"""Alert scans: each person's due and overdue actions in one message a day, in each
organisation's own time zone."""

import datetime
import zoneinfo

import time_machine
from django.core import mail

from isova.models import Notification
from isova.notifications import alerts
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    member,
)

UTC = zoneinfo.ZoneInfo("UTC")


def test_one_message_lists_all_of_a_persons_overdue_and_nearly_due_actions(org):
    today = org.organisation.today()
    for days in (1, 5):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            title=f"Late by {days}",
            due_date=today - datetime.timedelta(days=days),
        )
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        title="Due tomorrow",
        due_date=today + datetime.timedelta(days=1),
    )
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        title="Due in three days",
        due_date=today + datetime.timedelta(days=3),
    )
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        title="Done late",
        due_date=today - datetime.timedelta(days=3),
        status="done",
    )

    alerts.scan(org.organisation)
    digest = Notification.objects.get(recipient=org.staff, kind="actions_due")
    assert digest.subject == "2 overdue actions, 1 action due soon"
    assert "Late by 1" in digest.body and "Late by 5" in digest.body
    assert "Due tomorrow" in digest.body
    assert "Due in three days" not in digest.body and "Done late" not in digest.body


def test_a_scan_run_twice_on_one_day_sends_once_and_again_the_next_day(
    org, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org.organisation.escalate_to_assigner_after_days = 30  # only the owner's daily message
    org.organisation.escalate_to_leaders_after_days = 40
    org.organisation.save()
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False):
        ActionFactory(
            organisation=org.organisation, owner=org.staff, due_date=datetime.date(2026, 6, 1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert alerts.scan_all() == 1
            assert alerts.scan_all() == 0
    next_day = datetime.datetime(2026, 6, 11, 9, 0, tzinfo=UTC)
    with (
        time_machine.travel(next_day, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert alerts.scan_all() == 1
    assert [m.to for m in mail.outbox] == [[org.staff.email], [org.staff.email]]
    assert "overdue action" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_the_organisations_time_zone_decides_what_is_overdue(db):
    auckland = OrganisationFactory(timezone="Pacific/Auckland")
    london = OrganisationFactory(timezone="Europe/London")
    for organisation in (auckland, london):
        owner = UserFactory()
        MembershipFactory(organisation=organisation, user=owner)
        ActionFactory(organisation=organisation, owner=owner, due_date=datetime.date(2026, 3, 10))
    # 23:30 UTC on 10 March: already 11 March in Auckland, still 10 March in London.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 30, tzinfo=UTC), tick=False):
        assert alerts.scan(auckland) == 1
        assert alerts.scan(london) == 0


def test_a_scan_includes_the_apps_alerts(org):
    from tests.objectives.conftest import make_objective

    make_objective(org.organisation, org.manager, next_review_date=datetime.date(2025, 1, 1))
    alerts.scan(org.organisation)
    assert org.manager.notifications.filter(kind="objective_review_overdue").count() == 1


def test_scan_all_waits_for_the_organisations_morning(db, settings):
    settings.ALERTS_LOCAL_HOUR = 7
    auckland = OrganisationFactory(timezone="Pacific/Auckland")
    owner = UserFactory()
    MembershipFactory(organisation=auckland, user=owner)
    ActionFactory(organisation=auckland, owner=owner, due_date=datetime.date(2026, 3, 1))
    # 12:30 UTC is 01:30 the next day in Auckland (UTC+13): too early.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 30, tzinfo=UTC), tick=False):
        assert alerts.scan_all() == 0
    # 18:30 UTC is 07:30 there: the morning's alerts go out.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 18, 30, tzinfo=UTC), tick=False):
        assert alerts.scan_all() == 1


def test_unsent_notifications_are_queued_again_and_sent_once(
    org, settings, django_capture_on_commit_callbacks
):
    from isova import tasks
    from isova.notifications import services as notifications

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    start = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        # made inside a transaction whose delivery never ran (e.g. the broker was down)
        stuck = notifications.notify(
            organisation=org.organisation,
            recipient=org.staff,
            kind="test",
            key="k",
            subject="Hello",
            body="Body",
        )
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert notifications.pending_ids() == [stuck.pk]
        assert tasks.deliver_pending.apply().get() == 1
        assert tasks.deliver_pending.apply().get() == 0
    assert len(mail.outbox) == 1


# --- the escalation ladder ------------------------------------------------------------------


def test_each_rung_of_the_escalation_ladder_is_sent_once(org):
    org.organisation.escalate_to_assigner_after_days = 3
    org.organisation.escalate_to_leaders_after_days = 10
    org.organisation.save()
    due = datetime.date(2026, 6, 1)
    action = ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.manager,
        title="Fix the crane",
        due_date=due,
    )

    def escalations():
        return sorted(
            (n.recipient.email, n.key.rsplit(":", 1)[-1])
            for n in Notification.objects.filter(kind="action_escalated")
        )

    for day in range(2, 16):  # 1 to 14 days overdue, scanned every day
        alerts.scan(org.organisation, due + datetime.timedelta(days=day - 1))
    assert escalations() == [(org.leader.email, "2"), (org.manager.email, "1")]
    rung_one = Notification.objects.get(kind="action_escalated", recipient=org.manager)
    assert rung_one.day == due + datetime.timedelta(days=3)
    assert rung_one.subject == "Acme Staff is 3 days late with “Fix the crane”"
    assert rung_one.url == f"/actions/{action.pk}/"


def test_an_action_nobody_assigned_escalates_to_the_managers(org):
    ActionFactory(
        organisation=org.organisation, owner=org.staff, due_date=datetime.date(2026, 6, 1)
    )
    alerts.scan(org.organisation, datetime.date(2026, 6, 5))
    assert [n.recipient for n in Notification.objects.filter(kind="action_escalated")] == [
        org.manager
    ]


def test_a_scan_is_set_based_whatever_the_number_of_actions(org, django_assert_max_num_queries):
    def scan_queries(count: int) -> None:
        for i in range(count):
            ActionFactory(
                organisation=org.organisation,
                owner=member(org.organisation, "staff"),
                due_date=datetime.date(2026, 6, 1) - datetime.timedelta(days=i % 20),
            )
        # savepoint; the actions with owners and assigners; leaders and managers;
        # objectives (1) and their alert states (2 × read, upsert, delete), leaders; audits'
        # four; preferences; existing rows; insert; digests: waiting, had today
        with django_assert_max_num_queries(25):
            alerts.scan(org.organisation, datetime.date(2026, 6, 10))

    scan_queries(3)
    scan_queries(60)
