"""Admission control for model work: a bounded number of drafts in progress, the rest told to retry.

A local model serves one generation at a time (or a few slots); requests beyond that would only
queue inside the server, each waiting longer than the one before. Instead, once ``limit`` drafts are
in progress a request is answered at once with 503 and a ``Retry-After`` estimated from recent
draft times, so a helpdesk backs off and retries. Per process, like the rate limits.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from shopops.context import AppContext
from shopops.errors import OverloadedError

_BY_CONTEXT: weakref.WeakKeyDictionary[AppContext, Admission] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


class Admission:
    def __init__(self, limit: int, *, initial_seconds: float = 5.0) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.in_flight = 0
        self._lock = threading.Lock()
        self._average = initial_seconds  # exponentially weighted seconds per draft

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: one average draft time, at least 1."""
        return max(1, math.ceil(self._average))

    @contextmanager
    def slot(self, what: str = "draft") -> Iterator[None]:
        with self._lock:
            if self.in_flight >= self.limit:
                wait = self.retry_after()
                raise OverloadedError(
                    f"{self.in_flight} {what}s are in progress (the limit is {self.limit}); "
                    f"retry in {wait} s",
                    retry_after=wait,
                    hint="raise SHOPOPS_SUPPORT_MAX_CONCURRENT if the model server has spare capacity",
                )
            self.in_flight += 1
        started = time.monotonic()
        try:
            yield
        finally:
            elapsed = time.monotonic() - started
            with self._lock:
                self.in_flight -= 1
                self._average = 0.8 * self._average + 0.2 * elapsed


def admission_for(ctx: AppContext) -> Admission:
    """The admission gate of this application context (created with the configured limit)."""
    with _REGISTRY_LOCK:
        gate = _BY_CONTEXT.get(ctx)
        if gate is None:
            gate = _BY_CONTEXT[ctx] = Admission(ctx.settings.support_max_concurrent)
        return gate
