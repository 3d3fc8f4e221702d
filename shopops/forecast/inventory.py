"""Inventory from forecasts: cover, safety stock, reorder point, order quantity, overstock, ageing.

Everything runs on a per-day demand path made from a :class:`SeriesForecast`: a weekly step's
mean and variance are spread evenly over its 7 days; past the horizon the path continues at the
horizon's mean rate and its last step's spread. The spread of a step comes from its forecast
interval, ``σ = (hi − mean) / z`` at the widest level (the upper side: it is the side a shortage
comes from); days are taken as independent, so ``σ`` over ``n`` days is the root of the summed
variances.

With ``z`` the normal quantile of the service level (cycle service level: the chance of no
stock-out in a replenishment cycle):

- safety stock over the lead time ``L``: ``z · σ_L``;
- reorder point: demand over ``L`` + that safety stock;
- order-up-to level: demand over ``L + R`` (``R`` the review period) + ``z · σ_{L+R}``;
- order quantity, when the inventory position (on hand + on order − backorders) is at or below
  the reorder point: order-up-to − position, raised to the minimum order quantity, then rounded
  up to whole case packs; 0 otherwise.

Overstock: weeks of supply (on hand over the forecast's mean weekly demand) above a limit, or
stock on hand with no forecast demand. Ageing: with receipt dates, on-hand units are assigned to
the newest receipts first (FIFO selling leaves the newest stock), and the units from receipts
older than the ageing limit are ``aged_units``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from shopops.errors import InputError
from shopops.forecast.types import SeriesForecast

HORIZON_DAYS_MAX = 730


@dataclass(frozen=True)
class StockPosition:
    """One SKU's stock and replenishment terms. ``receipts``: ``(date received, units)`` pairs."""

    sku: str
    on_hand: float
    on_order: float = 0.0
    backorders: float = 0.0
    lead_time_days: float = 7.0
    review_period_days: float = 7.0
    service_level: float = 0.95
    moq: float = 0.0
    case_pack: int = 1
    receipts: tuple[tuple[dt.date, float], ...] = ()

    def __post_init__(self) -> None:
        if not 0.5 <= self.service_level < 1:
            raise InputError(
                f"{self.sku}: service level {self.service_level} is out of range",
                hint="use a fraction between 0.5 and 0.999 (e.g. 0.95)",
            )
        if self.lead_time_days < 0 or self.review_period_days < 0 or self.case_pack < 1 or self.moq < 0:
            raise InputError(
                f"{self.sku}: lead time, review period and MOQ must be ≥ 0 and the case pack ≥ 1",
                hint="check the SKU's replenishment settings",
            )


@dataclass(frozen=True)
class InventoryPolicy:
    """Thresholds of the overstock and ageing checks; ``as_of``: the day stock is counted
    (default: the day before the forecast starts)."""

    overstock_weeks: float = 26.0
    ageing_days: int = 90
    as_of: dt.date | None = None


@dataclass(frozen=True)
class InventoryPlan:
    """The numbers of one SKU; ``None`` where demand is 0 (no cover to count)."""

    sku: str
    as_of: dt.date
    on_hand: float
    position: float
    daily_demand: float
    demand_over_lead_time: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    order_quantity: float
    days_of_cover: float | None
    weeks_of_supply: float | None
    stockout_in_days: float | None
    stockout_date: dt.date | None
    overstock: bool
    overstock_weeks_limit: float
    aged_units: float
    oldest_age_days: int | None
    z: float
    lead_time_days: float
    service_level: float

    def as_evidence(self) -> dict[str, object]:
        """JSON-ready numbers (dates as ISO strings, floats rounded to 2 places)."""
        out: dict[str, object] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, float):
                value = round(value, 2)
            out[key] = value
        return out


def step_days(forecast: SeriesForecast) -> int:
    """7 for a weekly forecast, 1 for a daily one."""
    return 7 if len(forecast.ds) > 1 and (forecast.ds[1] - forecast.ds[0]).days == 7 else 1


