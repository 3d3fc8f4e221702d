"""Questions over store data over HTTP: ``POST /api/ask`` with ``{"question": ..., "mode": ...}``.

Asking reads only (on a read-only connection), so every role that may read may ask (``read``,
analysts included). A question that needs the model is admission-controlled: 503 with
``Retry-After`` when the model is at capacity; questions the rules read never wait for it.
An unanswerable question is a 200 with ``answered: false`` and what can be asked.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from shopops.api.admission import admission_for
from shopops.api.app import ModelResponse, get_context
from shopops.api.routes_work import Strict
from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.reports.ask import EARLIEST_TODAY, LATEST_TODAY, MAX_QUESTION_CHARS, AskResult, ask

router = APIRouter(prefix="/api", tags=["reports"])
BUSY = {503: {"description": "busy: retry after the Retry-After header's seconds"}}


class AskBody(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    mode: Literal["auto", "rules", "llm"] = "auto"
    today: dt.date | None = Field(
        default=None,
        ge=EARLIEST_TODAY,
        le=LATEST_TODAY,
        description="answer as of this date (default: the date of the newest order)",
    )


@router.post("/ask", response_model=AskResult, summary="Answer a question over store data", responses=BUSY)
def post_ask(
    body: AskBody, _principal: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    gate = admission_for(ctx)
    result = ask(ctx, body.question, mode=body.mode, today=body.today, llm_gate=lambda: gate.slot("question"))
    return ModelResponse(result)
