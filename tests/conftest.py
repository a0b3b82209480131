"""Personas and shared fixtures; see STYLE.md ("Tests")."""

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from isova.models import Membership, Organisation, Role, User

from .factories import OrganisationFactory, member


def _redis_url_for_this_worker() -> None:
    """Under pytest-xdist each worker gets its own Redis database (the base one plus 1 + its
    number), as it gets its own test database: Celery queues and caches are never shared."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("TEST_REDIS_URL")
    if not worker.startswith("gw") or not url:
        return
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    os.environ["TEST_REDIS_URL"] = f"{base}/{(number + 1 + int(worker[2:])) % 16}"


_redis_url_for_this_worker()


def pytest_report_header(config):
    settings_db = connection.settings_dict
    where = (
        settings_db["NAME"]
        if connection.vendor == "sqlite"
        else (f"{settings_db['HOST']}:{settings_db['PORT']}/{settings_db['NAME']} (test_ prefix)")
    )
    redis_url = os.environ.get("TEST_REDIS_URL") or "none (tests that need Redis skip)"
    return [f"isova: database {connection.vendor} at {where}", f"isova: redis {redis_url}"]


def pytest_collection_modifyitems(config, items):
    """Skip postgres/redis tests when those services are absent (never under CI)."""
    on_ci = os.environ.get("CI") == "true"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL; running on SQLite")
    skip_redis = pytest.mark.skip(reason="needs Redis (TEST_REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql" and not on_ci:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("TEST_REDIS_URL") and not on_ci:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's many rounds cost about a second per persona; only hashing itself needs them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _allow_wipe(sender, connection, **kwargs):
    """Tests flush the database between transactional tests (TRUNCATE): let them, although
    the sign-off tables refuse TRUNCATE otherwise (migration isova/0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET isova.allow_wipe = 'on'")


connection_created.connect(_allow_wipe)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters kept in the cache (wrong signing passwords) start afresh in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class Org:
    """One organisation and a member of each role."""

    organisation: Organisation
    leader: User
    manager: User
    staff: User
    auditor: User

    def user(self, role: str) -> User:
        return getattr(self, role)


def make_org(name: str = "Acme") -> Org:
    organisation = OrganisationFactory(name=name)
    return Org(
        organisation=organisation,
        leader=member(organisation, Role.LEADER, full_name=f"{name} Leader"),
        manager=member(organisation, Role.MANAGER, full_name=f"{name} Manager"),
        staff=member(organisation, Role.STAFF, full_name=f"{name} Staff"),
        auditor=member(organisation, Role.AUDITOR, full_name=f"{name} Auditor"),
    )


@pytest.fixture
def org(db) -> Org:
    return make_org("Acme")


@pytest.fixture
def other_org(db) -> Org:
    """An outsider organisation: nothing of it may be visible from `org`."""
    return make_org("Rival")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


def membership_of(user: User, organisation: Organisation) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        user=user, organisation=organisation
    )
