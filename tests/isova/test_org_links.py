"""Links in e-mails carry their organisation (issue 28.7): a member of two organisations who
opens a link from the second one's e-mail while working in the first lands on the record."""

from django.core import mail
from django.urls import reverse

from isova.accounts.tenancy import SESSION_KEY, with_org
from isova.models import Role
from isova.notifications import services as notifications
from tests.conftest import client_for
from tests.factories import ActionFactory, MembershipFactory


def _two_org_person(org, other_org):
    """The Acme manager, also staff at Rival, working in Acme."""
    person = org.manager
    MembershipFactory(organisation=other_org.organisation, user=person, role=Role.STAFF)
    client = client_for(person)
    session = client.session
    session[SESSION_KEY] = org.organisation.pk
    session.save()
    return person, client


def test_an_e_mail_link_of_the_other_organisation_opens_its_record_and_switches(
    org, other_org, settings
):
    settings.SITE_URL = "https://qms.example"
    person, client = _two_org_person(org, other_org)
    action = ActionFactory(organisation=other_org.organisation, owner=person, title="Rival job")
    path = reverse("action_detail", args=[action.pk])
    note = notifications.notify(
        organisation=other_org.organisation,
        recipient=person,
        kind="action_assigned",
        key=f"action:{action.pk}",
        subject="Assigned to you",
        body="",
        url=path,
    )
    assert notifications.deliver(note.pk)
    link = f"https://qms.example{path}?org={other_org.organisation.slug}"
    text, html = mail.outbox[-1].body, mail.outbox[-1].alternatives[0][0]
    assert link in text and f'href="{link}"' in html
    # Without the organisation, the link answers 404 from Acme: what people saw before.
    assert client.get(path).status_code == 404
    response = client.get(link.removeprefix("https://qms.example"))
    assert response.status_code == 200 and "Rival job" in response.content.decode()
    assert client.session[SESSION_KEY] == other_org.organisation.pk


def test_my_actions_from_the_other_organisations_e_mail_lists_that_organisations(org, other_org):
    person, client = _two_org_person(org, other_org)
    ActionFactory(organisation=org.organisation, owner=person, title="Acme job")
    ActionFactory(organisation=other_org.organisation, owner=person, title="Rival job")
    page = client.get(with_org(reverse("my_actions"), other_org.organisation)).content.decode()
    assert "Rival job" in page and "Acme job" not in page


def test_an_organisation_the_person_is_not_in_is_ignored(org, other_org):
    client = client_for(org.staff)
    ActionFactory(organisation=org.organisation, owner=org.staff, title="Acme job")
    response = client.get(with_org(reverse("my_actions"), other_org.organisation))
    assert response.status_code == 200 and "Acme job" in response.content.decode()
    assert client.session.get(SESSION_KEY) != other_org.organisation.pk


def test_a_post_naming_an_organisation_does_not_switch(org, other_org):
    person, client = _two_org_person(org, other_org)
    client.post(with_org(reverse("notification_read_all"), other_org.organisation))
    assert client.session[SESSION_KEY] == org.organisation.pk


def test_with_org_keeps_the_query_and_fragment_and_replaces_an_older_org(org):
    slug = org.organisation.slug
    assert with_org("/actions/?status=open#x", org.organisation) == (
        f"/actions/?status=open&org={slug}#x"
    )
    assert with_org("/actions/?org=old", org.organisation) == f"/actions/?org={slug}"
    assert with_org("", org.organisation) == ""
    assert with_org("https://elsewhere.example/", org.organisation) == "https://elsewhere.example/"


def test_the_weekly_briefing_links_name_the_organisation(org, settings):
    from isova.notifications.briefing import _whole_links

    settings.SITE_URL = "https://qms.example"
    line = _whole_links(
        "3 approvals wait (/approvals/), 2 overdue (/actions/?overdue=1)", org.organisation
    )
    slug = org.organisation.slug
    assert f"(https://qms.example/approvals/?org={slug})" in line
    assert f"(https://qms.example/actions/?overdue=1&org={slug})" in line
