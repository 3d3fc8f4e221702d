"""``/forecasts`` and ``/alerts``: demand forecasts, stock health and the alerts a person handles.

``/forecasts`` shows the last stored forecast run (``<data_dir>/forecasts/latest.json``; nothing is
recomputed on a page view): when it ran, the bucket size, horizon and the models the selection
chose, then one card per SKU with its chart (recent sales, the dashed forecast and its widest
interval as a band) and the inventory plan's numbers, the SKUs with open alerts first. Below is the
stock-health table read straight from inventory and sales, which works before any run.

``/alerts`` lists the alerts of every detector (forecasts: ``sales.decline``, ``stock.*``; reviews:
``review.aspect_rise``) with the numbers behind each, a weekly chart for a review alert, buttons to
acknowledge or resolve (``work.assign``) and to draft a response plan (``drafts.edit``), which calls
the model and lands on the draft in the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from shopops.api.admission import admission_for
from shopops.api.security import assigner, editor, reader
from shopops.auth.accounts import Principal
from shopops.charts import Series, line_chart
from shopops.errors import InputError
from shopops.forecast.plans import PLAN_KIND, draft_plan
from shopops.forecast.service import ForecastRun, SkuSeries, load_latest, run_forecasts, sku_chart
from shopops.web.i18n import translator
from shopops.web.render import RowId, context_of, language_of, pager, render
from shopops.web.stock import LOW_DAYS, OVERSTOCK_DAYS, STATUS_ORDER, WINDOW_DAYS, stock_health
from shopops.workflow.alerts import SEVERITY_ORDER, STATUSES, AlertView, list_alerts, set_alert_status
from shopops.workflow.drafts import open_drafts_for

router = APIRouter(include_in_schema=False)
MAX_STOCK_ROWS = 500
CARDS_PER_PAGE = 12
ALERTS_PER_PAGE = 25
MAX_ALERTS = 1000
KIND_FILTERS = ("stock", "sales", "review")  # kind prefixes, without the dot
PLAN_FIELDS = ("on_hand", "days_of_cover", "reorder_point", "order_quantity", "stockout_date")
EVIDENCE_SKIP = frozenset({"series", "skus"})  # the series is charted; skus repeats the subject
MAX_EVIDENCE_ROWS = 24


@dataclass(frozen=True)
class SkuCard:
    series: SkuSeries
    chart: str
    title: str
    product_id: int | None
    alerts: list[AlertView]
    plan: dict[str, Any]


def order_cards(run: ForecastRun, alerts: list[AlertView]) -> list[SkuSeries]:
    """SKUs with open alerts first (most severe first), then the best sellers of the recent history."""
    rank: dict[str, int] = {}
    for alert in alerts:
        if alert.subject_type == "sku":
            rank[alert.subject_id] = min(rank.get(alert.subject_id, 3), SEVERITY_ORDER.get(alert.severity, 3))
    return sorted(run.series, key=lambda s: (rank.get(s.sku, 3), -sum(s.history_y[-8:]), s.sku))


def show_value(value: Any) -> str:
    """An evidence value as text: small floats in scientific notation (p-values), others rounded."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if value != 0 and abs(value) < 0.01:
            return f"{value:.2e}"
        return f"{round(value, 2):g}"
    return str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The alert's numbers as (key, value) rows; nested windows flattened to ``recent.count``."""
    rows: list[tuple[str, str]] = []
    for key, value in evidence.items():
        if key in EVIDENCE_SKIP:
            continue
        if isinstance(value, dict):
            flat = [(f"{key}.{k}", v) for k, v in value.items() if not isinstance(v, dict | list)]
            rows += [(name, show_value(v)) for name, v in flat]
        elif isinstance(value, list):
            if len(value) <= 10 and not any(isinstance(v, dict | list) for v in value):
                rows.append((key, ", ".join(show_value(v) for v in value)))
        else:
            rows.append((key, show_value(value)))
    return rows[:MAX_EVIDENCE_ROWS]


def review_alert_chart(alert: AlertView, baseline_name: str) -> str | None:
    """The weekly negative share of a review alert's aspect, with the baseline share dashed."""
    weeks = alert.evidence.get("series")
    if alert.kind != "review.aspect_rise" or not isinstance(weeks, list) or not weeks:
        return None
    labels = [str(w.get("week_start", ""))[5:] for w in weeks]
    shares = [float(w["share"]) if w.get("reviews") else None for w in weeks]
    lines = [Series(str(alert.evidence.get("aspect", "share")), shares, color="#dc2626")]
    baseline = alert.evidence.get("baseline")
    if isinstance(baseline, dict) and isinstance(baseline.get("share"), int | float):
        lines.append(Series(baseline_name, [float(baseline["share"])] * len(weeks), dashed=True))
    return line_chart(alert.title, labels, lines, percent=True, test_id=f"alert-chart-{alert.id}")


def plan_drafts(request: Request, alert_ids: list[int]) -> dict[int, int]:
    """alert id -> its waiting or approved response plan draft's id (the newest)."""
    return open_drafts_for(context_of(request).db, PLAN_KIND, "alert", alert_ids)


