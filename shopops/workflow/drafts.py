"""The review queue: list, read, edit, approve and reject drafts, with an audit row per action.

Every AI output is a :class:`~shopops.store.models.Draft` until a person approves it. A copy draft
whose checks hold *blocking* flags (a claim the product record does not support, a banned term, a
refusal) cannot be approved: the reviewer edits the copy (the checker runs again on the edited
text against the product's current facts), regenerates it, or approves with an override reason,
which is recorded. Each action writes an ``audit_log`` row (actor, action, before and after).

Only drafts in status ``draft`` can be edited, approved or rejected; a decision is final (a new
draft is the way to change an approved text).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.copy.types import CopyKind, Flag
from shopops.errors import InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import AuditLog, Draft, User, UtcDateTime
from shopops.workflow.entities import audit

STATUSES = ("draft", "approved", "rejected")
COPY_KINDS = {f"copy.{kind.value}": kind for kind in CopyKind}
MAX_PAGE = 200


class DraftView(BaseModel):
    """A draft as the CLI, the API and the web pages show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject_type: str
    subject_id: str
    status: str
    author: str
    content: dict[str, Any]
    checks: dict[str, Any]
    review_note: str = ""
    reviewer_id: int | None = None
    generation_id: int | None = None
    created_at: UtcDateTime | None = None
    updated_at: UtcDateTime | None = None

    @property
    def flags(self) -> list[Flag]:
        return [Flag.model_validate(flag) for flag in self.checks.get("flags") or []]

    @property
    def blocking_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.blocking]


class DraftPage(BaseModel):
    items: list[DraftView]
    total: int
    limit: int
    offset: int


def check_page_request(status: str | None, limit: int, offset: int) -> None:
    """The checks every draft list makes of its arguments (full views and queue rows alike)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown draft status {status!r}", hint=f"use one of {', '.join(STATUSES)}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"limit must be 1..{MAX_PAGE} and offset at least 0 (got {limit}, {offset})")


def _filters(
    kind: str | None,
    status: str | None,
    subject_type: str | None,
    subject_id: str | None,
    limit: int,
    offset: int,
) -> list[Any]:
    check_page_request(status, limit, offset)
    conditions: list[Any] = []
    if kind:
        conditions.append(Draft.kind.startswith(kind, autoescape=True))
    if status:
        conditions.append(Draft.status == status)
    if subject_type:
        conditions.append(Draft.subject_type == subject_type)
    if subject_id:
        conditions.append(Draft.subject_id == subject_id)
    return conditions


def list_drafts(
    db: Database,
    *,
    kind: str | None = None,
    status: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DraftPage:
    """Drafts, newest first. ``kind`` is a prefix (``copy.`` matches every copy draft)."""
    conditions = _filters(kind, status, subject_type, subject_id, limit, offset)
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Draft).where(*conditions)) or 0
        rows = session.scalars(
            select(Draft).where(*conditions).order_by(Draft.id.desc()).limit(limit).offset(offset)
        )
        items = [DraftView.model_validate(row) for row in rows]
    return DraftPage(items=items, total=total, limit=limit, offset=offset)


def _load(session: Session, draft_id: int, *, lock: bool = False) -> Draft:
    query = select(Draft).where(Draft.id == draft_id)
    draft = session.scalar(query.with_for_update() if lock else query)
    if draft is None:
        raise NotFoundError(f"no draft {draft_id}", hint="list drafts with `shopops drafts list`")
    return draft


def get_draft(db: Database, draft_id: int) -> DraftView:
    with db.session() as session:
        return DraftView.model_validate(_load(session, draft_id))


def _snapshot(draft: Draft) -> dict[str, Any]:
    return {
        "status": draft.status,
        "content": draft.content,
        "checks": draft.checks,
        "review_note": draft.review_note,
        "reviewer_id": draft.reviewer_id,
    }


def _audit(session: Session, actor: str, action: str, draft: Draft, before: dict[str, Any]) -> None:
    session.add(
        AuditLog(
            actor=actor,
            action=action,
            entity_type="draft",
            entity_id=str(draft.id),
            before=before,
            after=_snapshot(draft),
        )
    )


def _pending(draft: Draft, action: str) -> None:
    if draft.status != "draft":
        raise InputError(
            f"draft {draft.id} is already {draft.status}; only drafts awaiting review can be {action}",
            hint="write a new draft (e.g. `shopops copy write ...`) to change published copy",
        )


def _actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise InputError("who is acting? an actor (a user's email or a name) is required")
    return actor[:200]


def _reviewer_id(session: Session, actor: str) -> int | None:
    return session.scalar(select(User.id).where(User.email == actor))


def recheck_copy(session: Session, draft: Draft, text: str) -> dict[str, Any]:
    """Check edited copy against the product's *current* facts and the store's rules."""
    from shopops.copy.checker import check_copy
    from shopops.copy.compliance import load_rules
    from shopops.copy.facts import facts_for_product

    facts = facts_for_product(session, draft.subject_id)
    request = draft.content.get("request") or {}
    checks = check_copy(
        text,
        facts,
        language=str(draft.content.get("language") or request.get("language") or "en"),
        rules=load_rules(session),
        marketplace=request.get("marketplace"),
        country=request.get("country"),
    )
    checks.regenerations = int((draft.checks or {}).get("regenerations", 0))
    return checks.as_json()


def edit_draft(
    db: Database,
    draft_id: int,
    actor: str,
    *,
    text: str | None = None,
    fields: dict[str, Any] | None = None,
) -> DraftView:
    """Replace a draft's text (or, for copy, its fields); copy is re-checked and re-rendered."""
    from shopops.copy.prompts import fields_from_text, render_fields

    actor = _actor(actor)
    if text is None and fields is None:
        raise InputError("nothing to change", hint="give the new text (--text) or fields")
    if text is not None and not text.strip():
        raise InputError("the new text is empty", hint="to discard a draft, reject it with a reason")
    with db.session() as session:
        draft = _load(session, draft_id, lock=True)
        _pending(draft, "edited")
        before = _snapshot(draft)
        content = dict(draft.content or {})
        copy_kind = COPY_KINDS.get(draft.kind)
        if copy_kind is not None and draft.subject_type == "product":
            source = fields if fields is not None else fields_from_text(copy_kind, text or "")
            new_text, new_fields, page = render_fields(copy_kind, source)
            content.update(text=new_text, fields=new_fields, html=page)
            draft.checks = recheck_copy(session, draft, new_text)
        else:
            if text is None:
                raise InputError(f"{draft.kind} drafts are edited by text", hint="pass --text")
            content["text"] = text.strip()
            if fields is not None:
                content["fields"] = fields
        content["edited_by"] = actor
        draft.content = content
        _audit(session, actor, "draft.edit", draft, before)
        session.flush()
        return DraftView.model_validate(draft)


