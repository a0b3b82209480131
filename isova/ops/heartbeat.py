"""Heartbeats of the Celery worker and beat, kept in the broker's Redis for /readyz.

Each worker's main process writes `isova:health:worker:<hostname>` every HEARTBEAT_SECONDS;
beat writes `isova:health:beat` whenever it sends a task (a heartbeat task every minute, so a
silent beat is a dead one); the alert scan's duration goes to `isova:health:scan`. A killed
process simply stops writing: its key grows old, then expires.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from celery import shared_task, signals

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10
PREFIX = "isova:health:"
_in_beat = False
_started: dict[str, float] = {}


def redis_client() -> Any | None:
    """The broker's Redis, or None when tasks run in-process (no broker to watch)."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL.startswith("redis"):
        return None
    import redis

    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )


def _beat(key: str) -> None:
    client = redis_client()
    if client is not None:
        client.set(PREFIX + key, f"{time.time():.3f}", ex=24 * 3600)


def ages() -> dict[str, float | None]:
    """Seconds since the freshest worker heartbeat and since beat last sent a task."""
    client = redis_client()
    if client is None:
        return {}
    now = time.time()
    workers = list(client.scan_iter(PREFIX + "worker:*", count=100))
    stamps = [float(v) for v in client.mget(workers) if v] if workers else []
    beat = client.get(PREFIX + "beat")
    return {
        "worker": now - max(stamps) if stamps else None,
        "beat": now - float(beat) if beat else None,
    }


def queue_length() -> int | None:
    from django.conf import settings

    client = redis_client()
    if client is None:
        return None
    return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))


def last_scan() -> float | None:
    client = redis_client()
    value = client.get(PREFIX + "scan") if client is not None else None
    return float(value) if value else None


@signals.worker_ready.connect
def _start_worker_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    name = f"worker:{getattr(sender, 'hostname', None) or socket.gethostname()}"

    def loop() -> None:
        while True:
            try:
                _beat(name)
            except Exception as error:  # Redis restarting: the next beat will do
                log.warning("worker heartbeat not written: %r", error)
            time.sleep(HEARTBEAT_SECONDS)

    threading.Thread(target=loop, name="isova-heartbeat", daemon=True).start()


@signals.worker_shutdown.connect
def _forget_worker(sender: Any = None, **kwargs: Any) -> None:
    client = redis_client()
    if client is not None and sender is not None:
        try:
            client.delete(f"{PREFIX}worker:{sender.hostname}")
        except Exception:
            log.warning("could not remove this worker's heartbeat")


@signals.beat_init.connect
def _in_beat_process(sender: Any = None, **kwargs: Any) -> None:
    global _in_beat
    _in_beat = True
    try:
        _beat("beat")  # started: fresh until its first task (a minute later) keeps it so
    except Exception as error:
        log.warning("beat heartbeat not written: %r", error)


@signals.before_task_publish.connect
def _beat_sent_a_task(sender: Any = None, **kwargs: Any) -> None:
    if _in_beat:
        try:
            _beat("beat")
        except Exception as error:
            log.warning("beat heartbeat not written: %r", error)


@signals.task_prerun.connect
def _scan_started(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    if getattr(task, "name", "") == "isova.tasks.scan_alerts":
        _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _scan_finished(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        try:
            client = redis_client()
            if client is not None:
                client.set(PREFIX + "scan", f"{time.monotonic() - started:.3f}")
        except Exception as error:
            log.warning("scan duration not recorded: %r", error)


@shared_task(name="isova.ops.heartbeat.beat_tick")
def beat_tick() -> None:
    """Sent by beat every minute only so that beat's heartbeat stays fresh; nothing to do."""
