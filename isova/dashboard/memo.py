"""Reads shared by the panels of one dashboard request, made once.

Several panels ask the same question of the database (the organisation's leaders, their
attendance at the last reviews, the late findings): inside `scope()` the first answer is kept
and handed to the others, so the page runs each such query once. Outside a scope nothing is
kept, so a long-lived process (a worker, a scan) never reads an old answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from isova.registry import registry

if TYPE_CHECKING:
    from isova.registry import Panel, PanelContext

T = TypeVar("T")

_store: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("isova_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Share answers between the callers of `once` until the block ends (one request)."""
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def once(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()`, or the answer it gave for the same `key` earlier in this scope."""
    store = _store.get()
    if store is None:
        return build()
    if key not in store:
        store[key] = build()
    return store[key]


def panel_data(ctx: PanelContext, name: str) -> dict[str, Any] | None:
    """What the dashboard panel `name` builds for this request (its template's context),
    built once per scope: the "At a glance" block reads its figures from the panels below,
    so both show the same numbers behind the same links and the page runs those queries
    once. None when no such panel is registered or the member does not see it."""
    panel = registry.panel(name)
    if panel is None or not panel.visible(ctx.membership):
        return None
    return build_panel(panel, ctx)


def build_panel(panel: Panel, ctx: PanelContext) -> dict[str, Any]:
    """`panel.build(ctx)`, once per scope (the dashboard builds every panel through this)."""
    return once(("panel", panel.name), lambda: panel.build(ctx))
