"""What apps add to the API and to webhooks, from their `api.py` and `webhooks.py`.

- `register_resource(prefix, viewset, basename)`: a resource under /api/v1/<prefix>/;
- `register_event(name, description)`: a webhook event leaders may subscribe to;
  `isova.api.webhooks.emit(organisation, name, data)` sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    prefix: str
    viewset: Any
    basename: str


_resources: dict[str, Resource] = {}
_events: dict[str, str] = {}


def register_resource(prefix: str, viewset: Any, basename: str) -> None:
    if basename in _resources:
        raise ValueError(f"API resource {basename!r} is registered twice")
    _resources[basename] = Resource(prefix, viewset, basename)


def resources() -> list[Resource]:
    return sorted(_resources.values(), key=lambda r: r.prefix)


def register_event(name: str, description: str) -> None:
    if name in _events:
        raise ValueError(f"webhook event {name!r} is registered twice")
    _events[name] = description


def events() -> dict[str, str]:
    return dict(sorted(_events.items()))