@router.get("/forecasts")
def forecasts(
    request: Request,
    status: str = Query("", max_length=20),
    sku: str = Query("", max_length=255),
    page: int = Query(1, ge=1, le=100_000),
    error: str = Query("", max_length=300),
    done: str = Query("", max_length=40),
    who: Principal = Depends(reader),
) -> Response:
    ctx = context_of(request)
    rows = stock_health(ctx.db)
    counts = {name: 0 for name in STATUS_ORDER}
    for row in rows:
        counts[row.status] += 1
    status = status if status in STATUS_ORDER else ""
    shown = [row for row in rows if not status or row.status == status]
    run = load_latest(ctx)
    cards: list[SkuCard] = []
    cards_pager = None
    if run is not None:
        alerts = list_alerts(ctx.db, status="open", subject_type="sku", limit=MAX_ALERTS)
        chosen = [s for s in order_cards(run, alerts) if not sku.strip() or s.sku == sku.strip()]
        cards_pager = pager(request, len(chosen), page, per_page=CARDS_PER_PAGE)
        start = (cards_pager.page - 1) * CARDS_PER_PAGE
        by_sku = {row.sku: row for row in rows}
        for series in chosen[start : start + CARDS_PER_PAGE]:
            row = by_sku.get(series.sku)
            cards.append(
                SkuCard(
                    series=series,
                    chart=sku_chart(series),
                    title=row.title if row else "",
                    product_id=row.product_id if row else None,
                    alerts=[a for a in alerts if a.subject_id == series.sku],
                    plan={k: (series.plan or {}).get(k) for k in PLAN_FIELDS} if series.plan else {},
                )
            )
    return render(
        request,
        "forecasts.html",
        who,
        active="/forecasts",
        run=run,
        freq_key="forecast.freq.daily" if run is not None and run.freq == "D" else "forecast.freq.weekly",
        cards=cards,
        cards_pager=cards_pager,
        sku=sku.strip(),
        error=error,
        done=done,
        show_value=show_value,
        rows=shown[:MAX_STOCK_ROWS],
        shown_total=len(shown),
        counts=counts,
        status=status,
        window_days=WINDOW_DAYS,
        low_days=LOW_DAYS,
        overstock_days=OVERSTOCK_DAYS,
    )


@router.post("/forecasts/run")
def run(request: Request, who: Principal = Depends(editor)) -> Response:
    """Forecast every SKU, plan stock and raise alerts; a store of a few hundred SKUs takes seconds."""
    try:
        result = run_forecasts(context_of(request), actor=who.email)
    except InputError as exc:
        return RedirectResponse("/forecasts?" + urlencode({"error": exc.message[:200]}), status_code=303)
    return RedirectResponse(f"/forecasts?done={len(result.alert_ids)}", status_code=303)


def _alerts_url(status: str, kind: str, **extra: str) -> str:
    params = {
        "status": status if status in (*STATUSES, "all") else "",
        "kind": kind if kind in KIND_FILTERS else "",
        **extra,
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return "/alerts" + ("?" + query if query else "")


@router.get("/alerts")
def alerts(
    request: Request,
    status: str = Query("open", max_length=20),
    kind: str = Query("", max_length=20),
    page: int = Query(1, ge=1, le=100_000),
    error: str = Query("", max_length=300),
    done: str = Query("", max_length=40),
    who: Principal = Depends(reader),
) -> Response:
    ctx = context_of(request)
    status = status if status in (*STATUSES, "all") else "open"
    kind = kind if kind in KIND_FILTERS else ""
    found = list_alerts(
        ctx.db,
        status=None if status == "all" else status,
        kind_prefix=f"{kind}." if kind else None,
        limit=MAX_ALERTS,
    )
    paging = pager(request, len(found), page, per_page=ALERTS_PER_PAGE)
    start = (paging.page - 1) * ALERTS_PER_PAGE
    shown = found[start : start + ALERTS_PER_PAGE]
    baseline_name = translator(language_of(request, who))("alerts.baseline")
    return render(
        request,
        "alerts.html",
        who,
        active="/alerts",
        alerts=shown,
        evidence={a.id: evidence_rows(a.evidence) for a in shown},
        charts={a.id: review_alert_chart(a, baseline_name) for a in shown},
        plans=plan_drafts(request, [a.id for a in shown]),
        pager=paging,
        status=status,
        kind=kind,
        statuses=(*STATUSES, "all"),
        kinds=KIND_FILTERS,
        error=error,
        done=done,
    )


@router.post("/alerts/{alert_id}/status")
def alert_status(
    request: Request,
    alert_id: RowId,
    status: str = Form(..., max_length=20),
    back_status: str = Form("", max_length=20),
    back_kind: str = Form("", max_length=20),
    who: Principal = Depends(assigner),
) -> Response:
    """Acknowledge, resolve or reopen an alert; back to the list with its filters kept."""
    try:
        set_alert_status(context_of(request).db, alert_id, status, actor=who.email)
    except InputError as exc:
        if exc.http_status == 404:
            raise
        return RedirectResponse(_alerts_url(back_status, back_kind, error=exc.message[:200]), status_code=303)
    return RedirectResponse(_alerts_url(back_status, back_kind, done=status), status_code=303)


@router.post("/alerts/{alert_id}/plan")
def alert_plan(request: Request, alert_id: RowId, who: Principal = Depends(editor)) -> Response:
    """Draft a response plan (the model words it, the code checks its numbers); open it in the queue."""
    ctx = context_of(request)
    with admission_for(ctx).slot():
        plan = draft_plan(ctx, alert_id, actor=who.email)
    return RedirectResponse(f"/queue/{plan.draft_id}", status_code=303)
