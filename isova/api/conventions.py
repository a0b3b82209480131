"""The API's conventions: problem-details errors, cursor pages, ETags, limits, body size."""

from __future__ import annotations

import datetime
import io
import json
import math
import operator
import time
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from decimal import Decimal
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
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
    """Cursor pages over a unique order: the list's ordering (its `ordering` parameter, see
    isova.api.base.ListOrdering), then the primary key. The cursor holds the last row's value
    of every key, so rows added meanwhile neither repeat nor skip a row (keyset paging, empty
    values last going up and first going down, as PostgreSQL sorts them), and no COUNT runs
    however large the table."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "Invalid cursor: follow the `next` or `previous` link as given."

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.names = self._ordering(request, queryset, view)
        self.keys = [(name.lstrip("-"), name.startswith("-")) for name in self.names]
        self.fields = [_output_field(queryset, name) for name, _ in self.keys]
        nullable = [
            name in queryset.query.annotations or f.null
            for (name, _), f in zip(self.keys, self.fields, strict=True)
        ]
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        walk = [(name, desc != reverse) for name, desc in self.keys]
        queryset = queryset.order_by(*[_order(name, desc) for name, desc in walk])
        if self.cursor is not None:
            queryset = queryset.filter(_after(walk, nullable, self.cursor.position))
        rows = list(queryset[: self.page_size + 1])
        self.page = rows[: self.page_size]
        more = len(rows) > self.page_size
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, self.cursor is not None
        return self.page

    def _ordering(self, request: Request, queryset: Any, view: Any) -> list[str]:
        """The view's ordering (an ordering filter's `get_ordering`, as DRF's), ended by the
        primary key so the order is unique."""
        names: list[str] = [self.ordering]
        for backend in getattr(view, "filter_backends", []):
            if hasattr(backend, "get_ordering"):
                names = list(backend().get_ordering(request, queryset, view) or names)
                break
        pk = queryset.model._meta.pk.name
        if not any(name.lstrip("-") in ("pk", pk) for name in names):
            names.append("pk")
        return names

    def decode_cursor(self, request: Request) -> Any:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            data = json.loads(urlsafe_b64decode(encoded.encode("ascii") + b"=="))
            if data["o"] != self.names or len(data["v"]) != len(self.keys):
                raise exceptions.ValidationError(
                    {"cursor": ["This cursor is for another ordering: start again without it."]}
                )
            values = [
                None if value is None else field.to_python(value)
                for field, value in zip(self.fields, data["v"], strict=True)
            ]
            return Cursor(offset=0, reverse=bool(data["r"]), position=values)
        except (ValueError, TypeError, KeyError, DjangoValidationError, UnicodeError):
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]}) from None

    def _link(self, row: Any, reverse: bool) -> str:
        values = [_jsonable(_value_of(row, name)) for name, _ in self.keys]
        data = json.dumps({"o": self.names, "r": reverse, "v": values}, separators=(",", ":"))
        encoded = urlsafe_b64encode(data.encode()).decode("ascii").rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if not self.page:  # went back past the first row: start again
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.page:
            return None
        return self._link(self.page[0], reverse=True)


def _output_field(queryset: Any, name: str) -> Any:
    """The model field or annotation `name` orders by (its to_python reads a cursor)."""
    if name == "pk":
        return queryset.model._meta.pk
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.get_field(name)


def _order(name: str, desc: bool) -> Any:
    """Empty values last going up, first going down: PostgreSQL's own default, said aloud
    because `_after` depends on it."""
    return F(name).desc(nulls_first=True) if desc else F(name).asc(nulls_last=True)


def _after(keys: list[tuple[str, bool]], nullable: list[bool], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order `keys` (name, descending): the first key
    further on, or equal on it and the second further on, and so on."""
    steps: list[Q] = []
    equal = Q()
    for (name, desc), can_be_empty, value in zip(keys, nullable, values, strict=True):
        if value is None:  # empty: only non-empty values follow, and only going down
            step = Q(**{f"{name}__isnull": False}) if desc else None
            same = Q(**{f"{name}__isnull": True})
        else:
            step = Q(**{f"{name}__lt" if desc else f"{name}__gt": value})
            if not desc and can_be_empty:
                step |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        if step is not None:
            steps.append(equal & step)
        equal &= same
    return reduce(operator.or_, steps) if steps else Q(pk__in=[])


def _value_of(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _jsonable(value: Any) -> Any:
    """A cursor value as JSON, exactly (dates and times in full ISO form, decimals as text)."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


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
