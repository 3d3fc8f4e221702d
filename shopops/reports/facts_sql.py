"""The store queries behind :mod:`shopops.reports.facts`: aggregates grouped in the database.

Orders and their lines are summed per day in SQL over the window the report needs (the trend's
13 periods, the previous and the year-ago period), so Python sees a few hundred daily rows however
many orders there are; periods are then sums of days. Customers, movers, stock and reviews are one
grouped query each. ``date(placed_at)`` works on SQLite (a string) and PostgreSQL (a date).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shopops.context import AppContext
from shopops.errors import InputError
from shopops.forecast.service import ForecastRun, load_latest
from shopops.reports.facts import (
    DAY,
    CustomerFacts,
    DailyPoint,
    Freshness,
    Kpi,
    Mover,
    Period,
    PeriodKind,
    ReportFacts,
    TrendPoint,
    change_pct,
    make_kpi,
    period_ending,
    previous_period,
    year_ago_period,
)
from shopops.reports.facts_sections import (
    TOP_N,
    bounds,
    by_sku,
    forecast_facts,
    num,
    order_filters,
    review_facts,
    stock_health,
    work_facts,
)
from shopops.store.models import (
    InventoryLevel,
    Order,
    OrderLine,
    Product,
    ProductVariant,
    Review,
    SalesRecord,
    utcnow,
)

REFUNDED = ("refunded", "partially_refunded")
TREND_PERIODS = 13


@dataclass
class DayAgg:
    revenue: float = 0.0
    orders: int = 0
    refunded: int = 0
    units: float = 0.0
    returned: float = 0.0
    has_revenue: bool = False


def _day(value: Any) -> dt.date:
    return (
        value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        else (dt.date.fromisoformat(str(value)[:10]))
    )


def _freshness(session: Session, run: ForecastRun | None) -> Freshness:
    return Freshness(
        generated_at=utcnow(),
        last_order_at=session.scalar(select(func.max(Order.placed_at))),
        last_sale_on=session.scalar(select(func.max(SalesRecord.date))),
        last_review_at=session.scalar(select(func.max(Review.reviewed_at))),
        inventory_updated_at=session.scalar(select(func.max(InventoryLevel.updated_at))),
        forecast_generated_at=run.generated_at.replace(tzinfo=None) if run else None,
    )


def _main_currency(session: Session) -> str:
    row = session.execute(
        select(Order.currency, func.count().label("n"))
        .group_by(Order.currency)
        .order_by(func.count().desc(), Order.currency)
        .limit(1)
    ).first()
    return row[0] if row else "USD"


def _orders_daily(session: Session, start: dt.date, end: dt.date, currency: str) -> dict[dt.date, DayAgg]:
    day = func.date(Order.placed_at)
    where = order_filters(start, end, currency)
    out: dict[dt.date, DayAgg] = defaultdict(DayAgg)
    refunded = func.sum(case((Order.financial_status.in_(REFUNDED), 1), else_=0))
    for d, orders, revenue, refunds in session.execute(
        select(day, func.count(Order.id), func.sum(Order.total), refunded).where(*where).group_by(day)
    ):
        agg = out[_day(d)]
        agg.orders, agg.revenue, agg.refunded, agg.has_revenue = (
            int(orders),
            num(revenue),
            int(refunds or 0),
            True,
        )
    for d, units, returned in session.execute(
        select(day, func.sum(OrderLine.quantity), func.sum(OrderLine.returned_quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*where)
        .group_by(day)
    ):
        out[_day(d)].units, out[_day(d)].returned = num(units), num(returned)
    return out


def _sales_daily(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, DayAgg]:
    out: dict[dt.date, DayAgg] = defaultdict(DayAgg)
    rows = session.execute(
        select(
            SalesRecord.date,
            func.sum(SalesRecord.units),
            func.sum(SalesRecord.revenue),
            func.count(SalesRecord.revenue),
        )
        .where(SalesRecord.date >= start, SalesRecord.date <= end)
        .group_by(SalesRecord.date)
    )
    for d, units, revenue, with_revenue in rows:
        agg = out[_day(d)]
        agg.units, agg.revenue, agg.has_revenue = num(units), num(revenue), bool(with_revenue)
    return out


def _sum(daily: dict[dt.date, DayAgg], period: Period) -> DayAgg:
    total = DayAgg()
    day = period.start
    while day <= period.end:
        agg = daily.get(day)
        if agg is not None:
            total.revenue += agg.revenue
            total.orders += agg.orders
            total.refunded += agg.refunded
            total.units += agg.units
            total.returned += agg.returned
            total.has_revenue = total.has_revenue or agg.has_revenue
        day += DAY
    return total


def _customers(session: Session, period: Period, currency: str) -> tuple[int, int]:
    """(customers who ordered in the period, of whom new: first order ever in the period)."""
    low, _ = bounds(period.start, period.end)
    buyers = (
        select(Order.customer_id.label("cid"))
        .where(*order_filters(period.start, period.end, currency), Order.customer_id.is_not(None))
        .distinct()
        .subquery()
    )
    first = (
        select(Order.customer_id.label("cid"), func.min(Order.placed_at).label("first_at"))
        .where(Order.status != "cancelled", Order.customer_id.in_(select(buyers.c.cid)))
        .group_by(Order.customer_id)
        .subquery()
    )
    total, new = session.execute(
        select(func.count(), func.sum(case((first.c.first_at >= low, 1), else_=0))).select_from(first)
    ).one()
    return int(total or 0), int(new or 0)


def _titles(session: Session) -> dict[str, str]:
    rows = session.execute(select(ProductVariant.sku, Product.title).join(Product))
    return {sku: title for sku, title in rows if sku}


def _movers(
    session: Session,
    source: str,
    period: Period,
    previous: Period | None,
    currency: str,
    metric: str,
    titles: dict[str, str],
) -> tuple[list[Mover], list[Mover]]:
    if previous is None:
        return [], []
    now = by_sku(session, source, period.start, period.end, currency)
    before = by_sku(session, source, previous.start, previous.end, currency)
    index = 0 if metric == "revenue" else 1
    places = 2 if metric == "revenue" else 1
    movers = []
    for sku in set(now) | set(before):
        value = round(now.get(sku, (0.0, 0.0))[index], places)
        prior = round(before.get(sku, (0.0, 0.0))[index], places)
        if value == prior:
            continue
        movers.append(
            Mover(
                sku=sku,
                title=titles.get(sku, ""),
                value=value,
                previous=prior,
                change=round(value - prior, places),
                change_pct=change_pct(value, prior),
                units=round(now.get(sku, (0.0, 0.0))[1], 1),
                previous_units=round(before.get(sku, (0.0, 0.0))[1], 1),
            )
        )
    up = sorted((m for m in movers if m.change > 0), key=lambda m: (-m.change, m.sku))[:TOP_N]
    down = sorted((m for m in movers if m.change < 0), key=lambda m: (m.change, m.sku))[:TOP_N]
    return up, down


def _kpis(
    source: str, cur: DayAgg, prev: DayAgg | None, ago: DayAgg | None, customers: list[tuple[int, int] | None]
) -> list[Kpi]:
    def values(agg: DayAgg | None, people: tuple[int, int] | None) -> dict[str, float | None]:
        if agg is None:
            return {}
        out: dict[str, float | None] = {
            "revenue": round(agg.revenue, 2) if agg.has_revenue else None,
            "units": round(agg.units, 1) if source == "sales" else round(agg.units),
        }
        if source == "orders":
            out["orders"] = agg.orders
            out["aov"] = round(agg.revenue / agg.orders, 2) if agg.orders else None
            out["return_rate"] = round(100 * agg.returned / agg.units, 1) if agg.units else None
            out["refund_rate"] = round(100 * agg.refunded / agg.orders, 1) if agg.orders else None
            if people is not None:
                out["new_customers"], out["returning_customers"] = people[1], people[0] - people[1]
        return out

    now, before, year = values(cur, customers[0]), values(prev, customers[1]), values(ago, customers[2])
    order = (
        "revenue",
        "orders",
        "units",
        "aov",
        "return_rate",
        "refund_rate",
        "new_customers",
        "returning_customers",
    )
    return [
        make_kpi(name, now[name], before.get(name), year.get(name))
        for name in order  # type: ignore[arg-type]
        if name in now and now[name] is not None
    ]


def _points(daily: dict[dt.date, DayAgg], period: Period) -> list[DailyPoint]:
    out = []
    day = period.start
    while day <= period.end:
        agg = daily.get(day, DayAgg())
        out.append(
            DailyPoint(day=day, revenue=round(agg.revenue, 2), orders=agg.orders, units=round(agg.units, 1))
        )
        day += DAY
    return out


def gather(ctx: AppContext, kind: PeriodKind, end: dt.date | None) -> ReportFacts:
    """Compute :class:`ReportFacts` (see :mod:`shopops.reports.facts`)."""
    run = load_latest(ctx)
    with ctx.db.session() as session:
        fresh = _freshness(session, run)
        data_end = fresh.data_end
        if data_end is None:
            raise InputError(
                "the store has no orders or sales to report on",
                hint="import orders (shopops import orders FILE) or sales (shopops import sales FILE)",
            )
        source = "orders" if fresh.last_order_at is not None else "sales"
        first_day = _day(
            session.scalar(
                select(func.min(Order.placed_at))
                if source == "orders"
                else select(func.min(SalesRecord.date))
            )
        )
        yesterday = dt.datetime.now(dt.UTC).date() - DAY
        period = period_ending(kind, end or min(yesterday, data_end))
        previous = previous_period(period)
        previous = previous if first_day <= previous.start else None
        year_ago = year_ago_period(period)
        year_ago = year_ago if first_day <= year_ago.start else None
        trend = [period]
        while len(trend) < TREND_PERIODS and previous_period(trend[0]).end >= first_day:
            trend.insert(0, previous_period(trend[0]))
        window = min(p.start for p in [*trend, *(p for p in (previous, year_ago) if p)])
        currency = _main_currency(session)
        notes: list[str] = []
        if source == "orders":
            daily = _orders_daily(session, window, period.end, currency)
            other = session.scalar(
                select(func.count(Order.id)).where(
                    *order_filters(period.start, period.end, currency)[:3], Order.currency != currency
                )
            )
            if other:
                notes.append(
                    f"{other} orders in other currencies than {currency} are left out of every figure"
                )
        else:
            daily = _sales_daily(session, window, period.end)
            notes.append("the store has no orders: revenue and units come from its sales history")
        if period.end > data_end:
            notes.append(f"the store's data ends on {data_end.isoformat()}, before the period's end")
        people: list[tuple[int, int] | None] = [None, None, None]
        if source == "orders":
            people = [_customers(session, p, currency) if p else None for p in (period, previous, year_ago)]
        cur = _sum(daily, period)
        kpis = _kpis(
            source, cur, previous and _sum(daily, previous), year_ago and _sum(daily, year_ago), people
        )
        metric = "revenue" if cur.has_revenue else "units"
        titles = _titles(session)
        up, down = _movers(session, source, period, previous, currency, metric, titles)
        customers = None
        if people[0] is not None:
            total, new = people[0]
            customers = CustomerFacts(
                customers=total,
                new=new,
                returning=total - new,
                new_share_pct=round(100 * new / total, 1) if total else None,
                previous_customers=people[1][0] if people[1] else None,
            )
        return ReportFacts(
            period=period,
            previous=previous,
            year_ago=year_ago,
            currency=currency,
            source=source,
            kpis=kpis,
            mover_metric=metric,
            movers_up=up,
            movers_down=down,
            customers=customers,
            stock=stock_health(session, source, period, currency, titles),
            reviews=review_facts(ctx, session, period, previous),
            forecast=forecast_facts(session, run, period),
            work=work_facts(ctx, session, period),
            freshness=fresh,
            daily=_points(daily, period),
            previous_daily=_points(daily, previous) if previous else [],
            trend=[
                TrendPoint(
                    label=p.label,
                    start=p.start,
                    end=p.end,
                    revenue=round(a.revenue, 2),
                    orders=a.orders,
                    units=round(a.units, 1),
                )
                for p in trend
                for a in [_sum(daily, p)]
            ],
            notes=notes,
        )
