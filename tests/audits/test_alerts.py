"""Audit alerts: late findings, due effectiveness checks and late audits; no repeats a day."""

import datetime

import time_machine

from audits import alerts
from audits.models import FindingType, Process
from isova.models import Notification
from isova.notifications import alerts as core_alerts

from .conftest import assign, complete, plan, raise_finding, respond, start


def travel(days):
    return time_machine.travel(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days), tick=False
    )


def kinds(organisation, today=None):
    today = today or organisation.today()
    return sorted((a.kind, a.recipient.email) for a in alerts.due(organisation, today))


def test_nothing_to_say_about_a_fresh_finding(org, finding):
    assert kinds(org.organisation) == []


def test_a_late_finding_alerts_the_process_owner(org, running_audit):
    raise_finding(org, running_audit, FindingType.MAJOR)
    later = org.organisation.today() + datetime.timedelta(days=31)
    assert kinds(org.organisation, later) == [("finding_overdue", org.manager.email)]


def test_a_late_finding_without_a_process_owner_alerts_the_managers(org):
    unowned = Process.objects.create(organisation=org.organisation, name="Stores")
    audit = start(org, plan(org, process=unowned))
    raise_finding(org, audit, FindingType.MAJOR)
    later = org.organisation.today() + datetime.timedelta(days=31)
    assert kinds(org.organisation, later) == [("finding_overdue", org.manager.email)]


def test_the_lead_auditor_hears_when_an_effectiveness_check_is_due(org, finding):
    finding = respond(org, finding)
    action = assign(org, finding)
    assert kinds(org.organisation) == []
    complete(org, action)
    assert kinds(org.organisation) == [("finding_check_due", org.auditor.email)]


def test_an_audit_past_its_planned_date_alerts_its_lead_auditor(org, process):
    plan(org, process=process, planned_date=org.organisation.today() - datetime.timedelta(3))
    assert kinds(org.organisation) == [("audit_late", org.auditor.email)]


def test_a_scan_twice_a_day_notifies_once(org, running_audit, django_assert_max_num_queries):
    raise_finding(org, running_audit, FindingType.MAJOR)
    with travel(31):
        # late findings, checks due, late audits; the managers only when a process has no owner
        with django_assert_max_num_queries(4):
            list(alerts.due(org.organisation, org.organisation.today()))
        first = core_alerts.scan(org.organisation)
        second = core_alerts.scan(org.organisation)
    assert first >= 1 and second == 0
    assert Notification.objects.filter(kind="finding_overdue").count() == 1


def test_a_late_finding_alerts_at_the_crossing_and_then_weekly_not_daily(org, running_audit):
    raise_finding(org, running_audit, FindingType.MAJOR)  # response due in 30 days
    for day in range(31, 46):
        with travel(day):
            core_alerts.scan(org.organisation)
    sent = Notification.objects.filter(kind="finding_overdue").order_by("day")
    # late on day 31 (the crossing), then on days 38 and 45: one a week
    assert [(n.day - sent[0].day).days for n in sent] == [0, 7, 14]


def test_a_finding_raised_in_a_process_notifies_its_owner_once_on_commit(
    org, running_audit, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        finding = raise_finding(org, running_audit, FindingType.MAJOR)
    notification = Notification.objects.get(kind="finding_raised")
    assert notification.recipient == running_audit.process.owner == org.manager
    assert notification.url == finding.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[org.manager.email]]
