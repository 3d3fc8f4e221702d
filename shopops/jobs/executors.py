"""Executors: where a job's items run. The runner owns checkpointing; an executor only runs work.

The seam is one method, :meth:`Executor.map`: given the work function and the keys still to do,
yield one :class:`ItemOutcome` per key *as each finishes* (any order). The runner commits every
outcome the moment it arrives, so whatever an executor has yielded survives a crash.

Rules an executor follows:

* an ``Exception`` raised by ``work`` for one key is that item's failure: catch it and yield an
  outcome with ``error`` set, then go on with the next key;
* anything else (``KeyboardInterrupt``, ``SystemExit``, a lost cluster) propagates out of ``map``;
  the runner marks the job interrupted and the unfinished items stay pending for a resume;
* ``work`` returns a JSON-serialisable ``dict``; anything else is reported as that item's error.

:class:`LocalExecutor` runs items one after another in this process. A distributed executor (Ray)
submits ``work`` per key to workers and yields outcomes in completion order (``ray.wait``); it needs
``work`` to be picklable, which the job-kind factories in :mod:`shopops.jobs.registry` can provide
by rebuilding the work on each worker from ``(kind, params)``.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

WorkFn = Callable[[str], dict[str, Any]]
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one key: a result dict, or an error message (never both)."""

    key: str
    result: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@runtime_checkable
class Executor(Protocol):
    name: str

    def map(self, work: WorkFn, keys: Iterable[str]) -> Iterator[ItemOutcome]:
        """Run ``work`` on every key; yield each outcome as soon as it is known."""
        ...


def run_one(work: WorkFn, key: str) -> ItemOutcome:
    """Run ``work(key)`` and turn its return value or ``Exception`` into an :class:`ItemOutcome`.

    Shared by executors so every one reports failures the same way. ``BaseException`` that is not
    an ``Exception`` (Ctrl-C, exit) is deliberately not caught.
    """
    started = time.perf_counter()
    try:
        result = work(key)
        checked = _as_json_dict(result)
    except Exception as exc:
        return ItemOutcome(key, error=_describe(exc), seconds=time.perf_counter() - started)
    return ItemOutcome(key, result=checked, seconds=time.perf_counter() - started)


def _as_json_dict(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise TypeError(f"work returned {type(result).__name__}; a job item's result must be a dict")
    # Round-trip so what is stored is exactly what a later reader gets back (and fails here if not).
    return json.loads(json.dumps(result, allow_nan=False))


def _describe(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {last.filename}:{last.lineno} in {last.name})"
    return text[:MAX_ERROR_CHARS]


class LocalExecutor:
    """Runs items sequentially in this process: the default, and what tests use."""

    name = "local"

    def map(self, work: WorkFn, keys: Iterable[str]) -> Iterator[ItemOutcome]:
        for key in keys:
            yield run_one(work, key)
