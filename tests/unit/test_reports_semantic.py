"""The semantic layer: registry validation, periods, the read-only connection (writes and tables
outside the layer fail, and the pooled connection is writable again afterwards), and run_query's
numbers against a plain-Python calculation over the same raw rows, on SQLite and PostgreSQL.

The seeded store built here (:func:`make_raw_store`) and its calculator (:class:`Calc`) are also
used by ``test_reports_ask.py`` and ``bench/ask.py``."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from shopops.errors import InputError, PermissionDeniedError
from shopops.reports.semantic import METRICS
from shopops.reports.semantic_answer import run_query
from shopops.reports.semantic_periods import comparison_range, resolve_period
from shopops.reports.semantic_query import read_only_connection, run_statements
from shopops.reports.semantic_spec import Period, QuerySpec
from shopops.store import models
from shopops.store.db import Database, open_database

TODAY = dt.date(2026, 4, 15)  # a Wednesday: the newest order's date, so the store's "today"
FIRST_DAY = dt.date(2025, 1, 1)
# (handle, title, category, [(sku, price)])
CATALOG = (
    ("steel-bottle", "Steel Bottle", "Kitchen > Bottles", [("BOT-500", "24.00"), ("BOT-750", "29.00")]),
    ("cutting-board", "Cutting Board", "Kitchen > Boards", [("CB-M", "32.00"), ("CB-L", "44.00")]),
    ("desk-lamp", "Desk Lamp", "Home > Lighting", [("LMP-1", "59.00")]),
    ("solar-lights", "Solar Path Lights", "Garden", [("SOL-6", "45.00")]),
    ("linen-towels", "Linen Tea Towels", "Home > Textiles", [("TT-NAT", "22.00"), ("TT-GRY", "22.00")]),
)
COUNTRIES = ("US", "US", "GB", "DE", "CN")


@dataclass
class RawStore:
    """The rows loaded into the store, kept as plain Python for independent expected answers."""

    products: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    analyses: list[dict[str, Any]] = field(default_factory=list)
    sales: list[dict[str, Any]] = field(default_factory=list)


def make_raw_store(seed: int = 7) -> RawStore:
    """About 16 months of orders (2025-01-01 to 2026-04-15), reviews and a daily sales history."""
    rng = random.Random(seed)
    raw = RawStore()
    for pid, (handle, title, category, variants) in enumerate(CATALOG, start=1):
        raw.products.append({"id": pid, "handle": handle, "title": title, "category": category})
        for sku, price in variants:
            raw.variants.append(
                {
                    "id": len(raw.variants) + 1,
                    "product_id": pid,
                    "variant_key": sku,
                    "sku": sku,
                    "price": Decimal(price),
                }
            )
    for cid in range(1, 61):
        raw.customers.append({"id": cid, "external_id": f"C{cid:03d}", "country": rng.choice(COUNTRIES)})
    day = FIRST_DAY
    while day <= TODAY:
        count = rng.choice((0, 1, 1, 2, 2, 3)) if day < TODAY else 2
        for _ in range(count):
            _add_order(raw, rng, day)
        day += dt.timedelta(days=1)
    for rid in range(1, 361):
        product = rng.choice(raw.products)
        when = dt.datetime.combine(FIRST_DAY, dt.time(9)) + dt.timedelta(
            days=rng.randrange((TODAY - FIRST_DAY).days + 1)
        )
        rating = rng.choice((1, 2, 3, 4, 4, 5, 5, 5, None))
        raw.reviews.append(
            {
                "id": rid,
                "external_id": f"R{rid}",
                "product_id": product["id"],
                "rating": rating,
                "body": "ok",
                "reviewed_at": when,
            }
        )
        if rng.random() < 0.9:
            sentiment = "negative" if (rating or 3) <= 2 else "positive" if (rating or 3) >= 4 else "neutral"
            raw.analyses.append(
                {"review_id": rid, "text_hash": f"h{rid}", "sentiment": sentiment, "p_positive": 0.5}
            )
    day = dt.date(2025, 10, 1)
    while day <= TODAY:
        for variant in raw.variants:
            for location in ("main", "eu") if variant["sku"].startswith("BOT") else ("main",):
                units = rng.randrange(0, 6)
                if units:
                    raw.sales.append(
                        {
                            "id": len(raw.sales) + 1,
                            "sku": variant["sku"],
                            "location": location,
                            "date": day,
                            "units": float(units),
                        }
                    )
        day += dt.timedelta(days=1)
    return raw


def _add_order(raw: RawStore, rng: random.Random, day: dt.date) -> None:
    oid = len(raw.orders) + 1
    # customers join over time, so every month has new and returning customers
    joined = max(1, min(60, 1 + (day - FIRST_DAY).days // 8))
    customer = raw.customers[rng.randrange(joined)]
    status = rng.choices(("delivered", "fulfilled", "open", "cancelled"), (70, 15, 9, 6))[0]
    placed = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60)))
    subtotal = Decimal(0)
    for variant in rng.sample(raw.variants, rng.choice((1, 1, 1, 2, 3))):
        quantity = rng.choice((1, 1, 2, 3))
        returned = rng.randint(1, quantity) if rng.random() < 0.12 else 0
        raw.lines.append(
            {
                "id": len(raw.lines) + 1,
                "order_id": oid,
                "product_id": variant["product_id"],
                "sku": variant["sku"],
                "title": variant["sku"],
                "quantity": quantity,
                "unit_price": variant["price"],
                "returned_quantity": returned,
            }
        )
        subtotal += variant["price"] * quantity
    shipping = Decimal("5.00") if subtotal < 50 else Decimal(0)  # totals differ from line sums
    raw.orders.append(
        {
            "id": oid,
            "order_number": f"#{1000 + oid}",
            "customer_id": customer["id"],
            "status": status,
            "financial_status": "refunded" if rng.random() < 0.07 else "paid",
            "total": subtotal + shipping,
            "placed_at": placed,
            "shipping_country": customer["country"],
        }
    )


def load_raw_store(db: Database, raw: RawStore) -> None:
    tables = (
        (models.Product, raw.products),
        (models.ProductVariant, raw.variants),
        (models.Customer, raw.customers),
        (models.Order, raw.orders),
        (models.OrderLine, raw.lines),
        (models.Review, raw.reviews),
        (models.ReviewAnalysis, raw.analyses),
        (models.SalesRecord, raw.sales),
    )
    with db.session() as session:
        for model, rows in tables:
            session.execute(insert(model), rows)
            if db.dialect == "postgresql" and "id" in rows[0]:  # explicit ids: move the sequence on
                name = model.__tablename__
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
                )


def root_conftest() -> ModuleType:
    """tests/conftest.py itself: ``import conftest`` may find tests/browser/conftest.py instead when
    the browser tests were collected first."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("shopops_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", name="raw_store")
