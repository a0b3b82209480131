"""The single sign-on client secret is sealed in the database under a key derived from
SECRET_KEY: read back as typed, opened with a fallback key after rotation, and the data
migration seals the secrets saved before it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from isova.onboarding import sealing
from isova.onboarding.models import SingleSignOn

SECRET = "client-secret-0123456789"


def stored(config: SingleSignOn) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret FROM onboarding_singlesignon WHERE id = %s", [config.pk]
        )
        return cursor.fetchone()[0]


def store_plain(config: SingleSignOn, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE onboarding_singlesignon SET client_secret = %s WHERE id = %s",
            [value, config.pk],
        )


@pytest.fixture
def config(org) -> SingleSignOn:
    return SingleSignOn.objects.create(
        organisation=org.organisation,
        issuer="https://idp.example/o",
        client_id="isova",
        client_secret=SECRET,
    )


@pytest.mark.django_db
def test_the_client_secret_is_sealed_in_the_database_and_read_back_as_typed(config):
    raw = stored(config)
    assert raw.startswith("fernet:") and SECRET not in raw
    assert SingleSignOn.objects.get().client_secret == SECRET


@pytest.mark.django_db
def test_a_rotated_secret_key_still_opens_it_and_a_lost_one_asks_for_it_again(config, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 60, [old_key]
    assert SingleSignOn.objects.get().client_secret == SECRET
    settings.SECRET_KEY_FALLBACKS = []
    assert SingleSignOn.objects.get().client_secret == ""


@pytest.mark.django_db
def test_a_too_long_secret_is_refused_by_validation(config):
    from django.core.exceptions import ValidationError

    config.client_secret = "x" * 301
    with pytest.raises(ValidationError, match="at most 300 characters"):
        config.full_clean()


@pytest.mark.django_db
def test_the_migration_seals_secrets_saved_in_plain_text_and_unseals_them_back(config):
    migration = importlib.import_module("isova.onboarding.migrations.0002_seal_sso_client_secret")
    store_plain(config, SECRET)
    assert SingleSignOn.objects.get().client_secret == SECRET  # plain still reads
    with connection.schema_editor(atomic=False) as editor:
        migration.seal_secrets(apps, editor)
    assert stored(config).startswith("fernet:")
    assert SingleSignOn.objects.get().client_secret == SECRET
    with connection.schema_editor(atomic=False) as editor:
        migration.unseal_secrets(apps, editor)
    assert stored(config) == SECRET


def test_sealing_leaves_empty_and_sealed_values_alone():
    assert sealing.seal("") == ""
    sealed = sealing.seal("s")
    assert sealing.seal(sealed) == sealed and sealing.unseal(sealed) == "s"
