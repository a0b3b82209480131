"""What apps add to the API and to webhooks, through isova's one registry.

- in an app's `api.py`: `register_resource(prefix, viewset, basename)`, a resource under
  /api/v1/<prefix>/ (the "api" hook);
- in its `webhooks.py`: `register_event(name, description)`, an event leaders may subscribe
  to (the "webhooks" hook); `isova.api.webhooks.emit(organisation, name, data)` sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from isova.registry import registry


@dataclass(frozen=True)
class Resource:
    prefix: str
    viewset: Any
    basename: str


def register_resource(prefix: str, viewset: Any, basename: str) -> None:
    registry.register("api", Resource(prefix, viewset, basename), name=basename)


def resources() -> list[Resource]:
    return sorted(registry.contributions("api"), key=lambda r: r.prefix)


def register_event(name: str, description: str) -> None:
    registry.register("webhooks", description, name=name)


def events() -> dict[str, str]:
    return dict(sorted(registry.named_contributions("webhooks").items()))
