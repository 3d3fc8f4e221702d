"""The facts of an operations report: every number it shows or says, computed in code from the store.

:func:`compute_facts` reads the store with SQL aggregates (daily sums grouped in the database, so a
year of daily orders over thousands of SKUs is a few hundred rows to Python) and returns
:class:`ReportFacts`: the period and its comparisons, KPIs, movers, customers, stock health, reviews,
the forecast for the next period, open alerts and plans, chart series and data freshness. The
narrative (:mod:`shopops.reports.narrative`) only words these facts and its checker
(:mod:`shopops.reports.narrative_check`) reads every number against them.

Periods. A weekly report covers a Monday-to-Sunday week, a monthly one a calendar month; the
report covers the last *complete* period ending on or before ``end`` (default: yesterday, or the
store's last day of data when that is earlier, so a historical store reports its last period, not
an empty one). ``previous`` is the period before; ``year_ago`` the same ISO weekdays 52 weeks
earlier (weekly) or the same month a year earlier (monthly). A comparison is made only when the
store's data covers the whole comparison period. Dates are the store's (naive UTC) dates.

Definitions. Orders: not cancelled, in the store's main currency (other currencies are counted
in ``notes``, not summed). Revenue: the sum of their totals. AOV: revenue / orders. Units: the
lines' quantities. Return rate: returned units / units of the period's orders (percent). Refund
rate: orders refunded (fully or partly) / orders (percent). New customers: customers whose first
order ever falls in the period; returning: the others who ordered in it. A store with no orders
(a sales history only) reports revenue and units from the ``sales`` table. Values are rounded as
shown (money to 2 places, rates to 1) and changes are computed from the rounded values, so every
change a reader can recompute from the report matches. ``direction`` is ``flat`` when the change
rounds to under half a percent.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from shopops.errors import InputError

if TYPE_CHECKING:
    from shopops.context import AppContext

PeriodKind = Literal["weekly", "monthly"]
Direction = Literal["up", "down", "flat"]
Unit = Literal["money", "count", "percent"]
KpiName = Literal[
    "revenue", "orders", "units", "aov", "return_rate", "refund_rate", "new_customers", "returning_customers"
]
KPI_UNITS: dict[str, Unit] = {
    "revenue": "money",
    "orders": "count",
    "units": "count",
    "aov": "money",
    "return_rate": "percent",
    "refund_rate": "percent",
    "new_customers": "count",
    "returning_customers": "count",
}
FLAT_PCT = 0.5
DAY = dt.timedelta(days=1)


class Period(BaseModel):
    kind: PeriodKind
    start: dt.date
    end: dt.date  # inclusive
    label: str  # "2026-W44" or "2026-10"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def period_ending(kind: PeriodKind, anchor: dt.date) -> Period:
    """The last complete week (Monday to Sunday) or calendar month ending on or before ``anchor``."""
    if kind == "weekly":
        end = anchor if anchor.weekday() == 6 else anchor - dt.timedelta(days=anchor.weekday() + 1)
        start = end - dt.timedelta(days=6)
        year, week, _ = start.isocalendar()
        return Period(kind=kind, start=start, end=end, label=f"{year}-W{week:02d}")
    if kind != "monthly":
        raise InputError(f"unknown report period {kind!r}", hint="use weekly or monthly")
    end = anchor if (anchor + DAY).day == 1 else anchor.replace(day=1) - DAY
    return Period(kind=kind, start=end.replace(day=1), end=end, label=f"{end.year}-{end.month:02d}")


def previous_period(period: Period) -> Period:
    return period_ending(period.kind, period.start - DAY)


def year_ago_period(period: Period) -> Period:
    if period.kind == "weekly":
        return period_ending("weekly", period.end - dt.timedelta(days=364))
    first = period.start.replace(year=period.start.year - 1)
    return period_ending("monthly", (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - DAY)


def change_pct(value: float | None, previous: float | None) -> float | None:
    """Relative change in percent, one decimal; None without a non-zero base."""
    if value is None or previous is None or previous == 0:
        return None
    return round(100 * (value - previous) / abs(previous), 1)


def direction_of(value: float | None, previous: float | None) -> Direction | None:
    if value is None or previous is None:
        return None
    pct = change_pct(value, previous)
    if pct is None:
        return "flat" if value == previous else ("up" if value > previous else "down")
    return "flat" if abs(pct) < FLAT_PCT else ("up" if pct > 0 else "down")


class Kpi(BaseModel):
    """One KPI with its comparisons. For percent KPIs ``change`` is in percentage points."""

    name: KpiName
    unit: Unit
    value: float | None
    previous: float | None = None
    change: float | None = None
    change_pct: float | None = None
    direction: Direction | None = None
    year_ago: float | None = None
    yoy_change: float | None = None
    yoy_pct: float | None = None
    yoy_direction: Direction | None = None


def make_kpi(name: KpiName, value: float | None, previous: float | None, year_ago: float | None) -> Kpi:
    places = 2 if KPI_UNITS[name] == "money" else 1 if KPI_UNITS[name] == "percent" else 0

    def diff(base: float | None) -> float | None:
        return None if value is None or base is None else round(value - base, places)

    return Kpi(
        name=name,
        unit=KPI_UNITS[name],
        value=value,
        previous=previous,
        change=diff(previous),
        change_pct=change_pct(value, previous),
        direction=direction_of(value, previous),
        year_ago=year_ago,
        yoy_change=diff(year_ago),
        yoy_pct=change_pct(value, year_ago),
        yoy_direction=direction_of(value, year_ago),
    )


class Mover(BaseModel):
    """A SKU whose revenue (``ReportFacts.mover_metric``; units when the store records no revenue)
    changed most against the previous period."""

    sku: str
    title: str = ""
    value: float
    previous: float
    change: float
    change_pct: float | None
    units: float
    previous_units: float


class CustomerFacts(BaseModel):
    customers: int
    new: int
    returning: int
    new_share_pct: float | None
    previous_customers: int | None = None


class StockItem(BaseModel):
    sku: str
    title: str = ""
    on_hand: float
    daily_units: float
    cover_days: float | None  # None: no demand in the window
    lead_time_days: float


class StockHealth(BaseModel):
    """Stock as counted now (the inventory table) against demand of the ``demand_days`` to the
    period's end. Low cover: in stock but fewer days of cover than the lead time; overstock: more
    than ``overstock_days`` of cover, or stock with no demand."""

    skus: int
    out_of_stock: int
    low_cover: int
    overstock: int
    median_cover_days: float | None
    stockout_days: int | None  # SKU-days marked out of stock in the period (sales table)
    demand_days: int
    overstock_days: int
    cover_buckets: list[tuple[str, int]]
    at_risk: list[StockItem]
    overstocked: list[StockItem]


class AspectCount(BaseModel):
    aspect: str
    count: int
    share_pct: float  # of the period's analysed reviews


class ReviewFacts(BaseModel):
    reviews: int
    analyzed: int
    average_rating: float | None
    previous_average_rating: float | None = None
    negative_pct: float | None  # of analysed reviews
    previous_negative_pct: float | None = None
    negative_change_pts: float | None = None
    positive_pct: float | None = None
    top_complaints: list[AspectCount] = Field(default_factory=list)
    top_praise: list[AspectCount] = Field(default_factory=list)


class ForecastFacts(BaseModel):
    """The stored forecast run's units for the next period (summed over SKUs; see
    :mod:`shopops.forecast.service`) against this period's units per day from the same sales table."""

    start: dt.date
    end: dt.date
    units: float
    days_covered: int
    days: int
    daily_units: float
    current_daily_units: float | None
    change_pct: float | None
    direction: Direction | None
    skus: int
    generated_at: dt.datetime
    freq: str


