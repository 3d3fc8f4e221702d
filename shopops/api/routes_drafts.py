"""``/api/drafts``: the review queue over :mod:`shopops.workflow`.

Reading needs ``read``; deciding needs ``drafts.decide`` on the route *and* the permission of the
draft's kind (``shopops.auth.roles.require_decide``); an override of blocking flags needs
``drafts.approve`` (a manager's call); editing or regenerating needs ``drafts.edit`` and the
kind's own permission (``copy.write`` for copy).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from shopops.api.app import MAX_ID, ModelResponse, RowId, get_context
from shopops.api.security import decider, editor, reader
from shopops.auth.accounts import Principal
from shopops.auth.roles import Permission, can, permission_for_kind, require, require_decide, require_edit
from shopops.context import AppContext
from shopops.store.models import UtcDateTime
from shopops.workflow.drafts import (
    MAX_PAGE,
    DraftView,
    audit_trail,
    edit_draft,
    get_draft,
    reject_draft,
)
from shopops.workflow.queue import QueuePage, list_queue
from shopops.workflow.review import (
    MAX_BULK,
    BulkResult,
    approve_and_publish,
    bulk_approve,
    request_regeneration,
)

router = APIRouter(prefix="/api/drafts", tags=["drafts"])


class ApproveBody(BaseModel):
    override_reason: str | None = Field(default=None, max_length=2000)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class EditBody(BaseModel):
    text: str | None = Field(default=None, max_length=20000)
    fields: dict[str, Any] | None = None


class RegenerateBody(BaseModel):
    note: str = Field(default="", max_length=2000)


class BulkApproveBody(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(default=None, max_length=MAX_BULK)
    kind: str | None = Field(default=None, max_length=50, description="kind prefix, e.g. copy.")
    subject_type: str | None = Field(default=None, max_length=30)


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    actor: str
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@router.get("", response_model=QueuePage)
async def list_(
    kind: str | None = Query(None, max_length=50, description="kind prefix, e.g. copy. or copy.title"),
    status: str | None = Query(None, description="draft | approved | rejected"),
    subject_type: str | None = Query(None, max_length=30),
    subject_id: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    """Queue rows, newest first: a preview and flag counts per draft (GET /api/drafts/{id} has
    the full content and checks)."""
    page = list_queue(
        ctx.db,
        kind=kind,
        status=status,
        subject_type=subject_type,
        subject_id=subject_id,
        limit=limit,
        offset=offset,
    )
    return ModelResponse(page)


@router.post("/bulk-approve")
def bulk(
    body: BulkApproveBody, who: Principal = Depends(decider), ctx: AppContext = Depends(get_context)
) -> BulkResult:
    """Approve every pending draft matching the filters that has no blocking flag; the rest are
    listed in ``skipped`` with the reason."""
    return bulk_approve(
        ctx,
        who.email,
        ids=body.ids,
        kind=body.kind,
        subject_type=body.subject_type,
        may_decide=lambda kind: can(who.role, permission_for_kind(kind)),
    )


@router.get("/{draft_id}", response_model=DraftView)
async def show(
    draft_id: RowId, _: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(get_draft(ctx.db, draft_id))


@router.get("/{draft_id}/audit")
async def audit(
    draft_id: RowId, _: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> list[AuditEntry]:
    get_draft(ctx.db, draft_id)
    return [AuditEntry.model_validate(row) for row in audit_trail(ctx.db, draft_id)]


@router.post("/{draft_id}/approve")
def approve(
    draft_id: RowId,
    body: ApproveBody | None = None,
    who: Principal = Depends(decider),
    ctx: AppContext = Depends(get_context),
) -> DraftView:
    """Approve; answers 422 listing the blocking flags unless a manager gives ``override_reason``."""
    require_decide(who.role, get_draft(ctx.db, draft_id).kind)
    reason = body.override_reason if body else None
    if reason:
        require(who.role, Permission.DRAFTS_APPROVE)
    return approve_and_publish(ctx, draft_id, who.email, override_reason=reason)


@router.post("/{draft_id}/reject")
def reject(
    draft_id: RowId,
    body: RejectBody,
    who: Principal = Depends(decider),
    ctx: AppContext = Depends(get_context),
) -> DraftView:
    require_decide(who.role, get_draft(ctx.db, draft_id).kind)
    return reject_draft(ctx.db, draft_id, who.email, body.reason)


@router.post("/{draft_id}/edit")
def edit(
    draft_id: RowId,
    body: EditBody,
    who: Principal = Depends(editor),
    ctx: AppContext = Depends(get_context),
) -> DraftView:
    """Replace the text (or a copy draft's fields); copy is checked again."""
    require_edit(who.role, get_draft(ctx.db, draft_id).kind)
    return edit_draft(ctx.db, draft_id, who.email, text=body.text, fields=body.fields)


@router.post("/{draft_id}/regenerate")
def regenerate(
    draft_id: RowId,
    body: RegenerateBody | None = None,
    who: Principal = Depends(editor),
    ctx: AppContext = Depends(get_context),
) -> list[DraftView]:
    """Write the draft again with the same request (the model runs); the old draft is rejected
    with the note and the new drafts are returned."""
    require_edit(who.role, get_draft(ctx.db, draft_id).kind)
    return request_regeneration(ctx, draft_id, who.email, body.note if body else "")
