"""/healthz, /readyz and /metrics against the real PostgreSQL and Redis; the JSON request log;
a database that is down answers 503."""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import time

import pytest
import redis
from django.db import connections
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from isova.models import Notification
from isova.ops import heartbeat
from isova.ops.logs import JsonFormatter
from tests.conftest import client_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def broker(settings):
    """Celery configured for the test Redis (as in production), its health keys cleared."""
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(heartbeat.PREFIX + "*"):
        client.delete(key)
    yield client
    for key in client.scan_iter(heartbeat.PREFIX + "*"):
        client.delete(key)


def fresh(client: redis.Redis, key: str, age: float = 0) -> None:
    client.set(heartbeat.PREFIX + key, str(time.time() - age))


@pytest.mark.django_db
def test_healthz_answers_without_touching_anything(client, django_assert_num_queries, settings):
    # Before host validation and the HTTPS redirect: a container probe on 127.0.0.1 works.
    settings.ALLOWED_HOSTS = ["isova.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_without_a_broker_checks_the_database_and_migrations(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert "in-process" in body["checks"]["worker"]["detail"]


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_is_ready_with_fresh_heartbeats(client, broker):
    fresh(broker, "worker:w1@host", age=5)
    fresh(broker, "beat", age=30)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database",
        "migrations",
        "redis",
        "worker",
        "beat",
        "notifications",
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_turns_unhealthy_when_the_worker_stops(client, broker, settings):
    fresh(broker, "beat")
    fresh(broker, "worker:dead@host", age=settings.HEALTH_WORKER_MAX_AGE + 5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["beat"]["ok"] is True
    broker.delete(heartbeat.PREFIX + "worker:dead@host")
    assert client.get("/readyz").json()["checks"]["worker"]["detail"] == "no worker heartbeat yet"


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_turns_unhealthy_when_redis_is_down(client, broker, settings):
    fresh(broker, "worker:w1@host")
    fresh(broker, "beat")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9899/0"  # nothing listens there
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.redis
def test_readyz_reports_the_oldest_undelivered_notification(client, broker, org, settings):
    fresh(broker, "worker:w1@host")
    fresh(broker, "beat")
    note = Notification.objects.create(
        organisation=org.organisation,
        recipient=org.staff,
        kind="action_overdue",
        key="a1",
        day=timezone.localdate(),
        subject="s",
        body="b",
        status="pending",
    )
    assert client.get("/readyz").status_code == 200
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.HEALTH_PENDING_MAX_AGE + 60)
    )
    response = client.get("/readyz")
    check = response.json()["checks"]["notifications"]
    assert response.status_code == 503
    assert (
        check["ok"] is False and check["oldest_pending_seconds"] > settings.HEALTH_PENDING_MAX_AGE
    )


@pytest.mark.django_db
def test_metrics_by_view_and_notifications_for_loopback_only(org, settings):
    leader = client_for(org.leader)
    assert leader.get("/dashboard/").status_code == 200
    scrape = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert scrape.status_code == 200
    text = scrape.content.decode()
    assert 'isova_request_duration_seconds_count{method="GET",status="2xx",view="dashboard"}' in (
        text
    )
    assert 'isova_notifications{status="pending"}' in text
    assert "isova_notification_oldest_pending_seconds" in text
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403


@pytest.mark.django_db
def test_metrics_with_a_token_need_it_from_anywhere(settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    ok = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200


@pytest.mark.redis
@pytest.mark.django_db
def test_metrics_show_the_queue_and_the_last_scan(broker):
    broker.set(heartbeat.PREFIX + "scan", "1.25")
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert "isova_alert_scan_duration_seconds 1.25" in text
    assert "isova_celery_queue_length" in text


def test_one_json_line_per_request_with_request_id_and_organisation(org):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("isova.request")
    logger.addHandler(handler)
    try:
        response = client_for(org.leader).get("/actions/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert response["X-Request-ID"] == "req-42"
    assert line["request_id"] == "req-42"
    assert line["organisation"] == org.organisation.pk
    assert (line["status"], line["view"], line["method"]) == (200, "action_list", "GET")
    assert line["user"] == org.leader.pk and line["duration_ms"] > 0


@pytest.mark.django_db
def test_a_request_id_from_outside_that_is_not_an_id_is_replaced(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>\n")
    assert response["X-Request-ID"] != "<script>\n" and len(response["X-Request-ID"]) == 32


def _database_down(request):
    connection = connections["default"]
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "9897"  # nothing listens there
    try:
        connection.ensure_connection()
    finally:
        connection.settings_dict["PORT"] = port
    return HttpResponse("unreachable")


def _bug(request):
    raise ValueError("a bug, not an outage")


urlpatterns = [path("down/", _database_down), path("bug/", _bug)]
handler500 = "isova.ops.views.server_error"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_down_answers_a_clean_503_and_a_bug_a_500(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    down = client.get("/down/")
    assert down.status_code == 503
    assert down["Retry-After"] == "5"
    assert "back in a moment" in down.content.decode()
    assert client.get("/bug/").status_code == 500
