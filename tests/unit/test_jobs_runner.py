"""The job runner on SQLite and PostgreSQL: checkpoints, resume, retries, refusals."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rich.console import Console

from shopops.errors import JobError, NotFoundError
from shopops.jobs import (
    Executor,
    ItemOutcome,
    LocalExecutor,
    WorkFn,
    get_job,
    job_items,
    list_jobs,
    run_job,
    run_one,
)
from shopops.store.db import Database

KEYS = [f"item-{i:02d}" for i in range(12)]


class SimulatedCrash(BaseException):
    """Stands in for the process dying: not an Exception, so no item-level handler catches it."""


class Recorder:
    """A work function that logs every key it processes and can crash after ``crash_after`` items."""

    def __init__(self, crash_after: int | None = None, fail: Iterable[str] = ()) -> None:
        self.processed: list[str] = []
        self.crash_after = crash_after
        self.fail = set(fail)

    def __call__(self, key: str) -> dict[str, Any]:
        if self.crash_after is not None and len(self.processed) >= self.crash_after:
            raise SimulatedCrash(f"crash before {key}")
        self.processed.append(key)
        if key in self.fail:
            raise ValueError(f"cannot process {key}")
        return {"key": key, "length": len(key)}


def test_crash_midway_then_resume_does_not_repeat_finished_items(db: Database) -> None:
    first = Recorder(crash_after=5)
    with pytest.raises(SimulatedCrash):
        run_job(db, "nightly", "test.recorder", KEYS, first, progress=False)
    crashed = get_job(db, "nightly")
    assert crashed.status == "interrupted"
    assert "resume" in crashed.error
    assert (crashed.done, crashed.pending, crashed.total) == (5, 7, 12)

    second = Recorder()
    summary = run_job(db, "nightly", "test.recorder", KEYS, second, progress=False)
    assert second.processed == KEYS[5:]
    assert sorted(first.processed + second.processed) == sorted(KEYS)
    assert (summary.status, summary.done, summary.total, summary.skipped, summary.processed) == (
        "done",
        12,
        12,
        5,
        7,
    )
    items = job_items(db, "nightly")
    assert [i.key for i in items] == KEYS
    assert all(i.status == "done" and i.attempts == 1 for i in items)
    assert items[3].result == {"key": "item-03", "length": 7}

    third = Recorder()
    again = run_job(db, "nightly", "test.recorder", KEYS, third, progress=False)
    assert third.processed == []
    assert again.status == "done" and again.processed == 0


def test_keyboard_interrupt_marks_job_interrupted_and_reraises(db: Database) -> None:
    def work(key: str) -> dict[str, Any]:
        if key == "item-02":
            raise KeyboardInterrupt
        return {}

    with pytest.raises(KeyboardInterrupt):
        run_job(db, "ctrl-c", "test.kbd", KEYS[:4], work, progress=False)
    info = get_job(db, "ctrl-c")
    assert info.status == "interrupted"
    assert "Ctrl-C" in info.error
    assert (info.done, info.pending) == (2, 2)


def test_failed_items_are_retried_up_to_max_attempts(db: Database) -> None:
    work = Recorder(fail={"item-01"})
    summary = run_job(db, "retry", "test.recorder", KEYS[:3], work, progress=False, max_attempts=2)
    assert (summary.status, summary.done, summary.failed) == ("failed", 2, 1)
    assert summary.errors[0][0] == "item-01"
    assert "ValueError: cannot process item-01" in summary.errors[0][1]
    assert "item-01" in get_job(db, "retry").error

    second = Recorder(fail={"item-01"})
    run_job(db, "retry", "test.recorder", KEYS[:3], second, progress=False, max_attempts=2)
    assert second.processed == ["item-01"]
    failed = job_items(db, "retry", status="failed")
    assert [(i.key, i.attempts) for i in failed] == [("item-01", 2)]

    exhausted = Recorder()
    third = run_job(db, "retry", "test.recorder", KEYS[:3], exhausted, progress=False, max_attempts=2)
    assert exhausted.processed == [] and third.status == "failed"

    healed = Recorder()  # a higher bound lets the item run again; now it succeeds
    fourth = run_job(db, "retry", "test.recorder", KEYS[:3], healed, progress=False, max_attempts=3)
    assert healed.processed == ["item-01"]
    assert fourth.status == "done" and get_job(db, "retry").error == ""


def test_keys_added_since_are_picked_up(db: Database) -> None:
    run_job(db, "growing", "test.recorder", KEYS[:4], Recorder(), progress=False)
    later = Recorder()
    summary = run_job(db, "growing", "test.recorder", KEYS[:4] + KEYS[4:6], later, progress=False)
    assert later.processed == KEYS[4:6]
    assert summary.total == 6 and summary.status == "done"


def test_duplicate_keys_run_once(db: Database) -> None:
    work = Recorder()
    summary = run_job(db, "dupes", "test.recorder", ["a", "b", "a"], work, progress=False)
    assert work.processed == ["a", "b"] and summary.total == 2


def test_different_params_are_refused_with_a_fix(db: Database) -> None:
    run_job(db, "copy", "test.recorder", KEYS[:2], Recorder(), params={"tone": "warm"}, progress=False)
    with pytest.raises(JobError) as raised:
        run_job(db, "copy", "test.recorder", KEYS[:2], Recorder(), params={"tone": "bold"}, progress=False)
    message = str(raised.value)
    assert "different params" in message and "tone" in message
    assert "--restart" in message and "new job name" in message

    with pytest.raises(JobError, match="kind"):
        run_job(db, "copy", "test.other", KEYS[:2], Recorder(), params={"tone": "warm"}, progress=False)

    redo = Recorder()
    summary = run_job(
        db, "copy", "test.recorder", KEYS[:2], redo, params={"tone": "bold"}, progress=False, restart=True
    )
    assert redo.processed == KEYS[:2] and summary.skipped == 0
    assert get_job(db, "copy").params == {"tone": "bold"}


def test_bad_results_and_keys(db: Database) -> None:
    summary = run_job(db, "bad", "test.bad", ["x"], lambda key: [key], progress=False)  # type: ignore[arg-type,return-value]
    assert summary.failed == 1 and "must be a dict" in summary.errors[0][1]
    with pytest.raises(JobError, match="limit is 200"):
        run_job(db, "long", "test.bad", ["k" * 201], Recorder(), progress=False)
    with pytest.raises(JobError, match="non-empty"):
        run_job(db, "empty", "test.bad", [""], Recorder(), progress=False)
    with pytest.raises(JobError, match="JSON"):
        run_job(db, "p", "test.bad", ["a"], Recorder(), params={"x": object()}, progress=False)


def test_list_show_and_not_found(db: Database) -> None:
    run_job(db, "one", "test.recorder", KEYS[:2], Recorder(), progress=False)
    run_job(db, "two", "test.recorder", KEYS[:3], Recorder(fail={"item-00"}), progress=False)
    jobs = {job.name: job for job in list_jobs(db)}
    assert jobs["one"].status == "done" and jobs["two"].status == "failed"
    assert (jobs["two"].done, jobs["two"].failed, jobs["two"].total) == (2, 1, 3)
    with pytest.raises(NotFoundError, match="jobs list"):
        get_job(db, "three")


class ReversedExecutor:
    """An executor that finishes items out of order, as a distributed one would."""

    name = "reversed"

    def map(self, work: WorkFn, keys: Iterable[str]) -> Iterator[ItemOutcome]:
        for key in reversed(list(keys)):
            yield run_one(work, key)


def test_executor_seam_keeps_checkpointing_in_the_runner(db: Database) -> None:
    assert isinstance(LocalExecutor(), Executor) and isinstance(ReversedExecutor(), Executor)
    work = Recorder()
    summary = run_job(
        db, "remote", "test.recorder", KEYS[:5], work, executor=ReversedExecutor(), progress=False
    )
    assert work.processed == list(reversed(KEYS[:5]))
    assert summary.status == "done" and summary.done == 5


def test_progress_bar_reports_items_done(db: Database) -> None:
    out = io.StringIO()
    console = Console(file=out, width=140, force_terminal=True, color_system=None)
    run_job(db, "shown", "test.recorder", KEYS[:3], Recorder(), console=console)
    rendered = out.getvalue()
    assert "shown" in rendered and "3/3" in rendered and "it/" in rendered
