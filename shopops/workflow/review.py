"""Queue-wide review actions: bulk approval with filters, and regeneration on request.

Bulk approval never overrides a check: drafts with blocking flags are skipped and reported, so a
manager can approve forty clean descriptions in one click and see the three that need a person.
Who may decide which kind is the adapter's question (``shopops.auth.roles.require_decide``);
``may_decide`` lets these functions skip drafts the caller's role may not decide.

Regeneration belongs to the capability that wrote the draft: each registers a function for its
kind prefix in :data:`REGENERATORS` (copy does so below). Requesting it closes the old draft as
rejected with the reviewer's note and returns the new drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.errors import InputError
from shopops.store.models import Draft
from shopops.workflow.drafts import DraftView, approve_draft, get_draft, reject_draft

if TYPE_CHECKING:
    from shopops.context import AppContext

MAX_BULK = 500

Regenerator = Callable[["AppContext", DraftView, str], list[int]]
REGENERATORS: dict[str, Regenerator] = {}

# What happens once a draft of a kind is approved (a reply is sent, ...): keyed by kind prefix,
# called by the adapter after approve_draft with (ctx, the approved draft, the approver's email).
ApproveHook = Callable[["AppContext", DraftView, str], object]
ON_APPROVE: dict[str, ApproveHook] = {}


class Skipped(BaseModel):
    id: int
    reason: str


class BulkResult(BaseModel):
    approved: list[int] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)


def bulk_approve(
    ctx: AppContext,
    actor: str,
    *,
    ids: list[int] | None = None,
    kind: str | None = None,
    subject_type: str | None = None,
    may_decide: Callable[[str], bool] = lambda _kind: True,
    limit: int = MAX_BULK,
) -> BulkResult:
    """Approve every pending draft matching the filters (``ids``, ``kind`` prefix,
    ``subject_type``) that has no blocking flag and whose kind ``may_decide`` allows."""
    if ids is None and not kind and not subject_type:
        raise InputError(
            "bulk approval needs a filter", hint="give draft ids, a kind (e.g. copy.) or a subject type"
        )
    if not 1 <= limit <= MAX_BULK:
        raise InputError(f"limit must be 1..{MAX_BULK}")
    conditions = [Draft.status == "draft"]
    if ids is not None:
        conditions.append(Draft.id.in_(ids))
    if kind:
        conditions.append(Draft.kind.startswith(kind, autoescape=True))
    if subject_type:
        conditions.append(Draft.subject_type == subject_type)
    with ctx.db.session() as session:
        candidates = [
            DraftView.model_validate(row)
            for row in session.scalars(select(Draft).where(*conditions).order_by(Draft.id).limit(limit))
        ]
    result = BulkResult()
    if ids is not None:
        found = {draft.id for draft in candidates}
        result.skipped += [
            Skipped(id=i, reason="not found or already decided") for i in ids if i not in found
        ]
    for draft in candidates:
        if not may_decide(draft.kind):
            result.skipped.append(Skipped(id=draft.id, reason=f"your role may not decide {draft.kind}"))
        elif draft.blocking_flags:
            kinds = sorted({flag.kind for flag in draft.blocking_flags})
            result.skipped.append(Skipped(id=draft.id, reason="blocking flags: " + ", ".join(kinds)))
        else:
            approve_and_publish(ctx, draft.id, actor)
            result.approved.append(draft.id)
    return result


def regenerator_for(kind: str) -> Regenerator:
    for prefix, regenerate in REGENERATORS.items():
        if kind.startswith(prefix):
            return regenerate
    raise InputError(f"{kind} drafts cannot be regenerated", hint="edit the draft instead")


def request_regeneration(ctx: AppContext, draft_id: int, actor: str, note: str = "") -> list[DraftView]:
    """Write the draft again (same request), reject the old one with the note, return the new."""
    draft = get_draft(ctx.db, draft_id)
    if draft.status != "draft":
        raise InputError(
            f"draft {draft_id} is already {draft.status}; only pending drafts can be regenerated"
        )
    regenerate = regenerator_for(draft.kind)
    new_ids = regenerate(ctx, draft, note)
    reason = "regeneration requested" + (f": {note.strip()}" if note.strip() else "")
    reject_draft(ctx.db, draft_id, actor, reason)
    return [get_draft(ctx.db, new_id) for new_id in new_ids]


def _regenerate_copy(ctx: AppContext, draft: DraftView, _note: str) -> list[int]:
    from shopops.copy.service import write_copy
    from shopops.copy.types import CopyRequest

    stored = draft.content.get("request")
    if not isinstance(stored, dict):
        raise InputError(f"draft {draft.id} does not record the request it was written for")
    request = CopyRequest.model_validate({**stored, "product": draft.subject_id, "variants": 1})
    return [result.draft_id for result in write_copy(ctx, request) if result.draft_id is not None]


def _regenerate_strategy(ctx: AppContext, draft: DraftView, note: str) -> list[int]:
    from shopops.reports.strategy import regenerate_strategy

    return regenerate_strategy(ctx, draft, note)


REGENERATORS["copy."] = _regenerate_copy
REGENERATORS["report.strategy"] = _regenerate_strategy


def approve_and_publish(
    ctx: AppContext, draft_id: int, actor: str, *, override_reason: str | None = None
) -> DraftView:
    """Approve a draft (see :func:`~shopops.workflow.drafts.approve_draft`), then run its kind's
    :data:`ON_APPROVE` hook (an approved support reply is delivered). Adapters call this, not
    ``approve_draft``, so every way of approving publishes the same way."""
    view = approve_draft(ctx.db, draft_id, actor, override_reason=override_reason)
    after_approve(ctx, view, actor)
    return view


def after_approve(ctx: AppContext, draft: DraftView, actor: str) -> object:
    """Run the :data:`ON_APPROVE` hook of an approved draft's kind; None when it has none."""
    if draft.status != "approved":
        return None
    for prefix, hook in ON_APPROVE.items():
        if draft.kind.startswith(prefix):
            return hook(ctx, draft, actor)
    return None


def _deliver_reply(ctx: AppContext, draft: DraftView, actor: str) -> object:
    from shopops.workflow.tickets import deliver_reply

    return deliver_reply(ctx.db, ctx.settings, draft.id, actor=actor)


ON_APPROVE["support.reply"] = _deliver_reply
