"""The support pipeline's side of the support pages: its reply drafts as a ticket shows them, and
``/support/gaps``, the suggested FAQ entries mined from escalations the knowledge base could not
answer (:func:`shopops.support.gaps.suggest_faq_entries`, as ``GET /api/support/gaps``; ``read``).

Its router is included before :mod:`shopops.web.pages_support`'s, whose ``/support/{ticket_id}``
would otherwise take ``/support/gaps`` (and refuse "gaps" as a ticket id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.auth.roles import Permission, can, permission_for_kind
from shopops.copy.types import Flag
from shopops.support.gaps import suggest_faq_entries
from shopops.web.render import context_of, render
from shopops.workflow.replies import REPLY_KIND
from shopops.workflow.tickets import AI_AUTHOR_PREFIX, ReplyView, TicketDetail

router = APIRouter(include_in_schema=False)
MAX_MIN_COUNT = 1000


@dataclass(frozen=True)
class AiDraft:
    """An AI reply draft awaiting review, as the ticket page shows it (read defensively: the
    content is stored JSON)."""

    id: int
    text: str
    decision: str  # "answer", or "escalate" for a low-confidence suggestion on a handed-off ticket
    confidence: float | None
    citations: list[dict[str, str]]
    policy: dict[str, Any] | None
    order_number: str
    flags: list[Flag]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def ai_draft(reply: ReplyView) -> AiDraft:
    content = reply.content
    citations = [
        {
            "passage_id": _text(c.get("passage_id")),
            "title": _text(c.get("title")),
            "quote": _text(c.get("quote")),
        }
        for c in content.get("citations") or []
        if isinstance(c, dict)
    ]
    policy = content.get("policy")
    return AiDraft(
        id=reply.id,
        text=_text(content.get("text")),
        decision=_text(content.get("decision")) or "answer",
        confidence=_number(content.get("confidence")),
        citations=citations,
        policy=policy if isinstance(policy, dict) and policy.get("topic") else None,
        order_number=_text(content.get("order_number")),
        flags=reply.flags,
    )


def waiting_ai_drafts(ticket: TicketDetail) -> list[AiDraft]:
    """The ticket's AI-written reply drafts that await review, newest first."""
    return [
        ai_draft(reply)
        for reply in ticket.replies
        if reply.status == "draft" and reply.author.startswith(AI_AUTHOR_PREFIX)
    ]


def may_decide_replies(who: Principal) -> bool:
    """What deciding a reply draft needs (the review queue's rule: ``drafts.decide`` + kind's)."""
    return can(who.role, Permission.DRAFTS_DECIDE) and can(who.role, permission_for_kind(REPLY_KIND))


@router.get("/support/gaps")
def gaps(
    request: Request,
    min_count: int = Query(2, ge=1, le=MAX_MIN_COUNT),
    who: Principal = Depends(reader),
) -> Response:
    """Questions customers asked that the knowledge base could not answer, grouped: each with how
    many asked, their wordings, the tickets and a colleague's answer when one was sent."""
    ctx = context_of(request)
    return render(
        request,
        "support/gaps.html",
        who,
        active="/support",
        suggestions=suggest_faq_entries(ctx.db, ctx.embedder, min_count=min_count),
        min_count=min_count,
        max_min_count=MAX_MIN_COUNT,
    )
