"""``/queue``: the review queue and a draft's page, over :mod:`shopops.workflow`.

Each action needs what its API route needs (``shopops.api.routes_drafts``): ``drafts.decide`` on
the route plus the kind's permission to approve or reject, ``drafts.approve`` for an override of
blocking flags, ``drafts.edit`` plus the kind's edit permission to edit or regenerate. Buttons a
role may not use are not shown, and the server refuses them all the same. Actions answer with a
redirect to the draft (post/redirect/get); a refused action shows the draft with the reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from shopops.api.security import decider, editor, reader
from shopops.auth.accounts import Principal
from shopops.auth.roles import (
    Permission,
    can,
    edit_permission_for_kind,
    permission_for_kind,
    require,
    require_decide,
    require_edit,
)
from shopops.errors import InputError
from shopops.store.models import Product
from shopops.web.render import PER_PAGE, RowId, context_of, page_offset, pager, render
from shopops.workflow.drafts import (
    STATUSES,
    DraftView,
    audit_trail,
    edit_draft,
    get_draft,
    list_drafts,
    reject_draft,
)
from shopops.workflow.review import (
    MAX_BULK,
    approve_and_publish,
    bulk_approve,
    regenerator_for,
    request_regeneration,
)

router = APIRouter(include_in_schema=False)
KIND_FILTERS = ("copy.", "support.", "report.", "plan.")
SUBJECT_TYPES = ("product", "ticket", "review", "alert", "report")


def may_decide(who: Principal, kind: str) -> bool:
    return can(who.role, Permission.DRAFTS_DECIDE) and can(who.role, permission_for_kind(kind))


def may_edit(who: Principal, kind: str) -> bool:
    return can(who.role, Permission.DRAFTS_EDIT) and can(who.role, edit_permission_for_kind(kind))


def may_regenerate(kind: str) -> bool:
    try:
        regenerator_for(kind)
    except InputError:
        return False
    return True


@router.get("/queue")
def queue(
    request: Request,
    kind: str = Query("", max_length=50),
    status: str = Query("draft", max_length=20),
    subject: str = Query("", max_length=30),
    page: int = Query(1, ge=1),
    who: Principal = Depends(reader),
) -> Response:
    status = status if status in STATUSES else ""
    found = list_drafts(
        context_of(request).db,
        kind=kind or None,
        status=status or None,
        subject_type=subject or None,
        limit=PER_PAGE,
        offset=page_offset(page),
    )
    return render(
        request,
        "queue/list.html",
        who,
        active="/queue",
        drafts=found.items,
        pager=pager(request, found.total, page),
        filters={"kind": kind, "status": status, "subject": subject},
        kind_filters=KIND_FILTERS,
        statuses=STATUSES,
        subject_types=SUBJECT_TYPES,
        selectable=can(who.role, Permission.DRAFTS_DECIDE),
    )


@router.post("/queue/bulk-approve")
def bulk(
    request: Request,
    ids: list[int] | None = Form(None, max_length=MAX_BULK),
    who: Principal = Depends(decider),
) -> Response:
    """Approve the selected drafts that have no blocking flag; the rest are listed with why."""
    result = (
        bulk_approve(
            context_of(request),
            who.email,
            ids=ids,
            may_decide=lambda kind: can(who.role, permission_for_kind(kind)),
        )
        if ids
        else None
    )
    return render(request, "queue/_bulk_result.html", who, result=result)


def audit_summary(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Short 'what changed' lines of one audit row."""
    before, after = before or {}, after or {}
    lines = []
    if before.get("status") != after.get("status"):
        lines.append(f"status: {before.get('status', '—')} → {after.get('status', '—')}")
    old_text = (before.get("content") or {}).get("text")
    new_text = (after.get("content") or {}).get("text")
    if old_text != new_text and new_text is not None:
        lines.append(f"text: {str(new_text)[:160]}")
    if after.get("review_note") and after.get("review_note") != before.get("review_note"):
        lines.append(f"note: {after['review_note']}")
    old_flags = len((before.get("checks") or {}).get("flags") or [])
    new_flags = len((after.get("checks") or {}).get("flags") or [])
    if old_flags != new_flags:
        lines.append(f"flags: {old_flags} → {new_flags}")
    return lines


