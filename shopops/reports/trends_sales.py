"""Sales totals for the trend reports, summed by the database: sources, the catalog and windows.

**Sales** come from one source, never both (the demo derives its sales rows from its orders):

* ``sales``: the daily demand history; revenue is the row's, or units × the variant's list price
  when the row has none;
* ``orders``: lines of orders that were not cancelled, in the store's main currency (that of most
  orders), units net of returns, at the line's price;
* ``auto`` (default): ``sales`` when the store has sales rows, else ``orders``.

**Windows** end at ``as_of``, inclusive: *current* is the last ``days`` days, *previous* the same
number of days before it, *year ago* the current window 52 weeks (:data:`YEAR_DAYS` days, so
weekdays line up) earlier.

:func:`sales_totals` sums revenue and units per (SKU, product) in each window and per calendar month
in one pass; :mod:`shopops.reports.trends` groups them by category and price band.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.store.db import Database
from shopops.store.models import Order, OrderLine, Product, ProductVariant, SalesRecord

Source = Literal["auto", "sales", "orders"]
YEAR_DAYS = 364


@dataclass(frozen=True, slots=True)
class ProductInfo:
    title: str
    category: str


@dataclass
class Catalog:
    """What grouping sales needs from the catalog: products, each SKU's product and list price."""

    products: dict[int, ProductInfo]
    sku_product: dict[str, int]
    sku_price: dict[str, float]


def load_catalog(session: Session) -> Catalog:
    rows = session.execute(select(Product.id, Product.title, Product.category))
    catalog = Catalog({pid: ProductInfo(title, category or "") for pid, title, category in rows}, {}, {})
    variant = (ProductVariant.sku, ProductVariant.product_id, ProductVariant.price)
    for sku, product_id, price in session.execute(select(*variant).order_by(ProductVariant.id)):
        if sku and sku not in catalog.sku_product:
            catalog.sku_product[sku] = product_id
            if price is not None and price > 0:
                catalog.sku_price[sku] = float(price)
    return catalog


def store_currency(session: Session) -> str:
    """The currency most of the store's orders are in (USD when it has none)."""
    row = session.execute(
        select(Order.currency, func.count()).group_by(Order.currency).order_by(func.count().desc()).limit(1)
    ).first()
    return str(row[0]).upper() if row and row[0] else "USD"


@dataclass(frozen=True)
class _Source:
    """How one sales source reads in SQL: its day, grouping keys, units, revenue and filters."""

    name: str
    day: Any
    keys: tuple[Any, ...]
    units: Any
    revenue: Any  # known revenue
    unpriced: Any  # units whose revenue is not known (valued at the list price)
    filters: tuple[Any, ...]
    table: Any

    def bound(self, day: dt.date) -> dt.date | dt.datetime:
        return day if self.name == "sales" else dt.datetime.combine(day, dt.time())


def _source(session: Session, source: Source) -> _Source:
    if source not in ("auto", "sales", "orders"):
        raise InputError(f"unknown sales source {source!r}", hint="use auto, sales or orders")
    if source == "auto":
        source = "sales" if session.scalar(select(SalesRecord.id).limit(1)) is not None else "orders"
    if source == "sales":
        unpriced = case((SalesRecord.revenue.is_(None), SalesRecord.units), else_=0)
        return _Source(
            "sales", SalesRecord.date, (SalesRecord.sku,), SalesRecord.units,
            func.coalesce(SalesRecord.revenue, 0), unpriced, (), SalesRecord.__table__,
        )  # fmt: skip
    quantity, returned = OrderLine.quantity, OrderLine.returned_quantity
    net = case((quantity > returned, quantity - returned), else_=0)
    return _Source(
        "orders", Order.placed_at, (OrderLine.sku, OrderLine.product_id), net, net * OrderLine.unit_price,
        literal(0), (Order.status != "cancelled", Order.currency == store_currency(session)),
        OrderLine.__table__.join(Order.__table__, OrderLine.order_id == Order.id),
    )  # fmt: skip