def daily_path(forecast: SeriesForecast, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-day demand means and variances for ``days`` days from the forecast's first date."""
    step = step_days(forecast)
    mean = np.asarray(forecast.mean, dtype=float)
    if forecast.hi:
        level = max(forecast.hi)
        z = NormalDist().inv_cdf(0.5 + level / 200)
        sigma = np.clip((np.asarray(forecast.hi[level], dtype=float) - mean) / z, 0.0, None)
    else:
        sigma = np.zeros_like(mean)
    day_mean = np.repeat(mean / step, step)
    day_var = np.repeat(sigma**2 / step, step)
    if days > len(day_mean):
        extra = days - len(day_mean)
        day_mean = np.concatenate([day_mean, np.full(extra, day_mean.mean())])
        day_var = np.concatenate([day_var, np.full(extra, day_var[-step:].mean())])
    return day_mean[:days], day_var[:days]


def over(values: np.ndarray, days: float) -> float:
    """The sum of a per-day array over ``days`` days (a fraction of the last day counts pro rata)."""
    whole = math.floor(days)
    total = float(values[:whole].sum())
    if days > whole and whole < len(values):
        total += float(values[whole]) * (days - whole)
    return total


def _ageing(position: StockPosition, as_of: dt.date, limit_days: int) -> tuple[float, int | None]:
    left = position.on_hand
    aged = 0.0
    oldest: int | None = None
    for received, units in sorted(position.receipts, key=lambda r: r[0], reverse=True):
        if left <= 0:
            break
        taken = min(units, left)
        left -= taken
        age = (as_of - received).days
        oldest = age if oldest is None else max(oldest, age)
        if age > limit_days:
            aged += taken
    return aged, oldest


def plan_inventory(
    forecast: SeriesForecast, position: StockPosition, policy: InventoryPolicy | None = None
) -> InventoryPlan:
    """Cover, safety stock, reorder point and order quantity of one SKU (see the module)."""
    policy = policy or InventoryPolicy()
    lead, review = position.lead_time_days, position.review_period_days
    horizon_days = len(forecast.mean) * step_days(forecast)
    days = int(min(HORIZON_DAYS_MAX, max(math.ceil(lead + review) + 1, horizon_days)))
    day_mean, day_var = daily_path(forecast, days)
    z = NormalDist().inv_cdf(position.service_level)
    demand_lt = over(day_mean, lead)
    safety = z * math.sqrt(over(day_var, lead))
    reorder_point = demand_lt + safety
    order_up_to = over(day_mean, lead + review) + z * math.sqrt(over(day_var, lead + review))
    stock_position = position.on_hand + position.on_order - position.backorders
    quantity = 0.0
    if stock_position <= reorder_point:
        quantity = max(order_up_to - stock_position, position.moq, 0.0)
        quantity = math.ceil(round(quantity / position.case_pack, 9)) * position.case_pack
    rate = float(day_mean[:horizon_days].mean())
    cover = position.on_hand / rate if rate > 0 else None
    weeks = cover / 7 if cover is not None else None
    stockout_in: float | None = 0.0 if position.on_hand <= 0 else None
    cumulative = np.cumsum(day_mean)
    crossed = np.flatnonzero(cumulative >= position.on_hand)
    if stockout_in is None and crossed.size:
        i = int(crossed[0])  # runs out during day i (0 = the forecast's first day)
        before = float(cumulative[i - 1]) if i else 0.0
        stockout_in = i + (position.on_hand - before) / float(day_mean[i])
    as_of = policy.as_of or (forecast.ds[0].date() - dt.timedelta(days=1))
    start = forecast.ds[0].date()
    aged, oldest = _ageing(position, as_of, policy.ageing_days)
    overstock = (weeks is not None and weeks > policy.overstock_weeks) or (rate == 0 and position.on_hand > 0)
    return InventoryPlan(
        sku=position.sku,
        as_of=as_of,
        on_hand=float(position.on_hand),
        position=float(stock_position),
        daily_demand=rate,
        demand_over_lead_time=demand_lt,
        safety_stock=safety,
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        order_quantity=float(quantity),
        days_of_cover=cover,
        weeks_of_supply=weeks,
        stockout_in_days=stockout_in,
        stockout_date=None if stockout_in is None else start + dt.timedelta(days=math.floor(stockout_in)),
        overstock=bool(overstock),
        overstock_weeks_limit=policy.overstock_weeks,
        aged_units=float(aged),
        oldest_age_days=oldest,
        z=z,
        lead_time_days=float(lead),
        service_level=position.service_level,
    )


def plan_all(
    forecasts: dict[str, SeriesForecast],
    positions: list[StockPosition],
    policy: InventoryPolicy | None = None,
) -> list[InventoryPlan]:
    """A plan per position whose SKU has a forecast; a position without one is an error."""
    missing = [p.sku for p in positions if p.sku not in forecasts]
    if missing:
        raise InputError(
            f"no forecast for SKU(s) {', '.join(missing[:10])}",
            hint="forecast those SKUs' sales first (their unique_id must be the SKU)",
        )
    return [plan_inventory(forecasts[p.sku], p, policy) for p in positions]