def blocking_message(draft_id: int, flags: list[Flag]) -> str:
    lines = []
    for flag in flags:
        where = flag.field or flag.rule
        lines.append(f"  - {flag.kind}: {flag.message}" + (f" [{where}]" if where else ""))
    return f"draft {draft_id} cannot be approved: {len(flags)} blocking flag(s)\n" + "\n".join(lines)


def approve_draft(
    db: Database, draft_id: int, actor: str, *, override_reason: str | None = None
) -> DraftView:
    """Approve a draft. Refused while its checks hold blocking flags, unless a (manager's)
    ``override_reason`` is given; the override and its reason go to the audit log."""
    actor = _actor(actor)
    reason = (override_reason or "").strip()
    with db.session() as session:
        draft = _load(session, draft_id, lock=True)
        _pending(draft, "approved")
        view = DraftView.model_validate(draft)
        blocking = view.blocking_flags
        if blocking and not reason:
            raise InputError(
                blocking_message(draft.id, blocking),
                hint=f"edit the copy to fix them (`shopops drafts edit {draft.id} --text ...`), "
                "regenerate it (`shopops copy write ...`), or approve with a manager's override and "
                f'its reason (`shopops drafts approve {draft.id} --override "why it is correct"`)',
            )
        before = _snapshot(draft)
        draft.status = "approved"
        draft.reviewer_id = _reviewer_id(session, actor)
        draft.review_note = f"override: {reason}" if blocking else reason
        _audit(session, actor, "draft.approve_override" if blocking else "draft.approve", draft, before)
        session.flush()
        return DraftView.model_validate(draft)


def reject_draft(db: Database, draft_id: int, actor: str, reason: str) -> DraftView:
    """Reject a draft; the reason is required (it tells the writer, or the model, what was wrong)."""
    actor = _actor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InputError("a reason is required to reject a draft", hint='pass --reason "what is wrong"')
    with db.session() as session:
        draft = _load(session, draft_id, lock=True)
        _pending(draft, "rejected")
        before = _snapshot(draft)
        draft.status = "rejected"
        draft.reviewer_id = _reviewer_id(session, actor)
        draft.review_note = reason
        _audit(session, actor, "draft.reject", draft, before)
        session.flush()
        return DraftView.model_validate(draft)


def audit_trail(db: Database, draft_id: int) -> list[AuditLog]:
    """The audit rows of one draft, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.entity_type == "draft", AuditLog.entity_id == str(draft_id))
                .order_by(AuditLog.id)
            )
        )


def open_drafts_for(db: Database, kind: str, subject_type: str, subject_ids: list[int]) -> dict[int, int]:
    """subject id -> the id of its newest waiting or approved draft of ``kind`` (e.g. the reply to
    each review on a page, the plan of each alert), so a page offers "draft" only where none is."""
    if not subject_ids:
        return {}
    with db.session() as session:
        rows = session.execute(
            select(Draft.subject_id, Draft.id)
            .where(
                Draft.kind == kind,
                Draft.subject_type == subject_type,
                Draft.status.in_(("draft", "approved")),
                Draft.subject_id.in_([str(i) for i in subject_ids]),
            )
            .order_by(Draft.id)
        ).all()
    return {int(subject): draft_id for subject, draft_id in rows}


def add_ai_draft(
    session: Session,
    *,
    kind: str,
    subject_type: str,
    subject_id: str,
    content: dict[str, Any],
    checks: dict[str, Any],
    author: str,
    actor: str,
    generation_id: int | None = None,
) -> Draft:
    """Store a capability's output as a draft waiting for a person, with its ``draft.create`` audit
    entry (support replies, review replies, response plans all arrive in the queue this way)."""
    row = Draft(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        content=content,
        checks=checks,
        status="draft",
        author=author,
        generation_id=generation_id,
    )
    session.add(row)
    session.flush()
    audit(session, actor, "draft.create", "draft", row.id, None, {"status": "draft", "kind": kind})
    return row
