"""The weekly briefing as the leader's status report: every section has a line, "new" means
since the last briefing by the date things happened, what needs you is named and linked, and
the HTML part links words, never bare addresses."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from isova.models import Notification
from isova.notifications import alerts, briefing
from isova.registry import registry
from tests.audits.conftest import plan, raise_finding, start
from tests.factories import ActionFactory
from tests.isova.records.helpers import make_policy, ms

MONDAY = datetime.date(2026, 6, 8)
SITE = "https://qms.example.org"


def _briefing(org) -> Notification:
    return Notification.objects.get(kind="weekly_briefing", recipient=org.leader, day=MONDAY)


def test_a_quiet_week_still_has_a_line_for_every_section(org, settings):
    settings.SITE_URL = SITE
    alerts.scan(org.organisation, MONDAY)
    body = _briefing(org).body
    for section in registry.briefing_sections():
        assert f"\n\n{section.title}\n- " in body, section.title
    assert "Needs you\n- Nothing waits for you." in body
    assert "Nothing waits for a decision." in body
    assert "0 open, 0 overdue" in body
    assert "No finding raised since" in body
    assert "No objective changed state since" in body
    assert "No management review planned" in body


def test_new_means_since_the_last_briefing_by_the_date_things_happened(org, settings):
    settings.SITE_URL = SITE
    previous = MONDAY - datetime.timedelta(days=14)  # a briefing a fortnight ago, none since
    Notification.objects.create(
        organisation=org.organisation,
        recipient=org.leader,
        kind="weekly_briefing",
        key="briefing",
        day=previous,
        window="2026-W22",
        subject="old",
        body="old",
        status="sent",
    )
    with time_machine.travel(datetime.datetime(2026, 6, 8, 8, 0), tick=False):
        audit = start(org, plan(org, planned_date=datetime.date(2025, 3, 3)))
        old = raise_finding(org, audit, raised_on=datetime.date(2025, 3, 3))  # made today
        recent = raise_finding(
            org, audit, raised_on=previous + datetime.timedelta(days=3), clause="7.5.3"
        )
    alerts.scan(org.organisation, MONDAY)
    body = _briefing(org).body
    assert "changed since the last briefing (Mon 25 May 2026)" in body
    assert f"{recent.reference} minor" in body
    assert f"({SITE}{recent.get_absolute_url()}?org=" in body
    assert f"Raised Thu 28 May 2026: {recent.reference}" in body
    assert f"{old.reference} " not in body  # raised in 2025, though its row is new
    assert "2 open, " in body


def test_what_needs_you_names_each_approval_and_escalation_with_its_link(org, settings):
    from isova import records

    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    policy = make_policy(org, title="Quality policy 2026")
    records.submit(membership=ms(org, "manager"), obj=policy)
    ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        assigned_by=org.leader,
        title="Fix the crane",
        due_date=MONDAY - datetime.timedelta(days=12),
    )
    alerts.scan(org.organisation, MONDAY - datetime.timedelta(days=1))  # escalated Sunday
    alerts.scan(org.organisation, MONDAY)
    note = _briefing(org)
    mine = note.body.split("\n\n")[1]
    assert mine.startswith("Needs you\n")
    assert f"- Decide: Quality policy 2026 v1, submitted by {org.manager.get_full_name()}" in mine
    assert f"({SITE}/approvals/?org=" in mine
    assert "- Chase: Acme Staff is 11 days late with “Fix the crane”" in mine
    assert note.subject.startswith(f"Your week in {org.organisation}: 2 things for you")

    from isova.notifications import services as notifications

    mail.outbox.clear()
    notifications.deliver(note.pk)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert f'<a href="{SITE}/approvals/?org=' in html and ">Decide: Quality policy 2026 v1" in html
    assert ">http" not in html and "(http" not in html  # words are the links
    assert f"({SITE}/approvals/?org=" in message.body  # the text part prints the address


def test_html_lines_link_their_words_and_escape_the_rest():
    html = briefing.as_html("Intro <b>\n\nTitle\n- Fix <it> (https://x.example/a/)\n- plain line")
    assert "<p>Intro &lt;b&gt;</p>" in html
    assert '<li><a href="https://x.example/a/">Fix &lt;it&gt;</a></li>' in html
    assert "<li>plain line</li>" in html


def test_on_monday_a_leaders_day_rides_in_the_briefing_one_email(org, settings):

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE
    ActionFactory(
        organisation=org.organisation,
        owner=org.leader,
        title="Sign the supplier contract",
        due_date=MONDAY - datetime.timedelta(days=2),
    )
    two_days_ago = MONDAY - datetime.timedelta(days=2)
    ActionFactory(organisation=org.organisation, owner=org.staff, due_date=two_days_ago)
    org.organisation.alerts_scanned_on = MONDAY - datetime.timedelta(days=1)
    org.organisation.save()
    from django.db import transaction

    with transaction.atomic():
        alerts.scan(org.organisation, MONDAY)
    from isova.notifications import services as notifications

    for row in Notification.objects.filter(status="pending").order_by("pk"):
        notifications.deliver(row.pk)
    leader_mail = [m for m in mail.outbox if m.to == [org.leader.email]]
    assert len(leader_mail) == 1
    assert leader_mail[0].subject.startswith("[isova] Your week in")
    assert "ALSO TODAY" in leader_mail[0].body
    assert "“Sign the supplier contract” is 2 days overdue" in leader_mail[0].body
    assert [m.to for m in mail.outbox if m.to != [org.leader.email]] == [[org.staff.email]]
    # a later scan that day finds more for the leader: it waits for tomorrow's digest
    ActionFactory(
        organisation=org.organisation,
        owner=org.leader,
        due_date=MONDAY - datetime.timedelta(days=3),
    )
    alerts.scan(org.organisation, MONDAY)
    assert Notification.objects.filter(kind="actions_due", recipient=org.leader).count() == 2
    assert not Notification.objects.filter(kind="daily_digest", recipient=org.leader).exists()
