"""Alerts over HTTP: the crisis workflow's list, and acknowledging or resolving an alert.

Listing needs ``read``; changing an alert's status is working it off, like assigning work
(``work.assign``). Detectors raise alerts from their own routes (``POST /api/reviews/alerts``).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from shopops.api.app import ModelResponse, RowId, get_context
from shopops.api.routes_work import Strict
from shopops.api.security import assigner, reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.workflow.alerts import AlertView, get_alert, list_alerts, set_alert_status

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class AlertPage(BaseModel):
    items: list[AlertView]


class StatusBody(Strict):
    status: Literal["open", "acknowledged", "resolved"]


@router.get("", response_model=AlertPage, summary="Alerts, most severe and newest first")
def get_alerts(
    status: Literal["open", "acknowledged", "resolved", "all"] = "open",
    kind: str = Query(default="", max_length=50, description="kind prefix, e.g. review. or sales."),
    limit: int = Query(default=100, ge=1, le=1000),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    items = list_alerts(
        ctx.db, status=None if status == "all" else status, kind_prefix=kind or None, limit=limit
    )
    return ModelResponse(AlertPage(items=items))


@router.get("/{alert_id}", response_model=AlertView, summary="One alert with its evidence")
def get_one(
    alert_id: RowId, _principal: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(get_alert(ctx.db, alert_id))


@router.post("/{alert_id}/status", response_model=AlertView, summary="Acknowledge, resolve or reopen")
def post_status(
    alert_id: RowId,
    body: StatusBody,
    principal: Principal = Depends(assigner),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    return ModelResponse(set_alert_status(ctx.db, alert_id, body.status, actor=principal.email))
