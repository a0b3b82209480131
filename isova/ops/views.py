"""/healthz, /readyz, /metrics, and the 503 page for a dependency that is down."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import sys
import time
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import heartbeat, metrics

log = logging.getLogger(__name__)
_migrated = False  # once every migration is applied it stays so for this process's code


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (for a load balancer or a container health check)."""
    return JsonResponse({"status": "ok"})


def _check(checks: dict[str, dict[str, Any]], name: str, probe: Any) -> None:
    started = time.perf_counter()
    try:
        result = probe()
    except Exception as error:
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    checks[name] = result


def _database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _migrations() -> dict[str, Any]:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"ok": False, "unapplied": len(plan)}
        _migrated = True
    return {"ok": True}


def _redis() -> dict[str, Any]:
    client = heartbeat.redis_client()
    if client is None:
        return {"ok": True, "detail": "no broker: tasks run in-process"}
    client.ping()
    return {"ok": True}


def _age_check(name: str, limit: int) -> Any:
    def probe() -> dict[str, Any]:
        if heartbeat.redis_client() is None:
            return {"ok": True, "detail": "no broker: tasks run in-process"}
        age = heartbeat.ages()[name]
        if age is None:
            return {"ok": False, "detail": f"no {name} heartbeat yet"}
        return {"ok": age <= limit, "age_seconds": round(age, 1), "limit_seconds": limit}

    return probe


def _notifications() -> dict[str, Any]:
    from isova.notifications.models import Notification

    oldest = Notification.objects.filter(status="pending").aggregate(m=Min("created_at"))["m"]
    age = max(0.0, time.time() - oldest.timestamp()) if oldest else 0.0
    limit = settings.HEALTH_PENDING_MAX_AGE
    return {"ok": age <= limit, "oldest_pending_seconds": round(age, 1), "limit_seconds": limit}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Every dependency and background process, each with its verdict: 200 if all are fine,
    503 otherwise (for monitoring; load balancers should probe /healthz)."""
    checks: dict[str, dict[str, Any]] = {}
    _check(checks, "database", _database)
    database_up = checks["database"]["ok"]
    if database_up:
        _check(checks, "migrations", _migrations)
    _check(checks, "redis", _redis)
    if checks["redis"]["ok"]:
        _check(checks, "worker", _age_check("worker", settings.HEALTH_WORKER_MAX_AGE))
        _check(checks, "beat", _age_check("beat", settings.HEALTH_BEAT_MAX_AGE))
    if database_up:
        _check(checks, "notifications", _notifications)
    ok = all(check["ok"] for check in checks.values()) and len(checks) == 6
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for METRICS_TOKEN bearers or METRICS_ALLOWED_NETWORKS."""
    if not _metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4")


# Raised while PostgreSQL (or the pooler) is unreachable or drops our connection, or Redis is.
# A connection terminated under PgBouncer can also surface as an InternalError ("received 2
# results from command 'BEGIN'"); a failed transaction (also InternalError) is our bug.
def _dependency_down(error: BaseException | None) -> bool:
    from django.db import InterfaceError, InternalError, OperationalError

    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, InternalError):
        import psycopg

        return not isinstance(error.__cause__, psycopg.errors.InFailedSqlTransaction)
    try:
        import redis
    except ImportError:  # pragma: no cover - redis comes with celery[redis]
        return False
    return isinstance(error, redis.ConnectionError | redis.TimeoutError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a dependency that is down is a 503 with Retry-After (try again shortly),
    anything else the usual 500 page."""
    error = sys.exc_info()[1]
    if _dependency_down(error):
        log.warning("dependency down: %r", error)
        body = render_to_string("503.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
