"""The API's conventions: problem-details errors, cursor pages, ETags, limits, body size."""

from __future__ import annotations

import io
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import exception_handler

from isova.errors import Conflict, DomainError

PROBLEM = "application/problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: read it again (its ETag) and retry."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag you read, so no one else's change is overwritten."
    default_code = "precondition_required"


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "not_allowed_now"


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else f"{prefix}{key}"
            out += _field_errors(value, f"{name}." if name else "")
            for item in out:
                item.setdefault("field", name)
        return out
    if isinstance(detail, list):
        return [e for item in detail for e in _field_errors(item, prefix)]
    return [{"field": prefix.rstrip("."), "message": str(detail)}]


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as RFC 9457 problem details: title, status, detail and the fields at fault."""
    if isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    elif isinstance(exc, PermissionDenied):  # NotAllowed too: a DomainError that forbids
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):  # isova.errors.NotFound too: a DomainError that is a 404
        exc = exceptions.NotFound("No such object in this organisation.")
    elif isinstance(exc, DomainError):
        exc = Unprocessable(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("No such object in this organisation.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": response.status_text,
        "status": response.status_code,
    }
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "The request has invalid fields: see errors."
        body["errors"] = _field_errors(exc.detail)
    else:
        body["detail"] = str(exc.detail)
    response.data = body
    response.content_type = PROBLEM
    return response


class StablePages(CursorPagination):
    """Cursor pages over a unique order (the primary key): rows added meanwhile neither
    repeat nor skip a row, and no COUNT runs however large the table."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LimitedJSONParser(JSONParser):
    """JSON bodies up to settings.API_MAX_BODY_BYTES (the stream is read no further)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise BodyTooLarge(f"The request body is over {limit} bytes.")
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise BodyTooLarge(f"The request body is over {limit} bytes.")
        parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        if not isinstance(parsed, dict):
            raise exceptions.ParseError("Send a JSON object.")
        return parsed


class TokenRateThrottle(BaseThrottle):
    """A fixed one-minute window per token, counted in the shared cache (Redis in
    production, so every web process counts together): 429 and Retry-After past the limit."""

    def __init__(self) -> None:
        self.wait_seconds = 0

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if token is None:
            return True
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        now = time.time()
        window = int(now // 60)
        key = f"isova:api:rate:{token.pk}:{window}"
        cache = caches[settings.API_RATE_LIMIT_CACHE]
        cache.add(key, 0, timeout=70)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=70)
            used = 1
        if used > limit:
            self.wait_seconds = max(1, math.ceil((window + 1) * 60 - now))
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


def etag_of(obj: Any) -> str:
    version = getattr(obj, "version", None)
    if version is None:
        version = int(obj.updated_at.timestamp() * 1_000_000)
    return f'"{obj._meta.label_lower}-{obj.pk}-v{version}"'


def check_if_match(request: Request, obj: Any) -> int:
    """The version the client last read, from If-Match: 428 without it, 412 when stale."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise PreconditionRequired()
    current = etag_of(obj)
    tags = [tag.strip().removeprefix("W/") for tag in sent.split(",")]
    if current not in tags and "*" not in tags:
        raise PreconditionFailed()
    return obj.version


def with_etag(response: Response, obj: Any) -> Response:
    response["ETag"] = etag_of(obj)
    return response
