"""A short-lived, in-process cache of credential → Principal lookups.

Every API request proves who it is; without a cache that is a database round trip per request
(about half a millisecond on SQLite, more over a network to PostgreSQL). Entries live ``TTL_S``
seconds. Any change to accounts, keys or sessions made *in this process* clears the whole cache at
once; a change made by another process (another server worker, the CLI) takes effect within
``TTL_S`` seconds — so a disabled account or a revoked key stops working everywhere within 5 s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

TTL_S = 5.0
MAX_ENTRIES = 10_000
T = TypeVar("T")

_entries: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def cached(key: str, load: Callable[[], T]) -> T:
    """The value for ``key``, loading (and keeping) it when absent or older than ``TTL_S``.
    Errors from ``load`` are not cached: a wrong key is checked against the store every time."""
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and now - hit[0] < TTL_S:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now, value)
    return value


def invalidate() -> None:
    """Forget every cached credential (after an account, key or session changes)."""
    with _lock:
        _entries.clear()