def raw_store_fixture() -> RawStore:
    return make_raw_store()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"], name="store")
def store_fixture(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_base_url: str | None,
    raw_store: RawStore,
) -> Iterator[Database]:
    """The seeded store, built once per module and dialect (questions only read it)."""
    _postgres_url = root_conftest()._postgres_url

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('ask') / 'store.db'}"
    else:
        url = _postgres_url(postgres_base_url)
    db = open_database(url)
    load_raw_store(db, raw_store)
    yield db
    db.dispose()


def count_rows(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__tablename__: session.scalar(select(text("count(*)")).select_from(model.__table__)) or 0
            for model in (models.Order, models.OrderLine, models.Product, models.ProductVariant, models.User)
        }


class Calc:
    """Expected answers in plain Python over the raw rows (no SQL, no semantic layer)."""

    def __init__(self, raw: RawStore) -> None:
        self.raw = raw
        self.products = {p["id"]: p for p in raw.products}
        self.orders_by_id = {o["id"]: o for o in raw.orders}
        live = [o for o in raw.orders if o["status"] != "cancelled"]
        self.first_order: dict[int, dt.datetime] = {}
        for o in live:
            self.first_order[o["customer_id"]] = min(
                o["placed_at"], self.first_order.get(o["customer_id"], o["placed_at"])
            )

    @staticmethod
    def _in(when: dt.datetime | dt.date, start: dt.date, end: dt.date) -> bool:
        day = when.date() if isinstance(when, dt.datetime) else when
        return start <= day < end

    def orders(self, start: dt.date, end: dt.date, **where: str) -> list[dict[str, Any]]:
        return [
            o
            for o in self.raw.orders
            if o["status"] != "cancelled"
            and self._in(o["placed_at"], start, end)
            and all(str(o[_ORDER_FIELDS[k]]).lower() == v.lower() for k, v in where.items())
        ]

    def lines(self, start: dt.date, end: dt.date, **where: str) -> list[dict[str, Any]]:
        """Lines of live orders in the period; sku, product and category filter the lines."""
        ids = {
            o["id"] for o in self.orders(start, end, **{k: v for k, v in where.items() if k in _ORDER_FIELDS})
        }
        out = []
        for line in self.raw.lines:
            product = self.products[line["product_id"]]
            row = {**line, "category": product["category"], "product": product["title"]}
            if line["order_id"] in ids and all(
                _matches(row, k, v) for k, v in where.items() if k not in _ORDER_FIELDS
            ):
                out.append({**row, "order": self.orders_by_id[line["order_id"]]})
        return out

    def reviews(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        return [
            {
                **r,
                "category": self.products[r["product_id"]]["category"],
                "product": self.products[r["product_id"]]["title"],
            }
            for r in self.raw.reviews
            if self._in(r["reviewed_at"], start, end)
        ]

    def metric(
        self, name: str, start: dt.date, end: dt.date, *, by_line: bool = False, **where: str
    ) -> float | None:
        """One metric's value over a period (``end`` exclusive) and filters; ``by_line``: an order
        metric counted over lines, as when it is split by SKU, product or category."""
        if name in ORDER_LEVEL and set(where) <= set(_ORDER_FIELDS) and not by_line:
            return ORDER_LEVEL[name](self.orders(start, end, **where))
        if name in ORDER_LEVEL or name in LINE_LEVEL:
            lines = self.lines(start, end, **where)
            return (LINE_LEVEL.get(name) or _lines_as_orders(name))(lines)
        if name in ("new_customers", "returning_customers"):
            orders = self.orders(start, end, **where)
            if name == "new_customers":
                return len(
                    {o["customer_id"] for o in orders if o["placed_at"] == self.first_order[o["customer_id"]]}
                )
            return len(
                {o["customer_id"] for o in orders if o["placed_at"] > self.first_order[o["customer_id"]]}
            )
        if name == "units_sold":
            return float(
                sum(
                    s["units"]
                    for s in self.raw.sales
                    if self._in(s["date"], start, end) and all(s[k] == v for k, v in where.items())
                )
            )
        reviews = [r for r in self.reviews(start, end) if all(_matches(r, k, v) for k, v in where.items())]
        return REVIEW_LEVEL[name](reviews, {a["review_id"]: a for a in self.raw.analyses})

    def split(
        self, name: str, by: str, start: dt.date, end: dt.date, **where: str
    ) -> dict[str, float | None]:
        """The metric for each value of a categorical dimension seen in the period."""
        labels: set[str] = set()
        if name == "units_sold":
            labels = {s[by] for s in self.raw.sales if self._in(s["date"], start, end)}
        elif by in ("sku", "category", "product"):
            source: Iterable[dict[str, Any]] = (
                self.reviews(start, end) if name in REVIEW_LEVEL else self.lines(start, end, **where)
            )
            labels = {row[by] for row in source}
        else:
            labels = {str(o[_ORDER_FIELDS[by]]) for o in self.orders(start, end, **where)}
        return {label: self.metric(name, start, end, **{**where, by: label}) for label in labels}


_ORDER_FIELDS = {"country": "shipping_country", "status": "status"}


def _matches(row: dict[str, Any], key: str, value: str) -> bool:
    if key == "category":
        return row["category"].lower() == value.lower() or row["category"].lower().startswith(
            value.lower() + " > "
        )
    return str(row[key]).lower() == value.lower()


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _money(values: Iterable[Decimal]) -> float:
    return float(sum(values, Decimal(0)))


ORDER_LEVEL: dict[str, Callable[[list[dict[str, Any]]], float | None]] = {
    "revenue": lambda os: _money(o["total"] for o in os),
    "orders": lambda os: len(os),
    "average_order_value": lambda os: _ratio(_money(o["total"] for o in os), len(os)),
    "refunded_orders": lambda os: sum(o["financial_status"] == "refunded" for o in os),
    "refund_rate": lambda os: _ratio(sum(o["financial_status"] == "refunded" for o in os), len(os)),
    "customers": lambda os: len({o["customer_id"] for o in os}),
}
LINE_LEVEL: dict[str, Callable[[list[dict[str, Any]]], float | None]] = {
    "units": lambda ls: sum(line["quantity"] for line in ls),
    "returned_units": lambda ls: sum(line["returned_quantity"] for line in ls),
    "return_rate": lambda ls: _ratio(sum(x["returned_quantity"] for x in ls), sum(x["quantity"] for x in ls)),
}


def _lines_as_orders(name: str) -> Callable[[list[dict[str, Any]]], float | None]:
    """Order metrics restricted to lines (by SKU or category): revenue is the lines' own."""

    def compute(lines: list[dict[str, Any]]) -> float | None:
        orders = {line["order_id"]: line["order"] for line in lines}
        revenue = _money(line["unit_price"] * line["quantity"] for line in lines)
        if name == "revenue":
            return revenue
        if name == "average_order_value":
            return _ratio(revenue, len(orders))
        return ORDER_LEVEL[name](list(orders.values()))

    return compute


REVIEW_LEVEL: dict[str, Callable[[list[dict[str, Any]], dict[int, dict[str, Any]]], float | None]] = {
    "reviews": lambda rs, _a: len(rs),
    "average_rating": lambda rs, _a: _ratio(
        sum(r["rating"] for r in rs if r["rating"] is not None), sum(r["rating"] is not None for r in rs)
    ),
    "negative_reviews": lambda rs, a: sum(a[r["id"]]["sentiment"] == "negative" for r in rs if r["id"] in a),
    "negative_review_share": lambda rs, a: _ratio(
        sum(a[r["id"]]["sentiment"] == "negative" for r in rs if r["id"] in a), sum(r["id"] in a for r in rs)
    ),
}


def ranked(values: dict[str, float | None], n: int, order: str = "desc") -> list[tuple[str, float | None]]:
    """Top (or bottom) ``n``: by value, ties by label, no-data last; the layer's documented order."""
    known = sorted(
        ((k, v) for k, v in values.items() if v is not None),
        key=lambda kv: ((-kv[1] if order == "desc" else kv[1]), kv[0]),
    )
    return (known + sorted((k, v) for k, v in values.items() if v is None))[:n]


def close(actual: float | None, expected: float | None, unit: str = "count") -> bool:
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) <= (0.006 if unit == "money" else 1e-4 if unit == "rating" else 1e-6)


