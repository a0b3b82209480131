"""Per-request state shared by the middleware, the log formatter and the replica router.

A ContextVar rather than a thread-local: gunicorn's sync workers, Celery and the test client
all see exactly the request they serve.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestState:
    request_id: str = "-"
    organisation: int | None = None
    # The replica router's inputs: may this request's reads lag, and has it written yet?
    replica_allowed: bool = False
    wrote: bool = False


current: ContextVar[RequestState | None] = ContextVar("isova_request", default=None)
