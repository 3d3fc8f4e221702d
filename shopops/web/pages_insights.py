"""``/reports``: a read-only view of report and plan drafts (``/forecasts``, ``/alerts``:
pages_forecasts; ``/reviews``: pages_reviews).

Reports proper come from their own capability later; this page shows what the store already holds
(no made-up numbers): report and plan drafts in the queue.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.web.render import context_of, render
from shopops.workflow.drafts import list_drafts

router = APIRouter(include_in_schema=False)
REPORT_KINDS = ("report.", "plan.")


@router.get("/reports")
def reports(request: Request, who: Principal = Depends(reader)) -> Response:
    db = context_of(request).db
    sections = [(prefix, list_drafts(db, kind=prefix, limit=50)) for prefix in REPORT_KINDS]
    return render(request, "reports.html", who, active="/reports", sections=sections)