# ---- registry and periods (no store) -------------------------------------------------------------


def test_every_metric_is_splittable_by_time_and_specs_are_validated() -> None:
    for metric in METRICS.values():
        assert {"day", "week", "month"} <= set(metric.dimensions), metric.name
    QuerySpec(metric="return_rate", dimension="sku", top_n=5, filters={"category": "Kitchen"})
    bad: list[dict[str, Any]] = [
        {"metric": "password_hash"},
        {"metric": "revenue", "dimension": "email"},
        {"metric": "units_sold", "dimension": "category"},  # the sales history has no categories
        {"metric": "reviews", "dimension": "country"},
        {"metric": "revenue", "top_n": 5},  # top-N needs a split
        {"metric": "revenue", "dimension": "week", "top_n": 5},
        {"metric": "revenue", "filters": {"week": "2026-01-05"}},
        {"metric": "revenue", "period": {"kind": "last_n_days"}},
        {"metric": "revenue", "sql": "DELETE FROM orders"},
    ]
    for spec in bad:
        with pytest.raises(ValidationError):
            QuerySpec.model_validate(spec)


def test_periods_resolve_against_the_store_today() -> None:
    def dates(kind: str, **kw: Any) -> tuple[str, str]:
        r = resolve_period(Period(kind=kind, **kw), TODAY)  # type: ignore[arg-type]
        return r.start.isoformat(), r.last_day.isoformat()

    assert dates("last_week") == ("2026-04-06", "2026-04-12")
    assert dates("this_week") == ("2026-04-13", "2026-04-15")
    assert dates("last_month") == ("2026-03-01", "2026-03-31")
    assert dates("month", month=3) == ("2026-03-01", "2026-03-31")
    assert dates("month", month=5) == ("2025-05-01", "2025-05-31")  # the latest May up to today
    assert dates("quarter", quarter=1, year=2026) == ("2026-01-01", "2026-03-31")
    assert dates("last_quarter") == ("2026-01-01", "2026-03-31")
    assert dates("last_n_days", n=30) == ("2026-03-17", "2026-04-15")
    assert dates("last_n_weeks", n=4) == ("2026-03-16", "2026-04-12")
    assert dates("between", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 15)) == (
        "2026-03-01",
        "2026-03-15",
    )
    this_month = Period(kind="this_month")
    current = resolve_period(this_month, TODAY)
    before = comparison_range(this_month, current, "previous")
    assert (before.start, before.last_day) == (dt.date(2026, 3, 1), dt.date(2026, 3, 15))  # same days
    year_ago = comparison_range(
        Period(kind="last_week"), resolve_period(Period(kind="last_week"), TODAY), "year_ago"
    )
    assert (year_ago.start, year_ago.last_day) == (dt.date(2025, 4, 6), dt.date(2025, 4, 12))
    with pytest.raises(InputError, match="all time"):
        comparison_range(Period(), resolve_period(Period(), TODAY), "previous")


