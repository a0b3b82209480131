"""From `create_organisation` to an invited member of staff completing their first task, in
a real browser, with the invitations read from a real SMTP server."""

from __future__ import annotations

import io
import re

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from playwright.sync_api import expect

from isova.models import Action, ActionStatus, Membership, Role, User
from tests.isova.test_notifications import Inbox, free_port
from tests.onboarding.conftest import body_of

PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def _link(message) -> str:
    return re.search(r"(http://\S+/invite/\S+/)", body_of(message)).group(1)


def _set_password(page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and join").click()
    page.wait_for_url(lambda url: "/invite/" not in url)


def test_from_create_organisation_to_a_member_completing_a_task(
    transactional_db, live_server, browser, inbox, settings
):
    settings.SITE_URL = live_server.url
    call_command(
        "create_organisation",
        "Kestrel Tools",
        "--leader",
        "lead@kestrel.example",
        "--timezone",
        "Europe/Berlin",
        stdout=io.StringIO(),
    )
    leader_context = browser.new_context()
    page = leader_context.new_page()
    _set_password(page, _link(inbox.wait_for(1)[0]), "Lena Lead")
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()

    # The leader invites a member of staff from the People page.
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("E-mail addresses").fill("sam@kestrel.example, staff, Sam Stone")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 invitation(s) made.")).to_be_visible()
    invitation_mail = inbox.wait_for(2)[1]
    assert invitation_mail["To"] == "sam@kestrel.example"

    staff_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    staff_page = staff_context.new_page()
    _set_password(staff_page, _link(invitation_mail), "Sam Stone")
    sam = User.objects.get(email="sam@kestrel.example")
    assert Membership.objects.get(user=sam).role == Role.STAFF

    # The leader gives Sam a task.
    page.goto(f"{live_server.url}/actions/new/")
    page.get_by_label("Title").fill("Calibrate the torque wrenches")
    page.get_by_label("Owner").select_option(label="Sam Stone (staff)")
    page.get_by_role("button", name=re.compile("Create|Save")).click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    action = Action.objects.get(title="Calibrate the torque wrenches")

    # Sam, on a phone, marks it done from My actions.
    staff_page.goto(f"{live_server.url}/actions/mine/")
    card = staff_page.locator(f"#action-card-{action.pk}")
    card.get_by_label("New status for “Calibrate the torque wrenches”").select_option("done")
    expect(staff_page.locator(f"#action-card-{action.pk}").get_by_text("Saved")).to_be_visible()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_by == sam
    leader_context.close()
    staff_context.close()
