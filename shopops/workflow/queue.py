"""Queue rows: the review queue as a list, for the API's most-read route (``GET /api/drafts``).

A row carries what a list shows (kind, subject, status, a text preview, flag counts), never the
draft's full content and checks — those come with the draft itself. This is the hot path of the
API under load, so it is written for speed, measured in ``bench/api_load.py``:

- the database computes the preview and the flag counts, so no draft's JSON is decoded in Python;
- one prepared statement per filter combination, with bound parameters, reused across requests
  (SQLAlchemy memoises its cache key on the statement object, so it is computed once);
- Core rows, not ORM objects, turned into plain dicts; the page serialises them by the
  :class:`QueueRow` schema without validating values that came from typed columns.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, bindparam, func, select
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from shopops.store.db import Database
from shopops.store.models import Draft, UtcDateTime, as_utc
from shopops.workflow.drafts import check_page_request

PREVIEW = 160  # characters of text in a queue row
LIKE_ESCAPE = "\\"


class QueueRow(TypedDict):
    """One draft in a list (``GET /api/drafts/{id}`` has its content and checks)."""

    id: int
    kind: str
    subject_type: str
    subject_id: str
    status: str
    author: str
    preview: str
    flags: int
    blocking: bool
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None


class QueuePage(BaseModel):
    items: list[QueueRow]
    total: int
    limit: int
    offset: int


def _conditions(kind: bool, status: bool, subject_type: bool, subject_id: bool) -> list[Any]:
    conditions: list[Any] = []
    if kind:
        conditions.append(Draft.kind.like(bindparam("kind_like"), escape=LIKE_ESCAPE))
    if status:
        conditions.append(Draft.status == bindparam("status"))
    if subject_type:
        conditions.append(Draft.subject_type == bindparam("subject_type"))
    if subject_id:
        conditions.append(Draft.subject_id == bindparam("subject_id"))
    return conditions


@functools.cache
def _statements(
    kind: bool, status: bool, subject_type: bool, subject_id: bool
) -> tuple[Select[Any], Select[Any]]:
    """(count, page) statements for one combination of filters, built once per process."""
    conditions = _conditions(kind, status, subject_type, subject_id)
    text = func.coalesce(Draft.content["text"].as_string(), "")
    page = (
        select(
            Draft.id,
            Draft.kind,
            Draft.subject_type,
            Draft.subject_id,
            Draft.status,
            Draft.author,
            func.substr(text, 1, PREVIEW).label("preview"),
            func.length(text).label("text_length"),
            func.coalesce(func.json_array_length(Draft.checks["flags"]), 0).label("flags"),
            func.coalesce(Draft.checks["blocking"].as_boolean(), False).label("blocking"),
            Draft.created_at,
            Draft.updated_at,
        )
        .where(*conditions)
        .order_by(Draft.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    count = select(func.count()).select_from(Draft).where(*conditions)
    return count, page


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
    return escaped.replace("_", LIKE_ESCAPE + "_") + "%"


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def list_queue(
    db: Database,
    *,
    kind: str | None = None,
    status: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> QueuePage:
    """Queue rows, newest first; ``kind`` is a prefix (``copy.`` matches every copy draft)."""
    check_page_request(status, limit, offset)
    count, page = _statements(bool(kind), bool(status), bool(subject_type), bool(subject_id))
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if kind:
        params["kind_like"] = _like_prefix(kind)
    params.update(
        {
            k: v
            for k, v in (("status", status), ("subject_type", subject_type), ("subject_id", subject_id))
            if v
        }
    )
    with db.engine.connect() as conn:
        total = conn.scalar(count, params) or 0
        rows = conn.execute(page, params).all()
    items: list[QueueRow] = [
        {
            "id": row.id,
            "kind": row.kind,
            "subject_type": row.subject_type,
            "subject_id": row.subject_id,
            "status": row.status,
            "author": row.author,
            "preview": " ".join(row.preview.split()) + ("…" if row.text_length > PREVIEW else ""),
            "flags": row.flags,
            "blocking": bool(row.blocking),
            "created_at": _utc(row.created_at),
            "updated_at": _utc(row.updated_at),
        }
        for row in rows
    ]
    return QueuePage.model_construct(items=items, total=total, limit=limit, offset=offset)