# ---- the read-only path --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM orders",
        "UPDATE product_variants SET price = 0",
        "INSERT INTO products (handle, title) VALUES ('x', 'y')",
        "DROP TABLE users",
    ],
)
def test_writes_fail_on_the_read_only_connection(store: Database, statement: str) -> None:
    before = count_rows(store)
    with pytest.raises(DBAPIError), read_only_connection(store) as conn:
        conn.execute(text(statement))
    assert count_rows(store) == before
    with store.session() as session:  # the pooled connection is writable again afterwards
        session.add(models.Product(handle="after-read-only", title="t"))
        session.flush()
        session.rollback()


def test_only_semantic_tables_can_be_read(store: Database) -> None:
    users = models.User.__table__
    with pytest.raises(PermissionDeniedError, match="users"):
        run_statements(store, [select(users.c.password_hash)])
    orders = models.Order.__table__
    joined = select(orders.c.id).select_from(orders.join(users, orders.c.customer_id == users.c.id))
    with pytest.raises(PermissionDeniedError, match="users"):
        run_statements(store, [joined])
    if store.dialect == "sqlite":  # the authorizer refuses even raw SQL that skips the check
        with pytest.raises(DBAPIError, match="prohibited"), read_only_connection(store) as conn:
            conn.execute(text("SELECT password_hash FROM users"))
    with read_only_connection(store) as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar()


