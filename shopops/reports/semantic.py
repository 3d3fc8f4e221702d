"""The semantic layer: the store's metrics and dimensions, defined in code.

A question over store data is answered by a :class:`~shopops.reports.semantic_spec.QuerySpec`
(a metric, at most one dimension, a period, an optional comparison, top-N and filters) whose every
name is looked up here. Nothing else reaches the database: no SQL text from a person or a model,
only SQLAlchemy Core built from these definitions, with filter values as bound parameters (see
:mod:`shopops.reports.semantic_query`).

Facts (what a metric counts over) and their date column:

- ``orders``: orders, by ``placed_at``;
- ``lines``: order lines joined to their order and product (``placed_at``); revenue here is
  ``quantity x unit_price`` because an order's total cannot be split by product;
- ``customer_orders``: orders joined to each customer's first order (``placed_at``);
- ``reviews``: reviews joined to their product, by ``reviewed_at``;
- ``review_analyses``: the sentiment review intelligence read in each review (``reviewed_at``);
- ``sales``: the daily sales history (the demand history forecasts use), by ``date``.

Every order metric leaves cancelled orders out, like the dashboard's figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Float, Table, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from shopops.store import models

Unit = Literal["money", "count", "ratio", "rating"]
TimeGrain = Literal["day", "week", "month"]

ORDERS: Table = models.Order.__table__  # type: ignore[assignment]
LINES: Table = models.OrderLine.__table__  # type: ignore[assignment]
PRODUCTS: Table = models.Product.__table__  # type: ignore[assignment]
VARIANTS: Table = models.ProductVariant.__table__  # type: ignore[assignment]
CUSTOMERS: Table = models.Customer.__table__  # type: ignore[assignment]
REVIEWS: Table = models.Review.__table__  # type: ignore[assignment]
ANALYSES: Table = models.ReviewAnalysis.__table__  # type: ignore[assignment]
SALES: Table = models.SalesRecord.__table__  # type: ignore[assignment]

# The only tables a question may read. The read-only executor refuses a statement touching any
# other table (users, sessions, drafts, logs...), and on SQLite an authorizer enforces the same.
SEMANTIC_TABLES = frozenset(
    t.name for t in (ORDERS, LINES, PRODUCTS, VARIANTS, CUSTOMERS, REVIEWS, ANALYSES, SALES)
)


@dataclass(frozen=True)
class Fact:
    """What a metric counts over: a FROM clause and the date that places a row in a period."""

    name: str
    source: FromClause
    date: ColumnElement[Any]
    date_only: bool = False  # a DATE column (compared with dates), not a timestamp


_FIRST_ORDERS = (
    select(ORDERS.c.customer_id, func.min(ORDERS.c.placed_at).label("first_at"))
    .where(ORDERS.c.customer_id.is_not(None), ORDERS.c.status != "cancelled")
    .group_by(ORDERS.c.customer_id)
    .subquery("first_orders")
)

FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact("orders", ORDERS, ORDERS.c.placed_at),
        Fact(
            "lines",
            LINES.join(ORDERS, LINES.c.order_id == ORDERS.c.id).outerjoin(
                PRODUCTS, LINES.c.product_id == PRODUCTS.c.id
            ),
            ORDERS.c.placed_at,
        ),
        Fact(
            "customer_orders",
            ORDERS.join(_FIRST_ORDERS, _FIRST_ORDERS.c.customer_id == ORDERS.c.customer_id),
            ORDERS.c.placed_at,
        ),
        Fact(
            "reviews",
            REVIEWS.outerjoin(PRODUCTS, REVIEWS.c.product_id == PRODUCTS.c.id),
            REVIEWS.c.reviewed_at,
        ),
        Fact(
            "review_analyses",
            ANALYSES.join(REVIEWS, ANALYSES.c.review_id == REVIEWS.c.id).outerjoin(
                PRODUCTS, REVIEWS.c.product_id == PRODUCTS.c.id
            ),
            REVIEWS.c.reviewed_at,
        ),
        Fact("sales", SALES, SALES.c.date, date_only=True),
    )
}


@dataclass(frozen=True)
class Dimension:
    """A way to split a metric: a time grain (any fact) or a column per fact that has it."""

    name: str
    label: str
    label_zh: str
    grain: TimeGrain | None = None
    columns: Mapping[str, ColumnElement[Any]] = field(default_factory=dict)

    def available_on(self, fact: str) -> bool:
        return self.grain is not None or fact in self.columns


_PRODUCT_TITLE = func.coalesce(PRODUCTS.c.title, LINES.c.title)
DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("day", "day", "日", grain="day"),
        Dimension("week", "week (from Monday)", "周", grain="week"),
        Dimension("month", "month", "月", grain="month"),
        Dimension("sku", "SKU", "SKU", columns={"lines": LINES.c.sku, "sales": SALES.c.sku}),
        Dimension(
            "product",
            "product",
            "商品",
            columns={
                "lines": _PRODUCT_TITLE,
                "reviews": PRODUCTS.c.title,
                "review_analyses": PRODUCTS.c.title,
            },
        ),
        Dimension(
            "category",
            "category",
            "品类",
            columns={f: PRODUCTS.c.category for f in ("lines", "reviews", "review_analyses")},
        ),
        Dimension(
            "country",
            "shipping country",
            "国家",
            columns={f: ORDERS.c.shipping_country for f in ("orders", "lines", "customer_orders")},
        ),
        Dimension(
            "status",
            "order status",
            "订单状态",
            columns={f: ORDERS.c.status for f in ("orders", "lines", "customer_orders")},
        ),
        Dimension("location", "location", "仓库", columns={"sales": SALES.c.location}),
    )
}
CATEGORICAL = tuple(name for name, d in DIMENSIONS.items() if d.grain is None)


@dataclass(frozen=True)
class Measure:
    """One way to compute a metric over one fact: ``numerator / denominator`` (or the numerator)."""

    fact: str
    numerator: ColumnElement[Any]
    denominator: ColumnElement[Any] | None = None
    where: tuple[ColumnElement[bool], ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    label_zh: str
    unit: Unit
    definition: str  # shown with every answer: what was counted, and what was left out
    measures: tuple[Measure, ...]  # in order of preference; the first that has the dimensions is used

    def measure_for(self, dimensions: set[str]) -> Measure | None:
        for measure in self.measures:
            if all(DIMENSIONS[d].available_on(measure.fact) for d in dimensions):
                return measure
        return None

    @property
    def dimensions(self) -> list[str]:
        return [name for name in DIMENSIONS if self.measure_for({name}) is not None]


NOT_CANCELLED = ORDERS.c.status != "cancelled"
REFUNDED = ORDERS.c.financial_status == "refunded"
LINE_REVENUE = func.coalesce(func.sum(LINES.c.quantity * LINES.c.unit_price), 0)
ORDER_COUNT = func.count(ORDERS.c.id)
DISTINCT_ORDERS = func.count(ORDERS.c.id.distinct())
REFUNDED_ORDERS = func.count(case((REFUNDED, ORDERS.c.id)).distinct())
UNITS = func.coalesce(func.sum(LINES.c.quantity), 0)
RETURNED = func.coalesce(func.sum(LINES.c.returned_quantity), 0)
NEGATIVE = func.coalesce(func.sum(case((ANALYSES.c.sentiment == "negative", 1), else_=0)), 0)


def _metric(name: str, label: str, label_zh: str, unit: Unit, definition: str, *measures: Measure) -> Metric:
    return Metric(name, label, label_zh, unit, definition, measures)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _metric(
            "revenue",
            "revenue",
            "销售额",
            "money",
            "sum of order totals (by product: quantity x unit price of the lines); cancelled orders excluded",
            Measure("orders", func.coalesce(func.sum(ORDERS.c.total), 0), where=(NOT_CANCELLED,)),
            Measure("lines", LINE_REVENUE, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "orders",
            "orders",
            "订单数",
            "count",
            "number of orders; cancelled orders excluded",
            Measure("orders", ORDER_COUNT, where=(NOT_CANCELLED,)),
            Measure("lines", DISTINCT_ORDERS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "units",
            "units ordered",
            "下单件数",
            "count",
            "sum of order-line quantities; cancelled orders excluded",
            Measure("lines", UNITS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "average_order_value",
            "average order value",
            "客单价",
            "money",
            "revenue / orders (order totals; by product: line revenue / orders containing it); "
            "cancelled orders excluded",
            Measure("orders", func.sum(ORDERS.c.total), ORDER_COUNT, where=(NOT_CANCELLED,)),
            Measure("lines", LINE_REVENUE, DISTINCT_ORDERS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "returned_units",
            "returned units",
            "退货件数",
            "count",
            "sum of returned quantities of order lines, by the order's date; cancelled orders excluded",
            Measure("lines", RETURNED, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "return_rate",
            "return rate",
            "退货率",
            "ratio",
            "returned units / units ordered, by the order's date; cancelled orders excluded",
            Measure("lines", RETURNED, UNITS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "refunded_orders",
            "refunded orders",
            "退款订单数",
            "count",
            "orders whose financial status is refunded; cancelled orders excluded",
            Measure("orders", REFUNDED_ORDERS, where=(NOT_CANCELLED,)),
            Measure("lines", REFUNDED_ORDERS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "refund_rate",
            "refund rate",
            "退款率",
            "ratio",
            "refunded orders / orders; cancelled orders excluded",
            Measure("orders", REFUNDED_ORDERS, ORDER_COUNT, where=(NOT_CANCELLED,)),
            Measure("lines", REFUNDED_ORDERS, DISTINCT_ORDERS, where=(NOT_CANCELLED,)),
        ),
        _metric(
            "customers",
            "ordering customers",
            "下单客户数",
            "count",
            "distinct customers who placed an order; cancelled orders excluded",
            Measure("orders", func.count(ORDERS.c.customer_id.distinct()), where=(NOT_CANCELLED,)),
        ),
        _metric(
            "new_customers",
            "new customers",
            "新客户数",
            "count",
            "customers whose first (not cancelled) order was placed in the period",
            Measure(
                "customer_orders",
                func.count(
                    case((ORDERS.c.placed_at == _FIRST_ORDERS.c.first_at, ORDERS.c.customer_id)).distinct()
                ),
                where=(NOT_CANCELLED,),
            ),
        ),
        _metric(
            "returning_customers",
            "returning customers",
            "回头客数",
            "count",
            "customers who placed an order in the period that was not their first order",
            Measure(
                "customer_orders",
                func.count(
                    case((ORDERS.c.placed_at > _FIRST_ORDERS.c.first_at, ORDERS.c.customer_id)).distinct()
                ),
                where=(NOT_CANCELLED,),
            ),
        ),
        _metric(
            "reviews",
            "reviews",
            "评价数",
            "count",
            "number of reviews, by review date",
            Measure("reviews", func.count(REVIEWS.c.id)),
        ),
        _metric(
            "average_rating",
            "average rating",
            "平均评分",
            "rating",
            "mean star rating of the reviews that carry one, by review date",
            Measure("reviews", func.sum(REVIEWS.c.rating), func.count(REVIEWS.c.rating)),
        ),
        _metric(
            "negative_reviews",
            "negative reviews",
            "差评数",
            "count",
            "reviews read as negative by review intelligence (`shopops reviews analyze`), by review date",
            Measure("review_analyses", NEGATIVE),
        ),
        _metric(
            "negative_review_share",
            "share of negative reviews",
            "差评占比",
            "ratio",
            "negative reviews / analysed reviews (`shopops reviews analyze`), by review date",
            Measure("review_analyses", NEGATIVE, func.count(ANALYSES.c.review_id)),
        ),
        _metric(
            "units_sold",
            "units sold (sales history)",
            "销量",
            "count",
            "sum of units in the daily sales history (the demand history forecasts use)",
            Measure("sales", func.coalesce(func.sum(SALES.c.units), 0)),
        ),
    )
}


def value_expression(measure: Measure) -> ColumnElement[Any]:
    """The metric's value in SQL (used to rank top-N): a ratio as a float, NULL when 0/0."""
    if measure.denominator is None:
        return measure.numerator
    return cast(measure.numerator, Float) / func.nullif(cast(measure.denominator, Float), literal(0.0))


def category_match(column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
    """A category or any category under it: "Kitchen" matches "Kitchen" and "Kitchen > Bottles"."""
    wanted = value.strip().lower()
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    lowered = func.lower(column)
    return (lowered == wanted) | lowered.like(f"{escaped} > %", escape="\\")


def filter_condition(dimension: str, fact: str, value: str) -> ColumnElement[bool]:
    column = DIMENSIONS[dimension].columns[fact]
    if dimension == "category":
        return category_match(column, value)
    return func.lower(column) == value.strip().lower()


def catalogue() -> str:
    """What can be asked, in one paragraph (shown when a question cannot be answered)."""
    metrics = ", ".join(m.label for m in METRICS.values())
    dimensions = ", ".join(d.name for d in DIMENSIONS.values())
    return (
        f"I can answer questions about: {metrics}; split by {dimensions}; over periods such as "
        "today, last week, this month, last month, March 2026, Q1 2026, the last 30 days or "
        "between two dates; compared with the previous period or the year before; with top or "
        'bottom N. For example: "AOV last week vs the week before", "top 5 SKUs by returns in March".'
    )
