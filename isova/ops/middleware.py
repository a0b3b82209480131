"""The outermost middleware: a request id, one JSON log line per request, request metrics,
and the replica router's per-request state."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import metrics
from .context import RequestState, current
from .router import PIN_COOKIE, may_read_replica

log = logging.getLogger("isova.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Probes hit every few seconds: their lines would bury the requests people made.
QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}


class RequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.replica = "replica" in settings.DATABASES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            # Liveness answers before host validation and the HTTPS redirect, so a container
            # health check on http://127.0.0.1 works whatever ALLOWED_HOSTS and TLS say.
            return JsonResponse({"status": "ok"})
        given = request.headers.get("X-Request-ID", "")
        # A proxy's id is kept so one request can be followed through both logs; anything
        # else a client sends is replaced (it lands in our logs).
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        state = RequestState(request_id=request_id)
        token = current.set(state)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = request.resolver_match
            view = match.view_name if match else "unresolved"
            organisation = getattr(request, "organisation", None)
            state.organisation = getattr(organisation, "pk", None)
            metrics.observe_request(view, request.method or "", response.status_code, seconds)
            if request.path not in QUIET_PATHS or response.status_code >= 400:
                user = getattr(request, "user", None)
                log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "view": view,
                        "status": response.status_code,
                        "duration_ms": round(seconds * 1000, 1),
                        "user": getattr(user, "pk", None),
                    },
                )
            response["X-Request-ID"] = request_id
            if self.replica and state.wrote:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=settings.REPLICA_PIN_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        finally:
            current.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        state = current.get()
        if state is not None and self.replica and request.resolver_match:
            state.replica_allowed = may_read_replica(
                request.resolver_match.view_name,
                request.method or "",
                pinned=PIN_COOKIE in request.COOKIES,
            )
        return None
