"""In-process rate limits: a sliding one-minute window per client key.

One process serves one store, so an in-memory limiter is enough; behind several workers each
worker limits on its own (documented in docs/api.md). Thread-safe: FastAPI runs sync routes in a
thread pool.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from shopops.errors import RateLimitError


class RateLimiter:
    def __init__(self, limit: int, window_s: float = 60.0, *, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, what: str = "requests") -> None:
        """Count one request for ``key``; raise :class:`RateLimitError` when over the limit.
        A limit of 0 turns limiting off."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, math.ceil(hits[0] + self.window_s - now))
                raise RateLimitError(
                    f"too many {what}: the limit is {self.limit} per {int(self.window_s)} s",
                    retry_after=retry,
                    hint=f"wait {retry} s and try again",
                )
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
                    del self._hits[stale]