# ---- answers against the plain-Python calculation ------------------------------------------------


def test_scalar_with_comparison_matches_the_raw_rows(store: Database, raw_store: RawStore) -> None:
    calc = Calc(raw_store)
    answer = run_query(
        store, QuerySpec(metric="average_order_value", period=Period(kind="last_week"), compare_to="previous")
    )
    now = calc.metric("average_order_value", dt.date(2026, 4, 6), dt.date(2026, 4, 13))
    then = calc.metric("average_order_value", dt.date(2026, 3, 30), dt.date(2026, 4, 6))
    assert answer.today == TODAY and (answer.start, answer.end) == (dt.date(2026, 4, 6), dt.date(2026, 4, 12))
    assert close(answer.value, now, "money") and answer.comparison is not None
    assert close(answer.comparison.value, then, "money")
    assert answer.comparison.change_pct == round((round(now, 2) - round(then, 2)) / round(then, 2) * 100, 2)
    assert "FROM orders" in answer.sql and "2026-04-06" in answer.sql and "cancelled" in answer.sql
    assert "average order value" in answer.text.lower() and "the week before" in answer.text
    root = ET.fromstring(answer.chart_svg)  # a trend chart: this week's days and the week before
    desc = root.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and "2026-04-06" in (desc.text or "")


