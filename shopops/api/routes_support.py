"""Customer service over HTTP: a helpdesk posts customer messages and gets drafts or hand-offs back.

``POST /api/support/messages`` needs ``support.reply`` (an agent's or an integration's API key).
Model work is admission-controlled: beyond ``support_max_concurrent`` drafts in progress the answer
is 503 with ``Retry-After``. ``GET /api/support/gaps`` (``read``) lists suggested FAQ entries mined
from escalations the knowledge base could not answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from shopops.api.admission import admission_for
from shopops.api.app import ModelResponse, get_context
from shopops.api.routes_work import Strict
from shopops.api.security import reader, support_agent
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.support.gaps import FaqSuggestion, suggest_faq_entries
from shopops.support.service import IncomingMessage, SupportOutcome, handle_message

router = APIRouter(prefix="/api/support", tags=["support"])


class MessageBody(IncomingMessage, Strict):
    """A customer message. ``conversation_id`` ties later messages to the same ticket."""


class GapList(BaseModel):
    items: list[FaqSuggestion] = Field(description="suggested FAQ entries, most-asked first")


@router.post(
    "/messages",
    response_model=SupportOutcome,
    summary="Draft a reply to a customer message (or hand it to a person)",
    responses={503: {"description": "busy: retry after the Retry-After header's seconds"}},
)
def post_message(
    body: MessageBody,
    principal: Principal = Depends(support_agent),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    with admission_for(ctx).slot():
        outcome = handle_message(ctx, body, actor=principal.email)
    return ModelResponse(outcome)


@router.get("/gaps", response_model=GapList, summary="Suggested FAQ entries from unanswered questions")
def get_gaps(
    min_count: int = Query(default=2, ge=1, le=1000),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    return ModelResponse(GapList(items=suggest_faq_entries(ctx.db, ctx.embedder, min_count=min_count)))
