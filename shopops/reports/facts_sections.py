"""The sections of a report around its sales numbers: stock health, reviews, the forecast, work.

Also the query helpers :mod:`shopops.reports.facts_sql` shares with them (period bounds, the
order filter, per-SKU sums). Stock is counted as the inventory table holds it now, against the
units sold in the ``DEMAND_DAYS`` to the period's end; reviews reuse the review-intelligence
summary (:func:`shopops.reviews.summary.summarize`) over the period's analysed reviews; the
forecast is the stored run (:func:`shopops.forecast.service.load_latest`), never a new one.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shopops.context import AppContext
from shopops.forecast.service import ForecastRun
from shopops.reports.facts import (
    DAY,
    AlertItem,
    AspectCount,
    ForecastFacts,
    Period,
    PlanItem,
    ReviewFacts,
    StockHealth,
    StockItem,
    WorkFacts,
    change_pct,
    direction_of,
    period_ending,
)
from shopops.store.models import Alert, InventoryLevel, Order, OrderLine, Review, ReviewAnalysis, SalesRecord

TOP_N = 5
DEMAND_DAYS = 28
OVERSTOCK_DAYS = 182
DEFAULT_LEAD_TIME = 14.0
COVER_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<7 d", 7), ("7-14 d", 14), ("14-30 d", 30), ("30-90 d", 90), ("90-182 d", 182), (">182 d", float("inf"))
)  # fmt: skip


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00, end + 1 day 00:00)`` for timestamp columns."""
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + DAY, dt.time())


def num(value: Any) -> float:
    return float(value or 0)


def order_filters(start: dt.date, end: dt.date, currency: str) -> list[Any]:
    low, high = bounds(start, end)
    return [
        Order.placed_at >= low,
        Order.placed_at < high,
        Order.status != "cancelled",
        Order.currency == currency,
    ]


