"""Resumable batch jobs: checkpointed in the store, run by a pluggable executor.

    from shopops.jobs import run_job
    summary = run_job(ctx.db, "summaries-2026-11", "demo.summary", handles, work, params={"limit": 8})

See :mod:`shopops.jobs.runner` for the guarantees, :mod:`shopops.jobs.executors` for the executor
seam, and :mod:`shopops.jobs.registry` for resuming a job by name (``shopops jobs resume NAME``).
"""

from shopops.jobs.executors import Executor, ItemOutcome, LocalExecutor, WorkFn, run_one
from shopops.jobs.registry import JobKind, get_job_kind, known_kinds, register_job_kind, resume_job
from shopops.jobs.runner import DEFAULT_MAX_ATTEMPTS, JobSummary, run_job
from shopops.jobs.status import JobInfo, JobItemInfo, get_job, job_items, list_jobs

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Executor",
    "ItemOutcome",
    "JobInfo",
    "JobItemInfo",
    "JobKind",
    "JobSummary",
    "LocalExecutor",
    "WorkFn",
    "get_job",
    "get_job_kind",
    "job_items",
    "known_kinds",
    "list_jobs",
    "register_job_kind",
    "resume_job",
    "run_job",
    "run_one",
]
