"""Notifications in the app (list, unread count, mark read), failed deliveries for managers,
e-mail preferences, and the private calendar feed."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.core import mail

from isova.models import Notification, NotificationStatus
from isova.notifications import alerts
from isova.notifications import services as notifications
from tests.conftest import client_for, membership_of
from tests.factories import ActionFactory


def make(org, recipient, key="x:1", kind="action_assigned", **kwargs):
    return notifications.notify(
        organisation=org.organisation,
        recipient=recipient,
        kind=kind,
        key=key,
        subject=f"About {key}",
        body="Body",
        url="/actions/mine/",
        **kwargs,
    )


def test_the_list_shows_my_notifications_of_this_organisation_only(org, other_org):
    make(org, org.staff, "mine")
    make(org, org.manager, "theirs")
    make(other_org, other_org.staff, "elsewhere")
    page = client_for(org.staff).get("/notifications/").content.decode()
    assert "About mine" in page
    assert "About theirs" not in page and "About elsewhere" not in page
    assert 'href="/actions/mine/"' in page


def test_the_unread_count_shows_in_the_navigation_and_falls_when_read(org):
    first = make(org, org.staff, "a")
    make(org, org.staff, "b")
    client = client_for(org.staff)
    assert '<span class="badge">2<span class="visually-hidden"> unread' in (
        client.get("/actions/mine/").content.decode()
    )
    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302
    assert '<span class="badge">1<' in client.get("/actions/mine/").content.decode()
    client.post("/notifications/read/")
    assert 'class="badge"' not in client.get("/notifications/").content.decode()


def test_the_unread_count_costs_no_query_of_its_own_however_many_there_are(
    org, django_assert_max_num_queries
):
    client = client_for(org.staff)
    client.get("/actions/mine/")  # warm the session and content types
    without = len(_queries(client, "/actions/mine/"))
    for i in range(30):
        make(org, org.staff, f"k{i}")
    # the same queries as with none: the count comes with the memberships every page loads
    with django_assert_max_num_queries(without):
        client.get("/actions/mine/")


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


def test_nobody_marks_someone_elses_notification_read(org, other_org):
    theirs = make(org, org.manager, "theirs")
    elsewhere = make(other_org, other_org.staff, "elsewhere")
    client = client_for(org.staff)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{elsewhere.pk}/read/").status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


@pytest.mark.parametrize(("role", "sees"), [("manager", True), ("leader", True), ("staff", False)])
def test_failed_deliveries_are_listed_for_leaders_and_managers(org, role, sees):
    failed = make(org, org.auditor, "lost")
    Notification.objects.filter(pk=failed.pk).update(
        status=NotificationStatus.FAILED,
        failed_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        last_error="SMTPRecipientsRefused",
    )
    page = client_for(org.user(role)).get("/notifications/").content.decode()
    assert ("could not be delivered" in page and "SMTPRecipientsRefused" in page) is sees


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/preferences/").status_code == 302


# --- preferences -------------------------------------------------------------------------------


def test_preferences_at_once_digest_and_off(org, django_capture_on_commit_callbacks):
    client = client_for(org.staff)
    choices = dict.fromkeys(notifications.KINDS, "immediate")
    choices |= {"action_assigned": "off", "finding_raised": "digest"}
    assert client.post("/notifications/preferences/", choices).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assigned = make(org, org.staff, "a", kind="action_assigned")
        raised = make(org, org.staff, "f", kind="finding_raised")
        decided = make(org, org.staff, "d", kind="approval_decided")
    assert assigned.status == NotificationStatus.IN_APP  # off: in the app only
    assert raised.status == NotificationStatus.DIGEST
    assert [m.subject for m in mail.outbox] == ["[isova] About d"]
    assert decided.status == NotificationStatus.PENDING
    # the next scan sends the day's digest: one e-mail listing what waited
    with django_capture_on_commit_callbacks(execute=True):
        alerts.scan(org.organisation)
    digest = Notification.objects.get(kind="daily_digest")
    assert digest.recipient == org.staff
    assert mail.outbox[-1].subject == "[isova] Your daily digest: 1 item"
    assert "About f" in mail.outbox[-1].body
    raised.refresh_from_db()
    assert raised.digest == digest


def test_approvals_you_must_give_cannot_be_turned_off(org):
    client = client_for(org.leader)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="approval_requested"' not in page
    choices = dict.fromkeys(notifications.KINDS, "off") | {"approval_requested": "off"}
    client.post("/notifications/preferences/", choices)
    asked = make(org, org.leader, "v", kind="approval_requested")
    assert asked.status == NotificationStatus.PENDING


def test_a_bad_preference_is_a_form_error_not_a_500(org):
    response = client_for(org.staff).post(
        "/notifications/preferences/", {"action_assigned": "sometimes"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- calendar feed -----------------------------------------------------------------------------


def test_the_calendar_feed_parses_and_a_revoked_token_answers_404(org, other_org):
    due = org.organisation.today() + datetime.timedelta(days=3)
    ActionFactory(
        organisation=org.organisation, owner=org.staff, title="Oil; the, pump", due_date=due
    )
    ActionFactory(organisation=org.organisation, owner=org.manager, title="Not mine", due_date=due)
    ActionFactory(organisation=org.organisation, owner=org.staff, title="Done", status="done")
    client = client_for(org.staff)
    client.post("/calendar/", {"do": "issue"})
    feed = membership_of(org.staff, org.organisation).calendar_feed
    url = f"/calendar/{feed.token}.ics"
    assert url in client.get("/calendar/").content.decode()

    response = client_for(other_org.leader).get(url)  # calendar apps send no session
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [
        ("Due: Oil; the, pump", due)
    ]

    client.post("/calendar/", {"do": "revoke"})
    assert client.get(url).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_calendar_feed_lists_the_audits_i_lead(org):
    from tests.audits.conftest import plan

    audit = plan(org)
    client = client_for(org.auditor)
    client.post("/calendar/", {"do": "issue"})
    token = membership_of(org.auditor, org.organisation).calendar_feed.token
    calendar = icalendar.Calendar.from_ical(client.get(f"/calendar/{token}.ics").content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert f"Audit {audit.reference}: {audit.title}" in summaries


# --- the escalation ladder's settings ------------------------------------------------------------


def test_a_leader_sets_the_escalation_ladder(org):
    client = client_for(org.leader)
    assert 'name="to_assigner"' in client.get("/notifications/preferences/").content.decode()
    response = client.post("/notifications/escalation/", {"to_assigner": 5, "to_leaders": 20})
    assert response.status_code == 302
    org.organisation.refresh_from_db()
    assert (
        org.organisation.escalate_to_assigner_after_days,
        org.organisation.escalate_to_leaders_after_days,
    ) == (5, 20)


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_set_the_escalation_ladder(org, role):
    client = client_for(org.user(role))
    assert 'name="to_assigner"' not in client.get("/notifications/preferences/").content.decode()
    response = client.post("/notifications/escalation/", {"to_assigner": 5, "to_leaders": 20})
    assert response.status_code == 403
    org.organisation.refresh_from_db()
    assert org.organisation.escalate_to_assigner_after_days == 3


@pytest.mark.parametrize("values", [{"to_assigner": 9, "to_leaders": 4}, {"to_assigner": "x"}])
def test_a_bad_ladder_is_refused_with_a_message_and_nothing_saved(org, values):
    response = client_for(org.leader).post("/notifications/escalation/", values, follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    org.organisation.refresh_from_db()
    assert org.organisation.escalate_to_assigner_after_days == 3


def test_the_escalation_form_shows_once_and_not_in_the_title(org):
    page = client_for(org.leader).get("/notifications/preferences/").content.decode()
    assert page.count('id="id_to_assigner"') == 1
    assert "<title>E-mail preferences ·" in page