class AlertItem(BaseModel):
    id: int
    kind: str
    severity: str
    title: str


class PlanItem(BaseModel):
    draft_id: int
    alert_id: str
    summary: str


class WorkFacts(BaseModel):
    open_alerts: int
    high_alerts: int
    new_alerts: int  # detected during the period
    by_kind: dict[str, int]
    top_alerts: list[AlertItem]
    plans_pending: int
    plans_approved: int
    plans: list[PlanItem]


class Freshness(BaseModel):
    generated_at: dt.datetime
    last_order_at: dt.datetime | None = None
    last_sale_on: dt.date | None = None
    last_review_at: dt.datetime | None = None
    inventory_updated_at: dt.datetime | None = None
    forecast_generated_at: dt.datetime | None = None

    @property
    def data_end(self) -> dt.date | None:
        days = [d for d in (self.last_order_at and self.last_order_at.date(), self.last_sale_on) if d]
        return max(days) if days else None


class DailyPoint(BaseModel):
    day: dt.date
    revenue: float
    orders: int
    units: float


class TrendPoint(BaseModel):
    label: str
    start: dt.date
    end: dt.date
    revenue: float
    orders: int
    units: float


class ReportFacts(BaseModel):
    period: Period
    previous: Period | None
    year_ago: Period | None
    currency: str
    source: Literal["orders", "sales"]
    kpis: list[Kpi]
    mover_metric: Literal["revenue", "units"]
    movers_up: list[Mover]
    movers_down: list[Mover]
    customers: CustomerFacts | None
    stock: StockHealth | None
    reviews: ReviewFacts | None
    forecast: ForecastFacts | None
    work: WorkFacts
    freshness: Freshness
    daily: list[DailyPoint]
    previous_daily: list[DailyPoint]
    trend: list[TrendPoint]
    notes: list[str] = Field(default_factory=list)

    def kpi(self, name: str) -> Kpi | None:
        return next((k for k in self.kpis if k.name == name), None)


