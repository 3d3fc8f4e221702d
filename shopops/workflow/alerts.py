"""Alerts: what a capability's detector found and a person should look at (the crisis workflow).

Detectors (a negative-review aspect rising, sales falling below the forecast, a stock-out ahead)
produce :class:`AlertCandidate` values; :func:`raise_alerts` stores them idempotently by
``dedupe_key`` (a second run refreshes the evidence of an alert that is still open and leaves a
resolved one resolved), and people acknowledge or resolve them, with an audit entry each time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from shopops.errors import InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import Alert, UtcDateTime, utcnow
from shopops.workflow.entities import audit

Severity = Literal["low", "medium", "high"]
AlertStatus = Literal["open", "acknowledged", "resolved"]
STATUSES: tuple[str, ...] = ("open", "acknowledged", "resolved")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class AlertCandidate(BaseModel):
    """An alert a detector proposes; ``evidence`` holds the numbers (and series) behind it."""

    kind: str = Field(min_length=1, max_length=50)
    severity: Severity = "medium"
    subject_type: str = Field(min_length=1, max_length=30)
    subject_id: str = Field(default="", max_length=255)
    title: str = Field(min_length=1, max_length=500)
    evidence: dict[str, Any] = Field(default_factory=dict)
    dedupe_key: str = Field(min_length=1, max_length=255)


class AlertView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    severity: str
    subject_type: str
    subject_id: str
    title: str
    evidence: dict[str, Any]
    status: str
    detected_at: UtcDateTime
    updated_at: UtcDateTime


def raise_alerts(db: Database, candidates: list[AlertCandidate], *, actor: str) -> list[AlertView]:
    """Store new alerts and refresh the evidence of open ones; returns the alerts now open."""
    out: list[AlertView] = []
    with db.session() as session:
        for candidate in candidates:
            row = session.scalar(select(Alert).where(Alert.dedupe_key == candidate.dedupe_key))
            if row is None:
                row = Alert(**candidate.model_dump(), status="open", detected_at=utcnow())
                session.add(row)
                session.flush()
                audit(
                    session,
                    actor,
                    "alert.raise",
                    "alert",
                    row.id,
                    None,
                    {"kind": row.kind, "severity": row.severity, "title": row.title},
                )
            elif row.status != "resolved":
                row.evidence = candidate.evidence
                row.severity = candidate.severity
                row.title = candidate.title
            else:
                continue
            session.flush()
            out.append(AlertView.model_validate(row))
    return out


def list_alerts(
    db: Database,
    *,
    status: str | None = "open",
    kind_prefix: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = 100,
) -> list[AlertView]:
    """Alerts, most severe and newest first."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown alert status {status!r}", hint=f"use one of: {', '.join(STATUSES)}")
    if not 1 <= limit <= 1000:
        raise InputError("limit must be between 1 and 1000")
    conditions = []
    if status is not None:
        conditions.append(Alert.status == status)
    if kind_prefix:
        conditions.append(Alert.kind.startswith(kind_prefix, autoescape=True))
    if subject_type:
        conditions.append(Alert.subject_type == subject_type)
    if subject_id:
        conditions.append(Alert.subject_id == subject_id)
    with db.session() as session:
        rows = session.scalars(
            select(Alert).where(*conditions).order_by(Alert.detected_at.desc(), Alert.id.desc()).limit(limit)
        ).all()
        views = [AlertView.model_validate(row) for row in rows]
    return sorted(views, key=lambda a: SEVERITY_ORDER.get(a.severity, 3))


def count_open(db: Database, *, kind_prefix: str | None = None) -> int:
    conditions = [Alert.status == "open"]
    if kind_prefix:
        conditions.append(Alert.kind.startswith(kind_prefix, autoescape=True))
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Alert).where(*conditions)) or 0)


def get_alert(db: Database, alert_id: int) -> AlertView:
    with db.session() as session:
        row = session.get(Alert, alert_id)
        if row is None:
            raise NotFoundError(f"alert {alert_id} not found", hint="list alerts with `shopops alerts list`")
        return AlertView.model_validate(row)


def set_alert_status(db: Database, alert_id: int, status: str, *, actor: str) -> AlertView:
    """Acknowledge or resolve an alert (or reopen it); the change goes to the audit log."""
    if status not in STATUSES:
        raise InputError(f"unknown alert status {status!r}", hint=f"use one of: {', '.join(STATUSES)}")
    with db.session() as session:
        row = session.get(Alert, alert_id)
        if row is None:
            raise NotFoundError(f"alert {alert_id} not found", hint="list alerts with `shopops alerts list`")
        before = {"status": row.status}
        row.status = status
        row.updated_at = utcnow()
        audit(session, actor, f"alert.{status}", "alert", row.id, before, {"status": status})
        session.flush()
        return AlertView.model_validate(row)


def week_key(day: dt.date) -> str:
    """ISO year and week ("2026-W47"): alerts of the same kind and subject dedupe per week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
