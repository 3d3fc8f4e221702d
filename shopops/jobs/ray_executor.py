"""RayExecutor: runs a job's items as Ray tasks, on a cluster or a local Ray instance.

Checkpointing stays where it always is, in the driver's runner (:func:`shopops.jobs.run_job`):
the executor submits one task per key, keeps a bounded number in flight, and yields each
:class:`~shopops.jobs.executors.ItemOutcome` as ``ray.wait`` reports it, so the driver commits it
at once. A killed driver loses only the tasks in flight.

What travels to the workers is a :class:`PortableWork`: the settings, the job kind and its params
— never a database connection or a model handle. Each worker process builds its own
:class:`~shopops.context.AppContext` from the settings the first time it sees them (and keeps it,
so a local model loads once per worker), then rebuilds the work with the job kind's factory from
:mod:`shopops.jobs.registry`. Workers therefore need shopops installed, the job kind importable
(a built-in kind, or a module listed in ``BUILTIN_KINDS``), and the database reachable by its URL
(a PostgreSQL server for a cluster; a SQLite file works for a single machine).

``settings.ray_address`` (``SHOPOPS_RAY_ADDRESS``) names the cluster (``ray://host:10001`` or
``auto``); ``local`` or unset starts a local instance for this process.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from shopops.config import Settings
from shopops.errors import ConfigError, JobError
from shopops.jobs.executors import ItemOutcome, WorkFn, run_one

if TYPE_CHECKING:
    from shopops.context import AppContext

LOCAL_ADDRESSES = ("", "local")


@dataclass(frozen=True)
class PortableWork:
    """A job's work as plain data: ``(settings, kind, params)``; calling it runs one key.

    Picklable, so it can be shipped to another process; the context and the work function are
    built in the process that calls it, once per distinct ``(settings, kind, params)``.
    """

    settings: Settings
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def cache_key(self) -> str:
        values = {
            name: value.get_secret_value() if isinstance(value, SecretStr) else value
            for name, value in self.settings
        }
        canonical = json.dumps([values, self.kind, self.params], sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def __call__(self, key: str) -> dict[str, Any]:
        return _built(self)(key)


_built_lock = threading.Lock()
_built_work: dict[str, tuple[AppContext, WorkFn]] = {}


def _built(work: PortableWork) -> WorkFn:
    """The work function for ``work`` in this process, building its context on first use."""
    cache_key = work.cache_key()
    with _built_lock:
        entry = _built_work.get(cache_key)
        if entry is None:
            from shopops.context import AppContext
            from shopops.jobs.registry import get_job_kind

            ctx = AppContext(work.settings)
            entry = (ctx, get_job_kind(work.kind).factory(ctx, work.params))
            _built_work[cache_key] = entry
    return entry[1]


def close_built_contexts() -> None:
    """Close every context this process built for portable work (tests; worker shutdown)."""
    with _built_lock:
        entries = list(_built_work.values())
        _built_work.clear()
    for ctx, _ in entries:
        ctx.close()


def _run_task(work: PortableWork, key: str) -> ItemOutcome:
    """The Ray task body: one key, the work's exceptions turned into the item's error."""
    return run_one(work, key)


class RayExecutor:
    """Submits each key as a Ray task; yields outcomes in completion order.

    ``address``: a Ray address, or ``local``/``None`` for a local instance (started here with
    ``num_cpus`` CPUs unless Ray is already initialised in this process). ``max_in_flight`` bounds
    the tasks submitted and not yet reported (default: twice the cluster's CPUs), which is also
    what a killed driver can lose. ``shutdown`` stops a local instance this executor started when
    :meth:`map` ends.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: int | None = None,
        max_in_flight: int | None = None,
        task_cpus: float = 1.0,
        shutdown: bool = True,
    ) -> None:
        self.address = (address or "").strip()
        self.num_cpus = num_cpus
        self.max_in_flight = max_in_flight
        self.task_cpus = task_cpus
        self.shutdown = shutdown

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> RayExecutor:
        return cls(settings.ray_address, **options)

    def _connect(self) -> tuple[Any, bool]:
        """Ray, initialised; and whether this call started it."""
        try:
            import ray
        except ImportError as exc:
            raise ConfigError(
                "the Ray executor needs the 'ray' package",
                hint="pip install 'shopops[ray]' (or pip install ray)",
            ) from exc
        if ray.is_initialized():
            return ray, False
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if self.address in LOCAL_ADDRESSES:
            options["num_cpus"] = self.num_cpus or os.cpu_count() or 1
        else:
            options["address"] = self.address
        try:
            ray.init(**options)
        except Exception as exc:  # ConnectionError, RuntimeError...: Ray has no error tree of its own
            where = "a local Ray instance" if self.address in LOCAL_ADDRESSES else self.address
            raise JobError(
                f"could not connect to {where}: {exc}",
                hint="check SHOPOPS_RAY_ADDRESS (ray://host:10001, auto, or local) and that the "
                "cluster is up (`ray status`)",
            ) from exc
        return ray, True

    def map(self, work: WorkFn, keys: Iterable[str]) -> Iterator[ItemOutcome]:
        if not isinstance(work, PortableWork):
            raise JobError(
                "the Ray executor runs PortableWork only (settings, job kind, params)",
                hint="build the work with PortableWork(settings, kind, params); closures over a "
                "context would ship database connections and model handles to the workers",
            )
        ray, started = self._connect()
        try:
            yield from self._run(ray, work, iter(keys))
        finally:
            if started and self.shutdown:
                ray.shutdown()

    def _run(self, ray: Any, work: PortableWork, pending: Iterator[str]) -> Iterator[ItemOutcome]:
        from ray.exceptions import ObjectLostError, TaskCancelledError, WorkerCrashedError

        task = ray.remote(num_cpus=self.task_cpus, max_retries=0)(_run_task)
        limit = self.max_in_flight or max(1, 2 * int(ray.cluster_resources().get("CPU", 1)))
        work_ref = ray.put(work)  # shipped once, not once per task
        keys_of: dict[Any, str] = {}

        def submit() -> bool:
            key = next(pending, None)
            if key is None:
                return False
            keys_of[task.remote(work_ref, key)] = key
            return True

        try:
            while len(keys_of) < limit and submit():
                pass
            while keys_of:
                ready, _ = ray.wait(list(keys_of), num_returns=1)
                for ref in ready:
                    key = keys_of.pop(ref)
                    try:
                        outcome = ray.get(ref)
                    except (WorkerCrashedError, ObjectLostError, TaskCancelledError) as exc:
                        # one item's worker died (out of memory, say): that item fails, the job goes on
                        outcome = ItemOutcome(key, error=f"Ray worker lost: {type(exc).__name__}: {exc}")
                    yield outcome
                    submit()
        finally:
            for ref in keys_of:  # Ctrl-C or a closed generator: stop what has not finished
                try:
                    ray.cancel(ref)
                except Exception:  # already finished or gone; nothing to stop
                    continue
