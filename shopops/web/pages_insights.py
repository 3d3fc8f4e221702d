"""``/forecasts`` and ``/reports``: read-only views of stock and reports (``/reviews``: pages_reviews).

Forecasts and reports proper come from their own capabilities later; these pages show what the
store already holds (no made-up numbers): stock health from inventory and sales, and report/plan
drafts in the queue.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.web.render import context_of, render
from shopops.web.stock import LOW_DAYS, OVERSTOCK_DAYS, STATUS_ORDER, WINDOW_DAYS, stock_health
from shopops.workflow.drafts import list_drafts

router = APIRouter(include_in_schema=False)
MAX_STOCK_ROWS = 500
REPORT_KINDS = ("report.", "plan.")


def _optional_int(value: str, low: int, high: int) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and low <= int(value) <= high else None


@router.get("/forecasts")
def forecasts(
    request: Request,
    status: str = Query("", max_length=20),
    who: Principal = Depends(reader),
) -> Response:
    rows = stock_health(context_of(request).db)
    counts = {name: 0 for name in STATUS_ORDER}
    for row in rows:
        counts[row.status] += 1
    status = status if status in STATUS_ORDER else ""
    shown = [row for row in rows if not status or row.status == status]
    return render(
        request,
        "forecasts.html",
        who,
        active="/forecasts",
        rows=shown[:MAX_STOCK_ROWS],
        shown_total=len(shown),
        counts=counts,
        status=status,
        window_days=WINDOW_DAYS,
        low_days=LOW_DAYS,
        overstock_days=OVERSTOCK_DAYS,
    )


@router.get("/reports")
def reports(request: Request, who: Principal = Depends(reader)) -> Response:
    db = context_of(request).db
    sections = [(prefix, list_drafts(db, kind=prefix, limit=50)) for prefix in REPORT_KINDS]
    return render(request, "reports.html", who, active="/reports", sections=sections)
