"""Prometheus metrics (prometheus-client).

Request latency is measured in each web process; with several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR (an empty directory per host) so /metrics adds them up. The queue,
notification and scan figures are read when scraped, from Redis and PostgreSQL, so every web
process answers the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from django.db.models import Count, Min
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

REQUEST_SECONDS = Histogram(
    "isova_request_duration_seconds",
    "Time to answer a request, by view",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(view=view, method=method, status=f"{status // 100}xx").observe(seconds)


class StackCollector(Collector):
    """Figures about the whole installation, read at scrape time."""

    def collect(self) -> Iterator[Metric]:
        from isova.notifications.models import Notification

        from . import heartbeat

        by_status = GaugeMetricFamily(
            "isova_notifications", "Notifications by delivery status", labels=["status"]
        )
        counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in ("pending", "sent", "failed", "digest", "in_app"):
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        oldest = Notification.objects.filter(status="pending").aggregate(m=Min("created_at"))["m"]
        yield GaugeMetricFamily(
            "isova_notification_oldest_pending_seconds",
            "Age of the oldest notification not yet e-mailed (0 when none)",
            value=max(0.0, time.time() - oldest.timestamp()) if oldest else 0.0,
        )
        queue = heartbeat.queue_length()
        if queue is not None:
            yield GaugeMetricFamily(
                "isova_celery_queue_length", "Tasks waiting in the Celery queue", value=queue
            )
        scan = heartbeat.last_scan()
        if scan is not None:
            yield GaugeMetricFamily(
                "isova_alert_scan_duration_seconds", "Duration of the last alert scan", value=scan
            )


def exposition() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    data = generate_latest(registry)
    stack = CollectorRegistry()
    stack.register(StackCollector())
    return data + generate_latest(stack)