def draft_page(
    request: Request, who: Principal, draft: DraftView, *, error: str = "", status_code: int = 200
) -> Response:
    trail = [
        {"row": row, "summary": audit_summary(row.before, row.after)}
        for row in audit_trail(context_of(request).db, draft.id)
    ]
    pending = draft.status == "draft"
    fields = draft.content.get("fields") or {}
    subject_title = ""
    if draft.subject_type == "product" and draft.subject_id.isdigit():
        with context_of(request).db.session() as session:
            subject_title = (
                session.scalar(select(Product.title).where(Product.id == int(draft.subject_id))) or ""
            )
    return render(
        request,
        "queue/draft.html",
        who,
        status_code=status_code,
        active="/queue",
        draft=draft,
        subject_title=subject_title,
        text=str(draft.content.get("text") or ""),
        fields=fields if isinstance(fields, dict) else {},
        flags=draft.flags,
        blocking=draft.blocking_flags,
        trail=trail,
        error=error,
        can_decide=pending and may_decide(who, draft.kind),
        can_override=pending and can(who.role, Permission.DRAFTS_APPROVE),
        can_edit=pending and may_edit(who, draft.kind),
        can_regenerate=pending and may_edit(who, draft.kind) and may_regenerate(draft.kind),
    )


@router.get("/queue/{draft_id}")
def show(draft_id: RowId, request: Request, who: Principal = Depends(reader)) -> Response:
    return draft_page(request, who, get_draft(context_of(request).db, draft_id))


def _refused(request: Request, who: Principal, draft_id: int, exc: InputError) -> Response:
    draft = get_draft(context_of(request).db, draft_id)
    return draft_page(request, who, draft, error=str(exc), status_code=exc.http_status)


def _to_draft(draft_id: int) -> Response:
    return RedirectResponse(f"/queue/{draft_id}", status_code=303)


@router.post("/queue/{draft_id}/approve")
def approve(
    draft_id: RowId,
    request: Request,
    override_reason: str = Form("", max_length=2000),
    who: Principal = Depends(decider),
) -> Response:
    db = context_of(request).db
    require_decide(who.role, get_draft(db, draft_id).kind)
    reason = override_reason.strip() or None
    if reason:
        require(who.role, Permission.DRAFTS_APPROVE)
    try:
        approve_and_publish(context_of(request), draft_id, who.email, override_reason=reason)
    except InputError as exc:
        return _refused(request, who, draft_id, exc)
    return _to_draft(draft_id)


@router.post("/queue/{draft_id}/reject")
def reject(
    draft_id: RowId,
    request: Request,
    reason: str = Form("", max_length=2000),
    who: Principal = Depends(decider),
) -> Response:
    db = context_of(request).db
    require_decide(who.role, get_draft(db, draft_id).kind)
    try:
        reject_draft(db, draft_id, who.email, reason)
    except InputError as exc:
        return _refused(request, who, draft_id, exc)
    return _to_draft(draft_id)


@router.post("/queue/{draft_id}/edit")
def edit(
    draft_id: RowId,
    request: Request,
    text: str = Form(..., max_length=20000),
    who: Principal = Depends(editor),
) -> Response:
    db = context_of(request).db
    require_edit(who.role, get_draft(db, draft_id).kind)
    try:
        edit_draft(db, draft_id, who.email, text=text)
    except InputError as exc:
        return _refused(request, who, draft_id, exc)
    return _to_draft(draft_id)


@router.post("/queue/{draft_id}/regenerate")
def regenerate(
    draft_id: RowId,
    request: Request,
    note: str = Form("", max_length=2000),
    who: Principal = Depends(editor),
) -> Response:
    """Write the draft again (the model runs); shows the first new draft."""
    ctx = context_of(request)
    require_edit(who.role, get_draft(ctx.db, draft_id).kind)
    try:
        new = request_regeneration(ctx, draft_id, who.email, note)
    except InputError as exc:
        return _refused(request, who, draft_id, exc)
    return _to_draft(new[0].id if new else draft_id)
