"""Every endpoint that takes `next` redirects only to a local path (issue 28.3).

`next=abc` used to answer 500 after the write was saved (the value was reversed as a URL
name); `next=dashboard` went to the dashboard for the same reason.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from isova import records
from isova.models import Action, Notification, SignOff
from tests.factories import PASSWORD, ActionFactory

from .records.helpers import make_policy, ms, shown

BAD = [
    "abc",
    "dashboard",
    "action_list",
    "//evil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/actions/\r\nSet-Cookie: x=1",
    "",
]


def _is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


def _action_create(org, client, next_value):
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    data = {
        "title": "Recalibrate the gauge",
        "owner": org.staff.pk,
        "due_date": due,
        "priority": "medium",
        "next": next_value,
    }
    response = client.post(reverse("action_create"), data)
    assert Action.objects.filter(title="Recalibrate the gauge").count() == 1
    return response, reverse("action_detail", args=[Action.objects.get().pk])


def _action_status(org, client, next_value):
    action = ActionFactory(organisation=org.organisation, owner=org.manager)
    data = {"status": "in_progress", "version": action.version, "next": next_value}
    response = client.post(reverse("action_status", args=[action.pk]), data)
    action.refresh_from_db()
    assert action.status == "in_progress"
    return response, reverse("action_detail", args=[action.pk])


def _record_submit(org, client, next_value):
    policy = make_policy(org)
    url = reverse("record_submit", args=["isova.qualitypolicy", policy.pk])
    response = client.post(url, {"next": next_value})
    assert records.state(policy).status == "submitted"
    return response, policy.get_absolute_url()


def _record_decide(org, client, next_value):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    data = {
        "decision": "approve",
        "password": PASSWORD,
        "version": 1,
        "snapshot_hash": shown(policy),
        "next": next_value,
    }
    url = reverse("record_decide", args=["isova.qualitypolicy", policy.pk])
    response = client.post(url, data)
    assert SignOff.objects.filter(meaning="approved").count() == 1
    return response, policy.get_absolute_url()


def _notification_read(org, client, next_value):
    note = Notification.objects.create(
        organisation=org.organisation,
        recipient=org.leader,
        kind="action_assigned",
        key="k",
        subject="s",
        body="b",
        day=timezone.localdate(),
    )
    response = client.post(reverse("notification_read", args=[note.pk]), {"next": next_value})
    note.refresh_from_db()
    assert note.read_at is not None
    return response, reverse("notifications")


ENDPOINTS = {
    "action_create": ("manager", _action_create),
    "action_status": ("manager", _action_status),
    "record_submit": ("manager", _record_submit),
    "record_decide": ("leader", _record_decide),
    "notification_read": ("leader", _notification_read),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("next_value", BAD)
def test_a_next_that_is_not_a_local_path_goes_to_the_default(org, as_user, endpoint, next_value):
    role, write = ENDPOINTS[endpoint]
    response, default = write(org, as_user(org.user(role)), next_value)
    assert response.status_code == 302
    assert response.url == default


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_local_path_next_is_followed(org, as_user, endpoint):
    role, write = ENDPOINTS[endpoint]
    response, _ = write(org, as_user(org.user(role)), "/actions/?status=open")
    assert response.status_code == 302
    assert response.url == "/actions/?status=open" and _is_local(response.url)
