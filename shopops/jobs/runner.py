"""The resumable batch runner.

A job is a name, a kind, its params and one item per key, all stored (``jobs``/``job_items``).
:func:`run_job` creates the job or picks it up where it stopped:

* each item's outcome is committed in its own small transaction the moment it is known, so a
  crash, ``kill -9`` or Ctrl-C loses at most the items in flight;
* items already done are never redone; failed items are retried on a later run until they have
  had ``max_attempts`` attempts; keys added since the last run are picked up;
* running an existing name with different params (or kind) is refused, because its finished items
  were computed under the old ones: choose a new name, or pass ``restart=True`` (``--restart``).

Where items run is an :class:`~shopops.jobs.executors.Executor`'s business; checkpointing stays here.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from shopops.errors import JobError
from shopops.jobs.executors import Executor, ItemOutcome, LocalExecutor, WorkFn
from shopops.jobs.status import item_counts
from shopops.store.db import Database
from shopops.store.models import Job, JobItem, utcnow

MAX_KEY_LENGTH = 200  # job_items.key
DEFAULT_MAX_ATTEMPTS = 3
ERRORS_KEPT = 20


@dataclass
class JobSummary:
    """What one call of :func:`run_job` did, and where the job stands now."""

    name: str
    kind: str
    status: str
    total: int
    done: int
    failed: int
    pending: int
    processed: int = 0  # items that finished (done or failed) during this call
    skipped: int = 0  # items already done before this call
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (key, error) from this call


def normalise_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Params as they will read back from the store (JSON), so comparisons are like for like."""
    try:
        return json.loads(json.dumps(params or {}, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise JobError(
            f"job params must be JSON values: {exc}", hint="pass strings, numbers, booleans, lists, dicts"
        ) from exc


def _unique_keys(keys: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for key in keys:
        if not isinstance(key, str) or not key:
            raise JobError(f"job keys must be non-empty strings, got {key!r}")
        if len(key) > MAX_KEY_LENGTH:
            raise JobError(
                f"job key {key[:40]!r}... is {len(key)} characters; the limit is {MAX_KEY_LENGTH}",
                hint="use a short id (a handle, a number, a hash) as the key",
            )
        seen.setdefault(key, None)
    return list(seen)


def _prepare(
    db: Database,
    name: str,
    kind: str,
    keys: list[str],
    params: dict[str, Any],
    *,
    restart: bool,
    max_attempts: int,
) -> tuple[int, list[str], int]:
    """Create or check the job, add new keys, mark it running. Returns (job id, keys to run, done)."""
    try:
        with db.session() as session:
            job = session.scalar(select(Job).where(Job.name == name))
            if job is None:
                job = Job(name=name, kind=kind, params=params, status="pending")
                session.add(job)
                session.flush()
            elif restart:
                session.execute(delete(JobItem).where(JobItem.job_id == job.id))
                job.kind, job.params = kind, params
            else:
                _check_same(job, kind, params)
            known = set(session.scalars(select(JobItem.key).where(JobItem.job_id == job.id)))
            new = [{"job_id": job.id, "key": key} for key in keys if key not in known]
            if new:
                session.execute(insert(JobItem), new)
            todo = list(
                session.scalars(
                    select(JobItem.key)
                    .where(JobItem.job_id == job.id)
                    .where(JobItem.status != "done")
                    .where(JobItem.attempts < max_attempts)
                    .order_by(JobItem.id)
                )
            )
            counts = item_counts(session, job.id)
            job.total = sum(counts.values())
            job.status, job.error = "running", ""
            return job.id, todo, counts["done"]
    except IntegrityError as exc:
        raise JobError(
            f"job {name!r} was created by another process at the same moment",
            hint="run one copy of a job at a time; run the command again to resume it",
        ) from exc


def _check_same(job: Job, kind: str, params: dict[str, Any]) -> None:
    if job.kind != kind:
        raise JobError(
            f"job {job.name!r} exists with kind {job.kind!r}, not {kind!r}",
            hint="choose another job name",
        )
    stored = normalise_params(job.params)
    if stored != params:
        changed = sorted(k for k in set(stored) | set(params) if stored.get(k) != params.get(k))
        raise JobError(
            f"job {job.name!r} exists with different params ({', '.join(changed)}: "
            f"stored {_pick(stored, changed)}, given {_pick(params, changed)}); "
            "its finished items were computed with the stored ones",
            hint=f"use a new job name, or restart it from scratch with --restart (`shopops jobs resume "
            f"{job.name}` continues it with the stored params)",
        )


def _pick(values: dict[str, Any], names: list[str]) -> str:
    return json.dumps({name: values.get(name) for name in names}, sort_keys=True)


def _record(db: Database, job_id: int, outcome: ItemOutcome) -> None:
    """Commit one item's outcome: its own transaction, so it survives whatever happens next."""
    with db.session() as session:
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job_id, JobItem.key == outcome.key)
            .values(
                status="done" if outcome.ok else "failed",
                result=outcome.result,
                error=outcome.error or "",
                attempts=JobItem.attempts + 1,
                finished_at=utcnow(),
            )
        )


def _finish(db: Database, job_id: int, *, status: str | None = None, error: str = "") -> dict[str, int]:
    """Set the job's final status (derived from its items unless given) and return item counts."""
    with db.session() as session:
        counts = item_counts(session, job_id)
        if status is None:
            status = "done" if counts["failed"] == 0 and counts["pending"] == 0 else "failed"
            if counts["failed"]:
                first = session.execute(
                    select(JobItem.key, JobItem.error)
                    .where(JobItem.job_id == job_id, JobItem.status == "failed")
                    .order_by(JobItem.id)
                    .limit(1)
                ).one()
                error = f"{counts['failed']} item(s) failed; first: {first.key}: {first.error}"
        session.execute(
            update(Job).where(Job.id == job_id).values(status=status, error=error, total=sum(counts.values()))
        )
        return counts


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("– it/min", style="progress.data.speed")
        shown = f"{speed:.1f} it/s" if speed >= 1 else f"{60 * speed:.1f} it/min"
        return Text(shown, style="progress.data.speed")


def _progress_bar(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TextColumn("•"),
        _RateColumn(),
        TextColumn("•"),
        TimeElapsedColumn(),
        TextColumn("• ETA"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )


def run_job(
    db: Database,
    name: str,
    kind: str,
    keys: Sequence[str],
    work: WorkFn,
    *,
    params: dict[str, Any] | None = None,
    progress: bool = True,
    executor: Executor | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    restart: bool = False,
    console: Console | None = None,
) -> JobSummary:
    """Run (or resume) the job ``name``: ``work(key)`` once per key not yet done.

    ``work`` returns a JSON-serialisable dict, stored as the item's result; an ``Exception`` it
    raises fails that item only (retried on a later run, up to ``max_attempts`` attempts in all).
    ``KeyboardInterrupt`` (or any other ``BaseException``) marks the job ``interrupted`` and is
    re-raised; finished items stay finished. ``progress=False`` draws no progress bar.
    """
    if not name or len(name) > 200:
        raise JobError(f"job name must be 1-200 characters, got {name!r}")
    if max_attempts < 1:
        raise JobError(f"max_attempts must be at least 1, got {max_attempts}")
    started = time.perf_counter()
    wanted = _unique_keys(keys)
    stored_params = normalise_params(params)
    job_id, todo, done_before = _prepare(
        db, name, kind, wanted, stored_params, restart=restart, max_attempts=max_attempts
    )
    executor = executor or LocalExecutor()
    summary = JobSummary(name=name, kind=kind, status="running", total=0, done=0, failed=0, pending=0)
    summary.skipped = done_before
    bar = _progress_bar(console) if progress and todo else None
    try:
        if bar is not None:
            bar.start()
            label = name if len(name) <= 32 else name[:31] + "…"
            task = bar.add_task(label, total=done_before + len(todo), completed=done_before)
        for outcome in executor.map(work, todo):
            _record(db, job_id, outcome)
            summary.processed += 1
            if not outcome.ok and len(summary.errors) < ERRORS_KEPT:
                summary.errors.append((outcome.key, outcome.error or ""))
            if bar is not None:
                bar.advance(task)
    except BaseException as exc:
        reason = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else f"stopped: {exc!r}"
        # The store itself may be what failed; then the original error matters more than this one.
        with contextlib.suppress(Exception):
            _finish(db, job_id, status="interrupted", error=f"{reason}; resume to continue")
        raise
    finally:
        if bar is not None:
            bar.stop()
    counts = _finish(db, job_id)
    summary.done, summary.failed, summary.pending = counts["done"], counts["failed"], counts["pending"]
    summary.total = sum(counts.values())
    summary.status = "done" if summary.done == summary.total else "failed"
    summary.seconds = time.perf_counter() - started
    return summary
