"""The last step imports in the background: a Celery task (in-process by default, a worker in
production) with a progress page polled by HTMX, all rows or none, started once however
often it is submitted, in the same few queries per batch of rows."""

from __future__ import annotations

import os
import threading
import time

import pytest
from celery import Celery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from isova.imports import engine, services
from isova.imports.models import ImportState, ImportUpload, SavedMapping
from isova.imports.reading import read_table
from isova.registry import registry
from risks.models import Risk
from tests.conftest import client_for, make_org, membership_of
from tests.isova.imports.conftest import run_import
from tests.isova.imports.test_queries import _register
from tests.isova.test_notifications import celery_worker  # noqa: F401  (a fixture)


def _upload(client, data: bytes) -> ImportUpload:
    response = client.post(
        reverse("imports:upload", args=["risks"]),
        {"file": SimpleUploadedFile("register.csv", data)},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportUpload.objects.latest("pk")


def _start(client, upload: ImportUpload, **form):
    return client.post(reverse("imports:preview", args=[upload.pk]), form)


def _poll(client, upload: ImportUpload):
    return client.get(reverse("imports:progress", args=[upload.pk]), headers={"HX-Request": "true"})


def test_the_import_step_answers_with_a_progress_page_that_polls_until_the_result(
    org, as_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(engine, "BATCH", 2)
    client = as_user(org.manager)
    upload = _upload(client, _register(org, 5))
    result_url = reverse("imports:result", args=[upload.pk])

    # Before: not started, its result page is the preview.
    assert client.get(result_url).url == reverse("imports:preview", args=[upload.pk])

    with django_capture_on_commit_callbacks() as queued:
        response = _start(client, upload, save_as="Big register")
    assert response.url == result_url
    page = client.get(result_url).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'hx-get="/data/imports/' in page
    assert '<progress id="import-bar" max="5">0 of 5 rows</progress>' in page
    assert '<label for="import-bar">Waiting to start</label>' in page
    assert "0 of 5 rows" in _poll(client, upload).content.decode()

    # During: what the page polls between the batches (2, 4 and 5 of 5 rows).
    seen: list[str] = []

    def look(done: int, total: int) -> None:
        seen.append(_poll(client, upload).content.decode())

    assert len(queued) == 1
    assert services.upload_import(upload_id=upload.pk, progress=look) == ImportState.DONE
    assert len(seen) == 3
    assert '<progress id="import-bar" max="5" value="2">2 of 5 rows</progress>' in seen[0]
    assert "4 of 5 rows" in seen[1] and "Rows read and saved" in seen[1]
    assert 'hx-trigger="every 1s"' in seen[2]

    # After: the poll sends the page to the result, which is today's result page.
    done = _poll(client, upload)
    assert done.status_code == 200 and done["HX-Redirect"] == result_url
    assert client.get(reverse("imports:progress", args=[upload.pk])).url == result_url
    page = client.get(result_url).content.decode()
    assert "register.csv: 5 rows, 5 created, 0 updated." in page
    assert "Where each column went" in page and "hx-trigger" not in page
    assert Risk.objects.filter(organisation=org.organisation).count() == 5
    assert SavedMapping.objects.get().name == "Big register"
    upload.refresh_from_db()
    assert upload.state == ImportState.DONE and upload.data == b""


def test_in_process_the_import_is_done_before_the_page_answers(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.leader)
    upload = _upload(client, _register(org, 3))
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, upload)
    page = client.get(response.url).content.decode()
    assert "3 created" in page
    assert b"importing now" not in client.get(reverse("imports:index")).content


def test_another_organisations_or_persons_import_is_404_at_every_step(
    org, other_org, as_user, django_capture_on_commit_callbacks
):
    upload = _upload(as_user(org.manager), _register(org, 3))
    with django_capture_on_commit_callbacks():
        _start(as_user(org.manager), upload)
    for who in (other_org.leader, org.leader):  # another organisation; another person
        client = as_user(who)
        for name in ("result", "progress", "preview", "columns"):
            assert client.get(reverse(f"imports:{name}", args=[upload.pk])).status_code == 404
        assert _start(client, upload).status_code == 404
    upload.refresh_from_db()
    assert upload.state == ImportState.QUEUED and upload.total_rows == 3


def test_a_member_whose_role_no_longer_imports_sees_no_progress_and_imports_nothing(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.manager)
    upload = _upload(client, _register(org, 3))
    with django_capture_on_commit_callbacks() as queued:
        _start(client, upload)
    membership = membership_of(org.manager, org.organisation)
    membership.role = "staff"
    membership.save(update_fields=["role"])
    assert client.get(reverse("imports:progress", args=[upload.pk])).status_code == 403
    queued[0]()  # the task runs after the change
    upload.refresh_from_db()
    assert upload.state == ImportState.FAILED
    assert "no longer imports" in upload.report["errors"][0]["message"]
    assert not Risk.objects.exists()


def test_a_failure_in_the_last_batch_saves_nothing_and_the_page_lists_the_errors(
    org, as_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(engine, "BATCH", 4)
    text = (
        _register(org, 12)
        .decode()
        .replace(
            f"R11,Risk 11,Risk,High,Medium,{org.manager.get_full_name()}",
            "R11,Risk 11,Risk,High,Medium,Bob Nobody",
        )
    )
    client = as_user(org.manager)
    upload = _upload(client, text.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, upload)
    page = client.get(response.url).content.decode()
    assert "Nothing was saved" in page and "“Bob Nobody” is not a member" in page
    assert "<td>13</td>" in page  # the row, as the file numbers it
    assert "hx-trigger" not in page
    assert not Risk.objects.exists()  # the first two batches were rolled back with it
    upload.refresh_from_db()
    assert upload.state == ImportState.FAILED and upload.imported_at is None
    assert upload.data  # kept, to import again once put right

    # Put right (the value mapped to a member), it is imported from the preview again.
    upload.mapping = {
        **upload.mapping,
        "values": {**upload.mapping.get("values", {}), "Owner": {"Bob Nobody": org.leader.email}},
    }
    upload.save(update_fields=["mapping"])
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, upload)
    assert "12 created" in client.get(response.url).content.decode()
    assert Risk.objects.get(external_ref="R11").owner == org.leader


def test_an_unexpected_error_fails_the_import_with_a_message_and_saves_nothing(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.leader)
    upload = _upload(client, _register(org, 3))
    upload.mapping = {"columns": ["not", "a", "mapping"]}  # what no step writes
    upload.save(update_fields=["mapping"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, upload)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The import stopped unexpectedly, and nothing was saved." in page
    assert not Risk.objects.exists()


def test_a_double_submit_starts_one_task_and_a_second_run_saves_nothing_twice(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.manager)
    upload = _upload(client, _register(org, 3))
    with django_capture_on_commit_callbacks() as queued:
        first, second = _start(client, upload), _start(client, upload)
    assert first.url == second.url == reverse("imports:result", args=[upload.pk])
    assert len(queued) == 1
    queued[0]()
    # The broker delivering the task again: the row is done, nothing is imported twice.
    assert services.upload_import(upload_id=upload.pk) == ImportState.DONE
    with django_capture_on_commit_callbacks() as again:
        _start(client, upload)
    assert again == []
    assert Risk.objects.filter(organisation=org.organisation).count() == 3


def _task_queries(org, data: bytes) -> tuple[int, int]:
    """(queries, progress calls) of the import task for a file, started as the view does."""
    membership = membership_of(org.leader, org.organisation)
    table = read_table(data, "register.csv")
    mapping = engine.suggest(registry.import_kind("risks"), engine.make_context(membership), table)
    upload = ImportUpload.objects.create(
        organisation=org.organisation,
        user=org.leader,
        kind="risks",
        filename="register.csv",
        data=data,
        mapping=mapping,
    )
    services.upload_start(upload=upload, total_rows=len(table.rows))
    calls: list[int] = []
    with CaptureQueriesContext(connection) as ctx:
        state = services.upload_import(upload_id=upload.pk, progress=lambda d, t: calls.append(d))
    assert state == ImportState.DONE, ImportUpload.objects.get(pk=upload.pk).report
    return len(ctx.captured_queries), len(calls)


def test_the_task_costs_the_same_few_queries_for_each_batch_of_rows(org, monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 10)
    _task_queries(org, _register(org, 1, 9000))  # the organisation's first import makes its matrix
    three, three_calls = _task_queries(org, _register(org, 30, 0))
    thirty, thirty_calls = _task_queries(org, _register(org, 300, 1000))
    assert (three_calls, thirty_calls) == (3, 30)
    assert (thirty - three) % 27 == 0
    assert (thirty - three) // 27 <= 8  # look-up, insert, history insert, assessments, savepoints


# --- with a real worker -------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_imports_while_the_page_shows_how_far_it_has_got(
    celery_worker,  # noqa: F811
    settings,
    monkeypatch,
):
    settings.CACHES = {
        **settings.CACHES,
        "progress": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"],
            "KEY_PREFIX": "isova-test-progress",
        },
    }
    monkeypatch.setattr(engine, "BATCH", 5)
    org = make_org("Workers")
    membership = membership_of(org.manager, org.organisation)
    # Rows 5 to 9 exist already: the second batch updates them.
    assert run_import("risks", membership, _register(org, 5, 5)).saved
    client = client_for(org.manager)
    upload = _upload(client, _register(org, 10))

    # Another session holds those five rows: the worker saves the first batch, then waits.
    locked, release, finished = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Risk.objects.select_for_update().filter(organisation=org.organisation))
                locked.set()
                release.wait(30)
        finally:
            connection.close()  # this thread's own connection
            finished.set()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(10)
    try:
        response = _start(client, upload)
        assert response.url == reverse("imports:result", args=[upload.pk])
        page = ""
        deadline = time.monotonic() + 20
        while "5 of 10 rows" not in page and time.monotonic() < deadline:
            time.sleep(0.05)
            page = _poll(client, upload).content.decode()
        assert '<progress id="import-bar" max="10" value="5">5 of 10 rows</progress>' in page
        assert not Risk.objects.filter(external_ref="R0").exists()  # not committed yet
    finally:
        release.set()
        assert finished.wait(10)

    deadline = time.monotonic() + 20
    response = _poll(client, upload)
    while "HX-Redirect" not in response and time.monotonic() < deadline:
        time.sleep(0.05)
        response = _poll(client, upload)
    assert response["HX-Redirect"] == reverse("imports:result", args=[upload.pk])
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "register.csv: 10 rows, 5 created, 5 updated." in page
    assert Risk.objects.filter(organisation=org.organisation).count() == 10


