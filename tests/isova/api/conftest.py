"""API fixtures: tokens made through the service, a client that sends one."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from isova.api import services
from isova.api.models import Scope
from isova.models import Organisation, User
from tests.conftest import membership_of
from tests.isova.test_notifications import celery_worker  # noqa: F401  (a fixture)


def token_for(
    user: User, organisation: Organisation, scope: str = Scope.READ_WRITE, **kwargs: Any
) -> str:
    kwargs.setdefault("expires_in_days", 30)
    _, secret = services.token_create(
        membership=membership_of(user, organisation), name="test", scope=scope, **kwargs
    )
    return secret


class Api:
    """A client that sends `Authorization: Bearer <secret>` and JSON bodies."""

    def __init__(self, secret: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params)

    def post(self, url: str, data: Any = None, **headers: str) -> Any:
        body = data if isinstance(data, str | bytes) else json.dumps(data or {})
        return self.client.post(url, body, content_type="application/json", headers=headers)


def api_as(user: User, organisation: Organisation, scope: str = Scope.READ_WRITE) -> Api:
    return Api(token_for(user, organisation, scope))
