"""Issue 23 item 5 in a real browser: the import button hands the file to a Celery worker; the
page shows how far it has got (HTMX polling every second) and turns into the result by
itself."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from isova.imports import engine
from risks.models import Risk
from tests.conftest import membership_of
from tests.isova.imports.conftest import run_import
from tests.isova.imports.test_queries import _register
from tests.isova.test_notifications import celery_worker  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_the_progress_page_follows_the_worker_to_the_result(
    celery_worker,  # noqa: F811
    org,
    login,
    url,
    tmp_path,
    settings,
    monkeypatch,
):
    settings.CACHES = {
        **settings.CACHES,
        "progress": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"],
            "KEY_PREFIX": "isova-e2e-progress",
        },
    }
    monkeypatch.setattr(engine, "BATCH", 5)
    assert run_import(
        "risks", membership_of(org.manager, org.organisation), _register(org, 5, 5)
    ).saved
    path = tmp_path / "register.csv"
    path.write_bytes(_register(org, 10))

    # Another session holds rows 5 to 9: the worker saves the first batch, then waits.
    locked, release, finished = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Risk.objects.select_for_update().filter(organisation=org.organisation))
                locked.set()
                release.wait(60)
        finally:
            connection.close()  # this thread's own connection
            finished.set()

    page = login(org.manager)
    page.goto(url("/data/import/risks/"))
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Next: values").click()
    page.get_by_role("button", name="Next: preview").click()
    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(10)
    try:
        page.get_by_role("button", name="Import 10 rows").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Importing risks and opportunities"
        )
        expect(page.locator("#progress-text")).to_have_text("5 of 10 rows", timeout=15000)
        expect(page.get_by_label("Rows read and saved")).to_have_attribute("value", "5")
    finally:
        release.set()
        assert finished.wait(10)
    expect(page.locator("#summary")).to_contain_text("10 rows, 5 created, 5 updated", timeout=15000)
    assert Risk.objects.filter(organisation=org.organisation).count() == 10
