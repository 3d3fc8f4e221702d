"""``/api/drafts``: the review queue over :mod:`shopops.workflow.drafts`.

Who acts is the ``actor`` dependency: until accounts and roles arrive it is the
``X-Shopops-Actor`` header (default ``api``); the auth issue replaces that one function.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, Field

from shopops.api.app import get_context
from shopops.context import AppContext
from shopops.workflow.drafts import (
    MAX_PAGE,
    DraftPage,
    DraftView,
    approve_draft,
    edit_draft,
    get_draft,
    list_drafts,
    reject_draft,
)

router = APIRouter(prefix="/api/drafts", tags=["drafts"])


def actor(x_shopops_actor: str | None = Header(default=None, max_length=200)) -> str:
    """Who performs the action, for the audit log."""
    return (x_shopops_actor or "").strip() or "api"


class ApproveBody(BaseModel):
    override_reason: str | None = Field(default=None, max_length=2000)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class EditBody(BaseModel):
    text: str | None = Field(default=None, max_length=20000)
    fields: dict[str, Any] | None = None


@router.get("")
def list_(
    kind: str | None = Query(None, description="kind prefix, e.g. copy. or copy.title"),
    status: str | None = Query(None, description="draft | approved | rejected"),
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
    ctx: AppContext = Depends(get_context),
) -> DraftPage:
    return list_drafts(
        ctx.db,
        kind=kind,
        status=status,
        subject_type=subject_type,
        subject_id=subject_id,
        limit=limit,
        offset=offset,
    )


@router.get("/{draft_id}")
def show(draft_id: int, ctx: AppContext = Depends(get_context)) -> DraftView:
    return get_draft(ctx.db, draft_id)


@router.post("/{draft_id}/approve")
def approve(
    draft_id: int,
    body: ApproveBody | None = None,
    who: str = Depends(actor),
    ctx: AppContext = Depends(get_context),
) -> DraftView:
    """Approve; answers 422 listing the blocking flags unless ``override_reason`` is given."""
    reason = body.override_reason if body else None
    return approve_draft(ctx.db, draft_id, who, override_reason=reason)


@router.post("/{draft_id}/reject")
def reject(
    draft_id: int, body: RejectBody, who: str = Depends(actor), ctx: AppContext = Depends(get_context)
) -> DraftView:
    return reject_draft(ctx.db, draft_id, who, body.reason)


@router.post("/{draft_id}/edit")
def edit(
    draft_id: int, body: EditBody, who: str = Depends(actor), ctx: AppContext = Depends(get_context)
) -> DraftView:
    """Replace the text (or a copy draft's fields); copy is checked again."""
    return edit_draft(ctx.db, draft_id, who, text=body.text, fields=body.fields)
