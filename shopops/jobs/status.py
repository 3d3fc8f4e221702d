"""Reading jobs back: what ran, how far it got, which items failed and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.errors import NotFoundError
from shopops.store.db import Database
from shopops.store.models import Job, JobItem

# Job statuses. "interrupted": stopped by Ctrl-C or a crash the process saw; a job killed outright
# (SIGKILL, power loss) stays "running" in the store, and either resumes the same way.
JOB_STATUSES = ("pending", "running", "done", "failed", "interrupted")
ITEM_STATUSES = ("pending", "done", "failed")


@dataclass(frozen=True)
class JobInfo:
    name: str
    kind: str
    status: str
    params: dict[str, Any]
    total: int
    done: int
    failed: int
    pending: int
    error: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class JobItemInfo:
    key: str
    status: str
    attempts: int
    result: dict[str, Any] | None
    error: str
    finished_at: dt.datetime | None


def item_counts(session: Session, job_id: int) -> dict[str, int]:
    """Items of one job by status (every status present, zero when none)."""
    rows = session.execute(
        select(JobItem.status, func.count()).where(JobItem.job_id == job_id).group_by(JobItem.status)
    ).all()
    counts = dict.fromkeys(ITEM_STATUSES, 0)
    for status, count in rows:
        counts[status] = counts.get(status, 0) + int(count)
    return counts


def _info(session: Session, job: Job) -> JobInfo:
    counts = item_counts(session, job.id)
    return JobInfo(
        name=job.name,
        kind=job.kind,
        status=job.status,
        params=dict(job.params or {}),
        total=sum(counts.values()),
        done=counts["done"],
        failed=counts["failed"],
        pending=counts["pending"],
        error=job.error or "",
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def find_job(session: Session, name: str) -> Job:
    job = session.scalar(select(Job).where(Job.name == name))
    if job is None:
        raise NotFoundError(f"no job named {name!r}", hint="`shopops jobs list` shows the jobs in this store")
    return job


def get_job(db: Database, name: str) -> JobInfo:
    """One job with its item counts; :class:`NotFoundError` if there is none of that name."""
    with db.session() as session:
        return _info(session, find_job(session, name))


def list_jobs(db: Database) -> list[JobInfo]:
    """Every job, most recently updated first."""
    with db.session() as session:
        jobs = session.scalars(select(Job).order_by(Job.updated_at.desc(), Job.id.desc())).all()
        return [_info(session, job) for job in jobs]


def job_items(
    db: Database, name: str, *, status: str | None = None, limit: int | None = None
) -> list[JobItemInfo]:
    """Items of a job in the order they were added, optionally only those with ``status``."""
    with db.session() as session:
        job = find_job(session, name)
        query = select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.id)
        if status is not None:
            query = query.where(JobItem.status == status)
        if limit is not None:
            query = query.limit(limit)
        return [
            JobItemInfo(
                key=item.key,
                status=item.status,
                attempts=item.attempts,
                result=item.result,
                error=item.error or "",
                finished_at=item.finished_at,
            )
            for item in session.scalars(query)
        ]