def compute_facts(ctx: AppContext, kind: PeriodKind, *, end: dt.date | None = None) -> ReportFacts:
    """The facts of the ``kind`` report ending on or before ``end`` (see the module docstring)."""
    from shopops.reports.facts_sql import gather  # the queries; they import the models above

    return gather(ctx, kind, end)


# -- how code writes a fact (the renderers and the code's own sentences use these) ----------------
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥"}
KPI_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "revenue": "Revenue", "orders": "Orders", "units": "Units sold", "aov": "Average order value",
        "return_rate": "Return rate", "refund_rate": "Refund rate", "new_customers": "New customers",
        "returning_customers": "Returning customers",
    },
    "zh": {
        "revenue": "销售额", "orders": "订单数", "units": "销量", "aov": "客单价", "return_rate": "退货率",
        "refund_rate": "退款率", "new_customers": "新客户", "returning_customers": "老客户",
    },
}  # fmt: skip


def fmt_money(value: float, currency: str) -> str:
    """``$1,414.00``; ``AUD 1,414.00`` for a currency without a symbol here."""
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{abs(value):,.2f}" if symbol else f"{sign}{currency} {abs(value):,.2f}"


def fmt_number(value: float) -> str:
    """Whole numbers with separators (``1,234``), others to one decimal (``3.5``)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_value(value: float | None, unit: Unit, currency: str) -> str:
    if value is None:
        return "n/a"
    if unit == "money":
        return fmt_money(value, currency)
    return f"{value:.1f}%" if unit == "percent" else fmt_number(value)


def fmt_change(kpi: Kpi, currency: str, *, yoy: bool = False) -> str:
    """``+6.7%`` (relative), or ``-17.1 pts`` for a percent KPI; ``n/a`` without a comparison."""
    delta, pct = (kpi.yoy_change, kpi.yoy_pct) if yoy else (kpi.change, kpi.change_pct)
    if delta is None:
        return "n/a"
    if kpi.unit == "percent":
        return f"{delta:+.1f} pts"
    if pct is None:
        sign = "+" if delta >= 0 else "-"
        return f"{sign}{fmt_value(abs(delta), kpi.unit, currency)}"
    return f"{pct:+.1f}%"