@pytest.mark.django_db(transaction=True)
def test_when_the_broker_refuses_the_task_the_preview_says_so_and_it_can_be_started_again():
    import isova.celery

    org = make_org("Brokerless")
    client = client_for(org.manager)
    upload = _upload(client, _register(org, 3))
    # The current app's broker is a closed port (as the notification tests' worker app, no
    # worker), publishing with one retry.
    app = Celery("isova-test-brokerless", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0},
        broker_connection_timeout=1,
    )
    app.set_current()
    try:
        response = _start(client, upload)
    finally:
        isova.celery.app.set_current()
    assert response.url == reverse("imports:preview", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "The import could not be started just now: try again." in page
    upload.refresh_from_db()
    assert upload.state == ImportState.MAPPING and upload.started_at is None
    response = _start(client, upload)  # in-process again: imported
    assert "3 created" in client.get(response.url).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_start_one_import():
    org = make_org("Twice")
    upload = _upload(client_for(org.manager), _register(org, 3))
    ready = threading.Barrier(2)
    started: list[bool] = []

    def submit() -> None:
        try:
            ready.wait(5)
            started.append(services.upload_start(upload=upload, total_rows=3))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(started) == [False, True]
    assert ImportUpload.objects.get(pk=upload.pk).state == ImportState.DONE  # in-process
    assert Risk.objects.filter(organisation=org.organisation).count() == 3
