"""Job kinds: how to rebuild a job's work from the store alone, so any job can be resumed later.

A job records its ``kind`` and ``params``; the registry maps the kind to a :class:`JobKind`, whose
``factory(ctx, params)`` returns the work function and whose optional ``keys(ctx, params)`` lists
the keys the job should cover now (new products, say). ``shopops jobs resume NAME`` needs nothing
from the command that started the job.

Built-in kinds are named by import path and imported only when used (no work at import time);
code that defines its own kind calls :func:`register_job_kind`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console

from shopops.errors import JobError
from shopops.jobs.executors import Executor, WorkFn
from shopops.jobs.runner import DEFAULT_MAX_ATTEMPTS, JobSummary, run_job
from shopops.jobs.status import get_job, job_items

if TYPE_CHECKING:
    from shopops.context import AppContext

WorkFactory = Callable[["AppContext", dict[str, Any]], WorkFn]
KeyLister = Callable[["AppContext", dict[str, Any]], list[str]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    factory: WorkFactory
    keys: KeyLister | None = None
    description: str = ""


# kind -> "module:attribute" of a JobKind, resolved on first use.
BUILTIN_KINDS: dict[str, str] = {
    "demo.summary": "shopops.demo.run:SUMMARY_JOB",
    "copy.generate": "shopops.copy.batch:GENERATE_JOB",
}
_registered: dict[str, JobKind] = {}


def register_job_kind(job_kind: JobKind) -> JobKind:
    """Make ``job_kind`` resumable by name in this process (replaces one of the same kind)."""
    _registered[job_kind.kind] = job_kind
    return job_kind


def known_kinds() -> list[str]:
    return sorted(set(BUILTIN_KINDS) | set(_registered))


def get_job_kind(kind: str) -> JobKind:
    """The :class:`JobKind` registered for ``kind``; :class:`JobError` if none is."""
    if kind in _registered:
        return _registered[kind]
    target = BUILTIN_KINDS.get(kind)
    if target is None:
        raise JobError(
            f"no job kind {kind!r} is registered, so its work cannot be rebuilt",
            hint=f"known kinds: {', '.join(known_kinds()) or 'none'}; a job of a plugin's kind resumes "
            "from the code that registers it",
        )
    module_name, _, attribute = target.partition(":")
    job_kind = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(job_kind, JobKind) or job_kind.kind != kind:
        raise JobError(f"{target} is not the JobKind for {kind!r}")
    return register_job_kind(job_kind)


def resume_job(
    ctx: AppContext,
    name: str,
    *,
    progress: bool = True,
    executor: Executor | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    console: Console | None = None,
) -> JobSummary:
    """Continue the stored job ``name`` with its stored kind and params.

    The keys are the job's stored items plus whatever its kind lists now. Done items are skipped,
    failed ones retried while they have attempts left (raise ``max_attempts`` to allow more).
    """
    info = get_job(ctx.db, name)
    job_kind = get_job_kind(info.kind)
    keys = [item.key for item in job_items(ctx.db, name)]
    if job_kind.keys is not None:
        keys += job_kind.keys(ctx, info.params)
    work = job_kind.factory(ctx, info.params)
    return run_job(
        ctx.db,
        name,
        info.kind,
        keys,
        work,
        params=info.params,
        progress=progress,
        executor=executor,
        max_attempts=max_attempts,
        console=console,
    )
