"""`manage.py seed_demo`: a believable demo, the same however often it runs."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from isova.demo import DEMO_PASSWORD
from isova.models import Action, ActionStatus, Membership, Organisation, User

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"  # as tests/conftest.py
DEMO_LOGINS = [
    "leader@example.com",
    "manager@example.com",
    "staff@example.com",
    "auditor@example.com",
    "leader@care.example.com",
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every model of the project's own apps (and users), to compare two runs."""
    project_apps = {"isova", "objectives", "audits", "risks", "reviews"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in project_apps
    }


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seed once for this module (it takes seconds), inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (the `db` fixture), so nothing leaks.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db) -> dict[str, Organisation]:
    return {org.slug: org for org in Organisation.objects.all()}


def test_seeding_twice_gives_the_same_rows(seeded):
    first = row_counts()
    output = seed()
    assert row_counts() == first
    assert first["isova.Organisation"] == 2
    assert first["isova.Action"] >= 30
    assert "Demo logins" in output


def test_the_demo_users_log_in_with_the_demo_password(seeded):
    request = RequestFactory().post("/accounts/login/")
    for email in DEMO_LOGINS:
        user = authenticate(request, username=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert user.email == email


def test_the_manager_belongs_to_both_organisations(seeded):
    roles = dict(
        Membership.objects.filter(user__email="manager@example.com").values_list(
            "organisation__slug", "role"
        )
    )
    assert roles == {"hartwell": "manager", "rosewood": "staff"}


def test_the_care_home_leader_sees_only_the_care_home(seeded):
    leader = User.objects.get(email="leader@care.example.com")
    assert [m.organisation.slug for m in leader.memberships.all()] == ["rosewood"]


@pytest.mark.parametrize("slug", ["hartwell", "rosewood"])
def test_each_organisation_has_actions_in_every_status_and_some_overdue(seeded, slug):
    organisation = seeded[slug]
    actions = Action.objects.for_org(organisation)
    assert set(actions.values_list("status", flat=True)) == set(ActionStatus.values)
    assert actions.overdue(organisation.today()).count() >= 2
    # Every owner is a member, and nobody verified their own work.
    members = set(organisation.memberships.values_list("user_id", flat=True))
    assert set(actions.values_list("owner_id", flat=True)) <= members
    for action in actions.filter(status=ActionStatus.VERIFIED):
        assert action.verified_by_id not in (action.owner_id, action.completed_by_id)


def test_the_staff_persona_has_outstanding_and_overdue_work(seeded):
    hartwell = seeded["hartwell"]
    mine = Action.objects.for_org(hartwell).filter(owner__email="staff@example.com")
    assert mine.outstanding().count() >= 3
    assert mine.overdue(hartwell.today()).exists()


def test_a_demo_user_can_use_the_site_after_seeding(seeded, client):
    client.force_login(User.objects.get(email="staff@example.com"))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/actions/mine/"
    assert "Clean and check the bar feeder on lathe 4" in response.content.decode()