def test_top_n_split_matches_the_raw_rows(store: Database, raw_store: RawStore) -> None:
    calc = Calc(raw_store)
    spec = QuerySpec(metric="returned_units", dimension="sku", period=Period(kind="month", month=3), top_n=3)
    answer = run_query(store, spec)
    expected = ranked(calc.split("returned_units", "sku", dt.date(2026, 3, 1), dt.date(2026, 4, 1)), 3)
    assert [(r.label, r.value) for r in answer.rows] == expected
    assert "LIMIT" in answer.sql.upper() and "order_lines" in answer.query
    assert "<rect" in answer.chart_svg and expected[0][0] in answer.chart_svg


def test_filters_ratios_and_time_splits(store: Database, raw_store: RawStore) -> None:
    calc = Calc(raw_store)
    march = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    kitchen = run_query(
        store,
        QuerySpec(
            metric="return_rate",
            period=Period(kind="month", month=3, year=2026),
            filters={"category": "kitchen"},
        ),
    )
    assert close(kitchen.value, calc.metric("return_rate", *march, category="Kitchen"))
    daily = run_query(
        store, QuerySpec(metric="orders", dimension="day", period=Period(kind="last_n_days", n=7))
    )
    days = [dt.date(2026, 4, 9) + dt.timedelta(days=i) for i in range(7)]
    assert [r.label for r in daily.rows] == [d.isoformat() for d in days]  # quiet days listed as 0
    assert [r.value for r in daily.rows] == [calc.metric("orders", d, d + dt.timedelta(days=1)) for d in days]
    empty = run_query(
        store,
        QuerySpec(
            metric="refund_rate",
            period=Period(kind="between", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)),
        ),
    )
    assert empty.value is None and "no data" in empty.text  # 0 / 0 is no data, not 0%


def test_answer_in_chinese(store: Database) -> None:
    answer = run_query(
        store,
        QuerySpec(metric="revenue", period=Period(kind="last_month"), compare_to="year_ago"),
        language="zh",
    )
    assert answer.text.startswith("销售额（上月") and "去年同期" in answer.text


def test_a_store_without_orders_takes_its_today_from_the_sales_history(db: Database) -> None:
    with db.session() as session:
        for day, units in (
            (dt.date(2024, 6, 3), 4.0),
            (dt.date(2024, 6, 9), 2.5),
            (dt.date(2024, 5, 20), 9.0),
        ):
            session.add(models.SalesRecord(sku="ONLY-SALES", location="main", date=day, units=units))
    answer = run_query(db, QuerySpec(metric="units_sold", period=Period(kind="last_n_days", n=7)))
    assert answer.today == dt.date(2024, 6, 9) and answer.value == 6.5
