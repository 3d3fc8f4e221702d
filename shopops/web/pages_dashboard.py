"""``/``: the dashboard — queue sizes, tickets, today's model usage, sales KPIs, stock alerts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.web.queries import queue_summary, sales_kpis, ticket_counts, usage_today
from shopops.web.render import context_of, render
from shopops.web.stock import stock_alerts

router = APIRouter(include_in_schema=False)
MAX_ALERTS = 10


@router.get("/")
def dashboard(request: Request, who: Principal = Depends(reader)) -> Response:
    db = context_of(request).db
    alerts = stock_alerts(db)
    return render(
        request,
        "dashboard.html",
        who,
        active="/",
        queue=queue_summary(db),
        tickets=ticket_counts(db),
        usage=usage_today(db),
        kpis=sales_kpis(db),
        alerts=alerts[:MAX_ALERTS],
        alerts_total=len(alerts),
    )
