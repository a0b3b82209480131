"""Importing an upload in the background: start it once, run it all-or-nothing, tell how far
it has got.

The web flow's last step calls `upload_start`, which moves the upload from "mapping" to
"queued" in one conditional UPDATE (a double submit finds it queued and starts nothing) and
queues the `import_upload` task once that has committed. The task gets only the upload's id:
the file and the mapping are on the row, in the database every worker reads. `upload_import`
runs the engine in one transaction with the row locked and writes "done" (with the report)
in that same transaction, or "failed" (with the errors) when nothing was saved.

Progress (rows done of rows in all) is written after every batch to the "progress" cache,
not to the row: the import's transaction hides its writes from other processes until it
commits, and the cache write is no query, so each batch costs the same few queries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from isova.accounts.models import Membership
from isova.accounts.tenancy import has_perm
from isova.registry import registry

from . import engine
from .models import ImportState, ImportUpload, SavedMapping
from .reading import Unreadable, read_table

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 6 * 3600
STOPPED = (
    "The import stopped unexpectedly, and nothing was saved. Try again; if it stops again, "
    "ask your administrator to look at the server's log."
)


def _key(upload_id: int) -> str:
    return f"import:{upload_id}"


def progress_of(upload: ImportUpload) -> int | None:
    """Rows done so far of a queued upload, or None before its first batch is read (or where
    the cache is per process and another process imports)."""
    done = caches["progress"].get(_key(upload.pk))
    return int(done) if done is not None else None


def _record_progress(upload_id: int, done: int, total: int) -> None:
    caches["progress"].set(_key(upload_id), done, PROGRESS_SECONDS)


def upload_start(*, upload: ImportUpload, total_rows: int, save_as: str = "") -> bool:
    """Start importing `upload`: True when this call started it, False when it had been
    started already (a second submit, a second tab). The task is queued after commit. One
    that failed (nothing saved) may be started again once its mapping or data are put right."""
    startable = (ImportState.MAPPING, ImportState.FAILED)
    with transaction.atomic():
        started = ImportUpload.objects.filter(pk=upload.pk, state__in=startable).update(
            state=ImportState.QUEUED,
            started_at=timezone.now(),
            total_rows=total_rows,
            save_as=save_as.strip()[:100],
            report=None,
        )
        if started:
            transaction.on_commit(functools.partial(_queue, upload.pk))
    return bool(started)


def _queue(upload_id: int) -> None:
    # By name, on the current app (isova.tasks imports this module): the project's app, or a
    # test's worker app under test. In-process (make run) it imports here, in the request.
    import_upload = current_app.tasks["isova.tasks.import_upload"]
    try:
        import_upload.delay(upload_id)
    except Exception:
        # The broker refused it: the upload goes back to its preview, to be started again.
        log.exception("could not queue the import of upload %s", upload_id)
        ImportUpload.objects.filter(pk=upload_id, state=ImportState.QUEUED).update(
            state=ImportState.MAPPING, started_at=None
        )


def upload_import(*, upload_id: int, progress: Callable[[int, int], None] | None = None) -> str:
    """Import a queued upload all-or-nothing and return its state after. A second run of the
    same upload (the broker delivering the task again) waits on the row's lock, then finds
    it done or failed and does nothing. Never raises: an unexpected error is logged and the
    upload is failed, nothing saved."""

    def report_progress(done: int, total: int) -> None:
        _record_progress(upload_id, done, total)
        if progress is not None:
            progress(done, total)

    try:
        with transaction.atomic():
            upload = ImportUpload.objects.select_for_update().filter(pk=upload_id).first()
            if upload is None or upload.state != ImportState.QUEUED:
                return upload.state if upload is not None else ""
            _record_progress(upload_id, 0, upload.total_rows)
            report = _run(upload, report_progress)
            upload.report = report
            if report.get("saved"):
                upload.state = ImportState.DONE
                upload.imported_at = timezone.now()
                upload.data = b""  # the rows are in the registers now; the file is not kept
                if upload.save_as:
                    SavedMapping.objects.update_or_create(
                        organisation_id=upload.organisation_id,
                        kind=upload.kind,
                        name=upload.save_as,
                        defaults={"mapping": upload.mapping, "created_by_id": upload.user_id},
                    )
            else:
                upload.state = ImportState.FAILED
            upload.save(update_fields=["report", "state", "imported_at", "data"])
            return upload.state
    except Exception:
        log.exception("the import of upload %s stopped", upload_id)
        ImportUpload.objects.filter(pk=upload_id, state=ImportState.QUEUED).update(
            state=ImportState.FAILED, report=_failed(STOPPED)
        )
        return ImportState.FAILED
    finally:
        caches["progress"].delete(_key(upload_id))


def _failed(message: str) -> dict[str, Any]:
    return {"errors": [{"row": None, "column": None, "message": message}], "saved": False}


def _run(upload: ImportUpload, progress: Callable[[int, int], None]) -> dict[str, Any]:
    """The engine's report for the upload, read with its member's role of now."""
    kind = registry.import_kind(upload.kind)
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation_id=upload.organisation_id, user_id=upload.user_id)
        .first()
    )
    if kind is None or membership is None or not membership.user.is_active:
        return _failed("You are no longer a member who can import this: nothing was saved.")
    if not has_perm(membership, kind.permission):
        return _failed(f"Your role no longer imports {kind.label.lower()}: nothing was saved.")
    try:
        table = read_table(bytes(upload.data), upload.filename, upload.sheet or None)
    except Unreadable as error:
        return _failed(str(error))
    ctx = engine.make_context(membership)
    return engine.run(kind, ctx, table, upload.mapping, write=True, progress=progress).as_json()
