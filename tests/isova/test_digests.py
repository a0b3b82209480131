"""One e-mail a day per person: everything a scan finds in one digest, each subject once,
grouped by what to do; the go-live summary and the daily cap; bundled immediate e-mails."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core import mail

from isova.actions import services as actions
from isova.models import Notification, NotificationPreference, Organisation
from isova.notifications import alerts
from isova.notifications import services as notifications
from isova.registry import Alert, registry
from tests.conftest import membership_of
from tests.factories import ActionFactory

UTC = zoneinfo.ZoneInfo("UTC")
TUESDAY = datetime.datetime(2026, 6, 9, 10, 0, tzinfo=UTC)  # no weekly briefing


@pytest.fixture
def outbox(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://qms.example.org"
    return mail.outbox


def scan(organisation: Organisation, day: datetime.date, capture) -> int:
    with capture(execute=True):
        return alerts.scan(organisation, day)


def scanned_before(organisation: Organisation, day: datetime.date) -> None:
    """As if alerts had been running: not the go-live summary."""
    organisation.alerts_scanned_on = day - datetime.timedelta(days=1)
    organisation.save(update_fields=["alerts_scanned_on"])


@pytest.fixture
def six_kinds(org):
    """A throwaway alert source finding six kinds of thing for the manager, two of them about
    the same action (overdue for its owner, escalated to them)."""
    manager = org.manager

    def source(organisation, today):
        if organisation != org.organisation:
            return
        yield Alert(manager, "actions_due", "action:1:overdue", "“Crane” is 3 days overdue", "b")
        yield Alert(
            manager, "action_escalated", "action:1:due:x:rung:1", "Crane escalated", "b", "",
            "once",
        )  # fmt: skip
        yield Alert(manager, "finding_overdue", "finding:7:due:x", "Finding F-7 is late", "b")
        yield Alert(manager, "objective_off_track", "objective:3:red", "Scrap is off track", "b")
        yield Alert(manager, "risk_review_overdue", "risk:5:review", "Risk R-5 review late", "b")
        yield Alert(manager, "review_upcoming", "review:2:7", "Review in 7 days", "b", "/r/2/")
        yield Alert(manager, "audit_late", "audit:4", "Audit A-4 has not started", "b")

    registry.register("alerts", source, name="throwaway")
    yield manager
    registry.unregister("throwaway")


def test_a_person_with_items_of_six_kinds_gets_one_digest_with_each_subject_once(
    org, six_kinds, outbox, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 6, 9)
    scanned_before(org.organisation, day)
    scan(org.organisation, day, django_capture_on_commit_callbacks)

    [message] = [m for m in outbox if m.to == [six_kinds.email]]
    body = message.body
    assert message.subject == (
        f"[isova] Your day in {org.organisation}: "
        "3 overdue, 1 to chase, 1 objective update, 1 coming up"
    )
    # the action overdue and escalated to the same person: once, with the escalation (it is
    # said once; the daily reminder comes back tomorrow anyway)
    assert "Crane escalated" in body and "“Crane” is 3 days overdue" not in body
    # grouped by what to do, the most urgent first
    order = [
        body.index(t)
        for t in (
            "Overdue: yours to finish",
            "Overdue with others",
            "Objectives that changed state",
            "Coming up",
        )
    ]
    assert order == sorted(order)
    assert "https://qms.example.org/r/2/?org=" in body
    html = message.alternatives[0][0]
    assert '<a href="https://qms.example.org/r/2/?org=' in html and ">Review in 7 days</a>" in html
    assert ">https://" not in html  # links are words


def test_a_second_scan_the_same_day_sends_nothing(
    org, six_kinds, outbox, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 6, 9)
    scan(org.organisation, day, django_capture_on_commit_callbacks)
    sent = len(outbox)
    assert scan(org.organisation, day, django_capture_on_commit_callbacks) == 0
    assert len(outbox) == sent == 1


def test_at_once_can_still_be_chosen_per_kind(
    org, six_kinds, outbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=six_kinds, kind="audit_late", mode="immediate")
    day = datetime.date(2026, 6, 9)
    scanned_before(org.organisation, day)
    scan(org.organisation, day, django_capture_on_commit_callbacks)
    subjects = sorted(m.subject for m in outbox)
    assert len(subjects) == 2
    assert "[isova] Audit A-4 has not started" in subjects
    assert Notification.objects.get(kind="audit_late").status == "sent"


def test_go_live_sends_one_summary_per_person_capped_with_a_link_to_the_rest(
    org, outbox, settings, django_capture_on_commit_callbacks
):
    settings.ALERTS_DIGEST_CAP = 5
    day = datetime.date(2026, 6, 9)
    for n in range(8):
        ActionFactory(
            organisation=org.organisation,
            owner=org.staff,
            title=f"Old thing {n}",
            due_date=day - datetime.timedelta(days=40 + n),
        )
    # someone chose "at once" for their own overdue actions: at go-live it still is one mail
    NotificationPreference.objects.create(user=org.staff, kind="actions_due", mode="immediate")
    scan(org.organisation, day, django_capture_on_commit_callbacks)

    per_person = Counter(m.to[0] for m in outbox)
    assert per_person[org.staff.email] == 1
    assert max(per_person.values()) == 1
    [message] = [m for m in outbox if m.to == [org.staff.email]]
    assert message.subject.startswith(f"[isova] What is outstanding for you in {org.organisation}")
    assert message.body.count("Old thing") == 5
    assert "…and 3 more: https://qms.example.org/notifications/" in message.body
    assert org.organisation.alerts_scanned_on == day

    # the next day is an ordinary day: the person's choice of "at once" holds again
    outbox.clear()
    scan(org.organisation, day + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert [m.to for m in outbox if m.to == [org.staff.email]] == [[org.staff.email]]
    assert "What is outstanding" not in outbox[0].subject


def test_after_a_pause_the_first_scan_is_a_summary_again(
    org, outbox, settings, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 6, 9)
    ActionFactory(organisation=org.organisation, owner=org.staff, due_date=day)
    org.organisation.alerts_scanned_on = day - datetime.timedelta(
        days=settings.ALERTS_PAUSE_DAYS + 1
    )
    org.organisation.save()
    assert alerts.catching_up(org.organisation, day)
    org.organisation.alerts_scanned_on = day - datetime.timedelta(days=1)
    assert not alerts.catching_up(org.organisation, day)


def test_an_assigner_who_is_a_leader_gets_one_escalation(
    org, outbox, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 6, 20)
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.leader,
        title="Fix the crane",
        due_date=day - datetime.timedelta(days=15),  # past both rungs (3 and 10 days)
    )
    scan(org.organisation, day, django_capture_on_commit_callbacks)
    rows = Notification.objects.filter(kind="action_escalated", recipient=org.leader)
    assert [r.key.rsplit(":", 1)[-1] for r in rows] == ["2"]
    leader_mail = [m for m in outbox if m.to == [org.leader.email]]
    assert len(leader_mail) == 1
    assert leader_mail[0].body.count("Fix the crane") == 1
    # and the next days nothing more about it to the leader: rung 1 is not sent late
    for later in (1, 2):
        later_day = day + datetime.timedelta(days=later)
        scan(org.organisation, later_day, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="action_escalated", recipient=org.leader).count() == 1


def test_assignments_within_minutes_reach_the_person_as_one_email(
    org, outbox, settings, django_capture_on_commit_callbacks
):
    manager = membership_of(org.manager, org.organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for title in ("Seal the tank", "Paint the line", "Check the hoist"):
            actions.action_create(membership=manager, title=title, owner=org.staff)
    for callback in callbacks:  # the three queued deliveries run (eagerly, in order)
        callback()
    assert len(outbox) == 1
    message = outbox[0]
    assert message.subject == "[isova] 3 things for you: New action for you: Seal the tank"
    for title in ("Seal the tank", "Paint the line", "Check the hoist"):
        assert title in message.body
    assert Notification.objects.filter(kind="action_assigned", status="sent").count() == 3
    first = Notification.objects.filter(kind="action_assigned").order_by("pk").first()
    assert message.extra_headers["Message-ID"] == notifications.message_id(first)


def test_a_digest_or_briefing_is_never_bundled(org, outbox):
    today = org.organisation.today()
    for kind in ("weekly_briefing", "action_assigned"):
        Notification.objects.create(
            organisation=org.organisation,
            recipient=org.leader,
            kind=kind,
            key="k",
            day=today,
            window=today.isoformat(),
            subject=kind,
            body="b",
        )
    for row in Notification.objects.order_by("pk"):
        notifications.deliver(row.pk)
    subjects = sorted(m.subject for m in outbox)
    assert subjects == ["[isova] action_assigned", "[isova] weekly_briefing"]


@time_machine.travel(TUESDAY, tick=False)
def test_the_same_data_and_day_make_the_same_notifications_after_a_reset(org):
    """Two scans of the same data on the same day agree, even when the first one's
    notifications were deleted in between: the state changes of the day are kept with the
    state before them (issue 21: the counts differed because a reset forgot nothing of the
    recorded objective states, so the second scan saw no change and sent no state alerts)."""
    from tests.objectives.conftest import add_values, make_objective

    day = datetime.date(2026, 6, 9)
    red = make_objective(
        org.organisation,
        org.manager,
        title="Scrap",
        start_date=datetime.date(2026, 1, 1),
        target_date=datetime.date(2026, 12, 31),
    )
    add_values(red, [80, 80, 80, 80, 80])
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.leader,
        due_date=day - datetime.timedelta(days=12),
    )

    def rows():
        return sorted(
            Notification.objects.exclude(kind="daily_digest").values_list(
                "recipient_id", "kind", "key", "window", "status"
            )
        )

    alerts.scan(org.organisation, day)
    first = rows()
    assert any(kind == "objective_off_track" for _, kind, *_ in first)
    Notification.objects.all().delete()
    alerts.scan(org.organisation, day)
    assert rows() == first
