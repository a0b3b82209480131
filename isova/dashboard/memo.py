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
from typing import Any, TypeVar

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
