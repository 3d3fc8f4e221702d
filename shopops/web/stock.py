"""Stock health: on hand, on order, recent demand and days of cover per SKU (read-only).

Demand is the average daily units of the last ``window_days`` days of the ``sales`` table, the
window ending at the newest sales date in the store (imported history may end before today).
Inventory sums every location of a SKU. Status, in order: ``out`` (nothing on hand), ``low``
(cover under ``low_days``), ``overstock`` (cover over ``overstock_days``, or stock and no recent
sales), else ``ok``. Plain functions over the store, so the CLI or a forecasting module can reuse
them; the web dashboard and /forecasts show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from shopops.store.db import Database
from shopops.store.models import InventoryLevel, Product, ProductVariant, SalesRecord

WINDOW_DAYS = 28
LOW_DAYS = 14
OVERSTOCK_DAYS = 120
STATUS_ORDER = {"out": 0, "low": 1, "overstock": 2, "ok": 3}


@dataclass(frozen=True)
class StockRow:
    sku: str
    title: str
    product_id: int | None
    on_hand: int
    on_order: int
    avg_daily_units: float
    days_of_cover: float | None  # None: no recent sales
    status: str  # out | low | overstock | ok


def classify(on_hand: int, cover: float | None, *, low_days: int, overstock_days: int) -> str:
    if on_hand <= 0:
        return "out"
    if cover is None:
        return "overstock"
    if cover < low_days:
        return "low"
    if cover > overstock_days:
        return "overstock"
    return "ok"


def stock_health(
    db: Database,
    *,
    window_days: int = WINDOW_DAYS,
    low_days: int = LOW_DAYS,
    overstock_days: int = OVERSTOCK_DAYS,
) -> list[StockRow]:
    """Every SKU with an inventory row, the most urgent first (out, low, overstock, ok)."""
    with db.session() as session:
        stock = session.execute(
            select(
                InventoryLevel.sku,
                func.sum(InventoryLevel.on_hand),
                func.sum(InventoryLevel.on_order),
            ).group_by(InventoryLevel.sku)
        ).all()
        newest = session.scalar(select(func.max(SalesRecord.date)))
        demand: dict[str, float] = {}
        if newest is not None:
            start = newest - dt.timedelta(days=window_days - 1)
            demand = {
                sku: float(units or 0)
                for sku, units in session.execute(
                    select(SalesRecord.sku, func.sum(SalesRecord.units))
                    .where(SalesRecord.date >= start, SalesRecord.date <= newest)
                    .group_by(SalesRecord.sku)
                )
            }
        titles = {
            sku: (title, product_id)
            for sku, title, product_id in session.execute(
                select(ProductVariant.sku, Product.title, Product.id)
                .join(Product, Product.id == ProductVariant.product_id)
                .where(ProductVariant.sku != "")
            )
        }
    rows = []
    for sku, on_hand, on_order in stock:
        average = demand.get(sku, 0.0) / window_days
        on_hand, on_order = int(on_hand or 0), int(on_order or 0)
        cover = round(on_hand / average, 1) if average > 0 else None
        title, product_id = titles.get(sku, ("", None))
        rows.append(
            StockRow(
                sku=sku,
                title=title,
                product_id=product_id,
                on_hand=on_hand,
                on_order=on_order,
                avg_daily_units=round(average, 2),
                days_of_cover=cover,
                status=classify(on_hand, cover, low_days=low_days, overstock_days=overstock_days),
            )
        )
    rows.sort(key=lambda row: (STATUS_ORDER[row.status], row.days_of_cover or 0.0, row.sku))
    return rows


def stock_alerts(db: Database) -> list[StockRow]:
    """SKUs out of stock or with less than two weeks of cover."""
    return [row for row in stock_health(db) if row.status in ("out", "low")]
