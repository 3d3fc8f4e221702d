"""Forecasts over HTTP: run them, read the last run, a SKU's chart, and draft a plan for an alert.

Reading (the last run, charts) needs ``read``. Running forecasts raises alerts and drafting a plan
writes a draft: both need ``drafts.edit``. Drafting calls the model and is admission-controlled
(503 with ``Retry-After`` when the model is at capacity). The chart is SVG (``image/svg+xml``):
the same inline chart the pages draw, so a report or a chat tool can embed it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from shopops.api.admission import admission_for
from shopops.api.app import ModelResponse, RowId, get_context
from shopops.api.routes_work import Strict
from shopops.api.security import editor, reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.errors import NotFoundError
from shopops.forecast.plans import draft_plan
from shopops.forecast.service import ForecastRun, load_latest, run_forecasts, sku_chart

router = APIRouter(tags=["forecasts"])
BUSY = {503: {"description": "busy: retry after the Retry-After header's seconds"}}
Sku = Path(min_length=1, max_length=255)


class RunBody(Strict):
    horizon: int | None = Field(default=None, ge=1, le=365)
    skus: list[str] | None = Field(default=None, max_length=1000)


class PlanOut(BaseModel):
    draft_id: int
    alert_id: int
    text: str
    steps: list[dict[str, str]]
    facts: dict[str, Any]
    flags: list[dict[str, Any]]
    numbers_checked: int


def _latest(ctx: AppContext) -> ForecastRun:
    run = load_latest(ctx)
    if run is None:
        raise NotFoundError(
            "no forecast run yet", hint="run one: POST /api/forecasts/run or shopops forecast run"
        )
    return run


@router.post("/api/forecasts/run", response_model=ForecastRun, summary="Forecast, plan stock, raise alerts")
def post_run(
    body: RunBody, principal: Principal = Depends(editor), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(run_forecasts(ctx, horizon=body.horizon, skus=body.skus, actor=principal.email))


@router.get("/api/forecasts", response_model=ForecastRun, summary="The last run: per-SKU points and plans")
def get_latest(
    _principal: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(_latest(ctx))


@router.get(
    "/api/forecasts/{sku}/chart.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
    summary="A SKU's sales, forecast and interval as SVG",
)
def get_chart(
    sku: str = Sku, _principal: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> Response:
    series = _latest(ctx).get(sku)
    if series is None:
        raise NotFoundError(
            f"SKU {sku!r} is not in the last forecast run", hint="GET /api/forecasts lists them"
        )
    return Response(sku_chart(series), media_type="image/svg+xml")


@router.post(
    "/api/alerts/{alert_id}/plan", response_model=PlanOut, summary="Draft a response plan", responses=BUSY
)
def post_plan(
    alert_id: RowId, principal: Principal = Depends(editor), ctx: AppContext = Depends(get_context)
) -> PlanOut:
    with admission_for(ctx).slot():
        plan = draft_plan(ctx, alert_id, actor=principal.email)
    return PlanOut(
        draft_id=plan.draft_id or 0,
        alert_id=plan.alert_id,
        text=plan.text,
        steps=[{"action": a, "text": t} for a, t in plan.steps],
        facts=plan.facts.facts,
        flags=[f.model_dump() for f in plan.flags],
        numbers_checked=plan.numbers_checked,
    )