def sales_span(db: Database, *, source: Source = "auto") -> tuple[str, dt.date | None, dt.date | None]:
    """The source ``auto`` resolves to, and the first and last day with a sale."""
    with db.session() as session:
        src = _source(session, source)
        first, last = session.execute(
            select(func.min(src.day), func.max(src.day)).select_from(src.table).where(*src.filters)
        ).one()
    first, last = (v.date() if isinstance(v, dt.datetime) else v for v in (first, last))
    return src.name, first, last


@dataclass(frozen=True)
class Windows:
    """The current window: ``days`` days to ``as_of``; ``first_day`` is the first day with a sale."""

    as_of: dt.date
    days: int
    first_day: dt.date | None

    def start(self, offset_days: int = 0) -> dt.date:
        return self.as_of - dt.timedelta(days=offset_days + self.days - 1)

    def covers(self, offset_days: int) -> bool:
        """Whether the history reaches back to the start of the window ``offset_days`` earlier."""
        return self.first_day is not None and self.first_day <= self.start(offset_days)


Key = tuple[str, int | None]  # (sku, product id): what sales are summed by before grouping
Row = list[float]  # [revenue, units, previous revenue, previous units, year-ago revenue, year-ago units]


@dataclass
class Totals:
    """Sales per (SKU, product), summed by the database: per window and per calendar month."""

    source: str
    catalog: Catalog
    windows: dict[Key, Row]
    months: dict[Key, dict[tuple[int, int], list[float]]]  # (year, month) -> [revenue, units]

    def only(self, keep: Callable[[Key], bool]) -> Totals:
        months = {k: v for k, v in self.months.items() if keep(k)}
        return Totals(self.source, self.catalog, {k: v for k, v in self.windows.items() if keep(k)}, months)


def _month(session: Session, day: Any) -> Any:
    """``YYYY-MM`` of a date or time column (SQLite keeps them as ISO text)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return func.substr(day, 1, 7) if sqlite else func.to_char(day, "YYYY-MM")


def sales_totals(db: Database, windows: Windows, *, source: Source = "auto", months: bool = True) -> Totals:
    """Revenue and units per (SKU, product) in the current, previous and year-ago windows and (with
    ``months``) per calendar month to ``as_of``, summed by the database in one pass over the sales."""
    with db.session() as session:
        catalog, src = load_catalog(session), _source(session, source)
        sums = []
        for offset in (0, windows.days, YEAR_DAYS) if months else (0, windows.days):
            lo, hi = windows.start(offset), windows.as_of - dt.timedelta(days=offset - 1)
            inside = and_(src.day >= src.bound(lo), src.day < src.bound(hi))
            sums += [func.sum(case((inside, v), else_=0)) for v in (src.revenue, src.units, src.unpriced)]
        where = [*src.filters, src.day < src.bound(windows.as_of + dt.timedelta(days=1))]
        groups: list[Any] = list(src.keys)
        if months:  # every month to as_of, the windows summed along
            groups.append(_month(session, src.day))
            sums += [func.sum(src.revenue), func.sum(src.units), func.sum(src.unpriced)]
        else:
            where.append(src.day >= src.bound(windows.start(windows.days)))
        query = select(*groups, *sums).select_from(src.table).where(*where).group_by(*groups)
        rows = session.execute(query).all()
    totals = Totals(src.name, catalog, defaultdict(lambda: [0.0] * 6), defaultdict(dict))
    for row in rows:
        sku = row[0] or ""
        key = (sku, row[1] if len(src.keys) == 2 and row[1] is not None else catalog.sku_product.get(sku))
        price, values = catalog.sku_price.get(sku, 0.0), [float(v or 0) for v in row[len(groups) :]]
        sold = [values[i] + values[i + 2] * price for i in range(0, len(values), 3)]  # revenue, by slot
        units = values[1::3]
        target = totals.windows[key]
        for slot in range(len(sums) // 3 - (1 if months else 0)):
            target[2 * slot] += sold[slot]
            target[2 * slot + 1] += units[slot]
        if months:  # "YYYY-MM"; two rows may share a key (a line without a product id)
            month = row[len(groups) - 1]
            acc = totals.months[key].setdefault((int(month[:4]), int(month[5:7])), [0.0, 0.0])
            acc[0], acc[1] = acc[0] + sold[-1], acc[1] + units[-1]
    return totals