def by_sku(
    session: Session, source: str, start: dt.date, end: dt.date, currency: str
) -> dict[str, tuple[float, float]]:
    """(revenue, units) per SKU over ``[start, end]``."""
    if source == "orders":
        rows = session.execute(
            select(
                OrderLine.sku,
                func.sum(OrderLine.quantity * OrderLine.unit_price),
                func.sum(OrderLine.quantity),
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(*order_filters(start, end, currency))
            .group_by(OrderLine.sku)
        )
    else:
        rows = session.execute(
            select(SalesRecord.sku, func.sum(SalesRecord.revenue), func.sum(SalesRecord.units))
            .where(SalesRecord.date >= start, SalesRecord.date <= end)
            .group_by(SalesRecord.sku)
        )
    return {sku: (num(revenue), num(units)) for sku, revenue, units in rows if sku}


def stock_health(
    session: Session, source: str, period: Period, currency: str, titles: dict[str, str]
) -> StockHealth | None:
    levels = session.execute(
        select(
            InventoryLevel.sku, func.sum(InventoryLevel.on_hand), func.max(InventoryLevel.lead_time_days)
        ).group_by(InventoryLevel.sku)
    ).all()
    if not levels:
        return None
    start = period.end - dt.timedelta(days=DEMAND_DAYS - 1)
    demand = by_sku(session, source, start, period.end, currency)
    items = []
    for sku, on_hand, lead in levels:
        daily = round(demand.get(sku, (0.0, 0.0))[1] / DEMAND_DAYS, 2)
        stock = num(on_hand)
        cover = round(stock / daily, 1) if daily > 0 and stock > 0 else (0.0 if stock <= 0 else None)
        lead_days = float(lead) if lead is not None else DEFAULT_LEAD_TIME
        items.append(
            StockItem(
                sku=sku,
                title=titles.get(sku, ""),
                on_hand=stock,
                daily_units=daily,
                cover_days=cover,
                lead_time_days=lead_days,
            )
        )
    out = [i for i in items if i.on_hand <= 0]
    low = [i for i in items if i.on_hand > 0 and i.cover_days is not None and i.cover_days < i.lead_time_days]
    over = [i for i in items if i.on_hand > 0 and (i.cover_days is None or i.cover_days > OVERSTOCK_DAYS)]
    covers = [i.cover_days for i in items if i.on_hand > 0 and i.cover_days is not None]
    buckets = [("out", len(out))]
    low_edge = 0.0
    for label, high in COVER_BUCKETS:
        buckets.append((label, sum(1 for c in covers if low_edge <= c < high)))
        low_edge = high
    buckets.append(("no demand", sum(1 for i in items if i.on_hand > 0 and i.cover_days is None)))
    out_days = session.scalar(
        select(func.count()).select_from(
            select(SalesRecord.sku, SalesRecord.date)
            .where(
                SalesRecord.date >= period.start,
                SalesRecord.date <= period.end,
                SalesRecord.in_stock.is_(False),
            )
            .distinct()
            .subquery()
        )
    )
    has_sales = session.scalar(
        select(func.count(SalesRecord.id)).where(
            SalesRecord.date >= period.start, SalesRecord.date <= period.end
        )
    )
    risk_order = sorted(out + low, key=lambda i: (i.cover_days or 0.0, i.sku))
    return StockHealth(
        skus=len(items),
        out_of_stock=len(out),
        low_cover=len(low),
        overstock=len(over),
        median_cover_days=round(statistics.median(covers), 1) if covers else None,
        stockout_days=int(out_days or 0) if has_sales else None,
        demand_days=DEMAND_DAYS,
        overstock_days=OVERSTOCK_DAYS,
        cover_buckets=buckets,
        at_risk=risk_order[:TOP_N],
        overstocked=sorted(over, key=lambda i: (-(i.cover_days or float("inf")), i.sku))[:TOP_N],
    )


def _sentiment(session: Session, period: Period) -> tuple[int, int, int, float | None]:
    """(reviews, analysed, negative among analysed, average rating) of the period."""
    low, high = bounds(period.start, period.end)
    where = [Review.reviewed_at >= low, Review.reviewed_at < high]
    reviews, rating = session.execute(
        select(func.count(Review.id), func.avg(Review.rating)).where(*where)
    ).one()
    analysed, negative = session.execute(
        select(
            func.count(ReviewAnalysis.review_id),
            func.sum(case((ReviewAnalysis.sentiment == "negative", 1), else_=0)),
        )
        .join(Review, Review.id == ReviewAnalysis.review_id)
        .where(*where)
    ).one()
    return (
        int(reviews or 0),
        int(analysed or 0),
        int(negative or 0),
        (round(float(rating), 2) if rating else None),
    )


def review_facts(
    ctx: AppContext, session: Session, period: Period, previous: Period | None
) -> ReviewFacts | None:
    from shopops.reviews.service import load_analyzed
    from shopops.reviews.summary import summarize

    reviews, analysed, negative, rating = _sentiment(session, period)
    if not reviews:
        return None
    low, high = bounds(period.start, period.end)
    ids = list(session.scalars(select(Review.id).where(Review.reviewed_at >= low, Review.reviewed_at < high)))
    summary = summarize(load_analyzed(ctx, review_ids=ids), scope="store", scope_id="", top_n=3)
    share = round(100 * negative / analysed, 1) if analysed else None
    prior_share = prior_rating = None
    if previous is not None:
        _, prior_analysed, prior_negative, prior_rating = _sentiment(session, previous)
        prior_share = round(100 * prior_negative / prior_analysed, 1) if prior_analysed else None

    def counts(ranked: list[Any]) -> list[AspectCount]:
        return [
            AspectCount(aspect=r.aspect, count=r.count, share_pct=round(100 * r.count / analysed, 1))
            for r in ranked
            if analysed
        ]

    positive = summary.sentiment["positive"].count if analysed else 0
    return ReviewFacts(
        reviews=reviews,
        analyzed=analysed,
        average_rating=rating,
        previous_average_rating=prior_rating,
        negative_pct=share,
        previous_negative_pct=prior_share,
        negative_change_pts=round(share - prior_share, 1)
        if share is not None and prior_share is not None
        else None,
        positive_pct=round(100 * positive / analysed, 1) if analysed else None,
        top_complaints=counts(summary.top_complained),
        top_praise=counts(summary.top_praised),
    )


def next_period(period: Period) -> Period:
    if period.kind == "weekly":
        return period_ending("weekly", period.end + dt.timedelta(days=7))
    first = period.end + DAY
    return period_ending("monthly", (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - DAY)


def forecast_facts(session: Session, run: ForecastRun | None, period: Period) -> ForecastFacts | None:
    if run is None or not run.series:
        return None
    target = next_period(period)
    step = 7 if run.freq.startswith("W") else 1
    covered: set[dt.date] = set()
    units = 0.0
    for series in run.series:
        for ds, mean in zip(series.ds, series.mean, strict=False):
            first = dt.date.fromisoformat(ds)
            days = [first + dt.timedelta(days=k) for k in range(step)]
            inside = [d for d in days if target.contains(d)]
            covered.update(inside)
            units += mean * len(inside) / step
    if not covered:
        return None
    current = session.scalar(
        select(func.sum(SalesRecord.units)).where(
            SalesRecord.date >= period.start, SalesRecord.date <= period.end
        )
    )
    daily = round(units / len(covered), 1)
    current_daily = round(num(current) / period.days, 1) if current is not None else None
    return ForecastFacts(
        start=target.start,
        end=target.end,
        units=round(units),
        days_covered=len(covered),
        days=target.days,
        daily_units=daily,
        current_daily_units=current_daily,
        change_pct=change_pct(daily, current_daily),
        direction=direction_of(daily, current_daily),
        skus=len(run.series),
        generated_at=run.generated_at.replace(tzinfo=None),
        freq=run.freq,
    )


def work_facts(ctx: AppContext, session: Session, period: Period) -> WorkFacts:
    from shopops.forecast.plans import PLAN_KIND
    from shopops.workflow.alerts import list_alerts
    from shopops.workflow.drafts import list_drafts

    by_kind: dict[str, int] = defaultdict(int)
    high = 0
    for kind, severity, count in session.execute(
        select(Alert.kind, Alert.severity, func.count())
        .where(Alert.status == "open")
        .group_by(Alert.kind, Alert.severity)
    ):
        by_kind[kind] += int(count)
        high += int(count) if severity == "high" else 0
    low, high_at = bounds(period.start, period.end)
    new = session.scalar(
        select(func.count(Alert.id)).where(Alert.detected_at >= low, Alert.detected_at < high_at)
    )
    top = [
        AlertItem(id=a.id, kind=a.kind, severity=a.severity, title=a.title)
        for a in list_alerts(ctx.db, status="open", limit=200)[:TOP_N]
    ]
    pending = list_drafts(ctx.db, kind=PLAN_KIND, status="draft", limit=TOP_N)
    approved = list_drafts(ctx.db, kind=PLAN_KIND, status="approved", limit=1)
    plans = [
        PlanItem(draft_id=d.id, alert_id=d.subject_id, summary=str(d.content.get("summary", ""))[:300])
        for d in pending.items
    ]
    return WorkFacts(
        open_alerts=sum(by_kind.values()),
        high_alerts=high,
        new_alerts=int(new or 0),
        by_kind=dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        top_alerts=top,
        plans_pending=pending.total,
        plans_approved=approved.total,
        plans=plans,
    )
