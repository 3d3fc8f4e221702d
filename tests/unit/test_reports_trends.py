"""Market trends over a store built here (SQLite and PostgreSQL): category growth, year-on-year
growth, share, price bands, the seasonality index and review sentiment, each compared with the
same figure computed independently from the rows the test wrote."""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import insert

from shopops.context import AppContext
from shopops.errors import InputError
from shopops.reports.trends import default_price_edges, market_trends, nice
from shopops.store import models

AS_OF = dt.date(2026, 6, 30)
DAYS = 470  # enough for a year-ago window of 90 days
# handle, category path, sku, list price
CATALOG = [
    ("kettle", "Home > Kitchen > Kettles", "K1", Decimal("10.00")),
    ("pan", "Home > Kitchen > Pans", "K2", Decimal("30.00")),
    ("vase", "Home > Decor", "D1", Decimal("50.00")),
    ("rake", "Garden > Tools", "G1", Decimal("80.00")),
]
PRICE = {sku: float(price) for _, _, sku, price in CATALOG}
CATEGORY = {sku: path for _, path, sku, _ in CATALOG}


@dataclass(frozen=True)
class Line:
    day: dt.date
    sku: str
    quantity: int
    returned: int
    unit_price: float
    status: str
    currency: str


def planned_lines() -> list[Line]:
    """Kitchen grows, the rake declines, the vase peaks in December; some lines are discounted,
    returned, cancelled or in another currency (those must not count)."""
    lines = []
    for i in range(DAYS):
        day = AS_OF - dt.timedelta(days=DAYS - 1 - i)
        status = "cancelled" if i % 50 == 0 else "fulfilled"
        for j, sku in enumerate(PRICE):
            quantity = {
                "K1": 1 + i // 90,
                "K2": 1 + (i * (j + 1)) % 3,
                "D1": 1 + (4 if day.month == 12 else 0),
                "G1": max(6 - i // 80, 1),
            }[sku]
            price = PRICE[sku] * (0.9 if i % 7 == 0 else 1.0)
            lines.append(Line(day, sku, quantity, 1 if i % 17 == 0 else 0, round(price, 2), status, "USD"))
        if i % 30 == 0:
            lines.append(Line(day, "G1", 3, 0, 70.0, "fulfilled", "EUR"))
    return lines


def add_catalog(ctx: AppContext) -> dict[str, int]:
    with ctx.db.session() as session:
        ids = {}
        for handle, path, sku, price in CATALOG:
            product = models.Product(handle=handle, title=handle.title(), category=path)
            product.variants.append(models.ProductVariant(variant_key=sku, sku=sku, price=price))
            session.add(product)
            session.flush()
            ids[sku] = product.id
    return ids


def build_store(ctx: AppContext) -> list[Line]:
    """The catalog and one order a day (per currency) holding that day's lines."""
    ids = add_catalog(ctx)
    lines = planned_lines()
    by_order: dict[tuple[dt.date, str, str], list[Line]] = {}
    for line in lines:
        by_order.setdefault((line.day, line.status, line.currency), []).append(line)
    orders = [
        {
            "order_number": f"T-{n}",
            "status": status,
            "currency": currency,
            "total": Decimal(str(round(sum(x.quantity * x.unit_price for x in mine), 2))),
            "placed_at": dt.datetime.combine(day, dt.time(12, 0)),
        }
        for n, ((day, status, currency), mine) in enumerate(by_order.items(), start=1)
    ]
    with ctx.db.session() as session:  # set-based inserts: the store has ~500 orders and ~2,000 lines
        statement = insert(models.Order).returning(models.Order.id, sort_by_parameter_order=True)
        order_ids = list(session.scalars(statement, orders))
        session.execute(
            insert(models.OrderLine),
            [
                {
                    "order_id": order_id,
                    "product_id": ids[x.sku],
                    "sku": x.sku,
                    "quantity": x.quantity,
                    "returned_quantity": x.returned,
                    "unit_price": Decimal(str(x.unit_price)),
                }
                for order_id, mine in zip(order_ids, by_order.values(), strict=True)
                for x in mine
            ],
        )
    return lines


def counted(lines: list[Line]) -> list[Line]:
    return [x for x in lines if x.status != "cancelled" and x.currency == "USD"]


def revenue(lines: list[Line], start: dt.date, end: dt.date, keep: Callable[[str], bool] = bool) -> float:
    return sum(
        (x.quantity - x.returned) * x.unit_price
        for x in counted(lines)
        if start <= x.day <= end and keep(x.sku)
    )


def windows(days: int, back: int = 0) -> tuple[dt.date, dt.date]:
    end = AS_OF - dt.timedelta(days=back)
    return end - dt.timedelta(days=days - 1), end


def test_growth_share_and_year_on_year_match_an_independent_count(ctx: AppContext) -> None:
    lines = build_store(ctx)
    report = market_trends(ctx.db, window_days=90)
    assert (report.source, report.measure, report.as_of, report.depth) == ("orders", "revenue", AS_OF, 2)
    current, previous, year_ago = windows(90), windows(90, 90), windows(90, 364)
    groups = {"Home > Kitchen": ("K1", "K2"), "Home > Decor": ("D1",), "Garden > Tools": ("G1",)}
    whole = revenue(lines, *current)
    whole_before = revenue(lines, *previous)
    assert report.revenue == pytest.approx(whole, abs=0.01)
    assert report.growth_pct == round(100 * (whole - whole_before) / whole_before, 1)
    by_name = {c.category: c for c in report.categories}
    assert set(by_name) == set(groups)
    for name, skus in groups.items():
        now = revenue(lines, *current, keep=lambda sku, skus=skus: sku in skus)
        before = revenue(lines, *previous, keep=lambda sku, skus=skus: sku in skus)
        year = revenue(lines, *year_ago, keep=lambda sku, skus=skus: sku in skus)
        trend = by_name[name]
        assert trend.revenue == pytest.approx(now, abs=0.01)
        assert trend.previous_revenue == pytest.approx(before, abs=0.01)
        assert trend.growth_pct == round(100 * (now - before) / before, 1)
        assert trend.yoy_growth_pct == round(100 * (now - year) / year, 1)
        assert trend.share_pct == round(100 * now / whole, 1)
        assert trend.share_change_pts == round(
            round(100 * now / whole, 1) - round(100 * before / whole_before, 1), 1
        )
    assert by_name["Home > Kitchen"].growth_pct > 0 > by_name["Garden > Tools"].growth_pct
    assert [c.category for c in report.categories] == sorted(groups, key=lambda g: -by_name[g].revenue)


def test_a_category_scope_goes_one_level_deeper_and_shares_add_up(ctx: AppContext) -> None:
    lines = build_store(ctx)
    report = market_trends(ctx.db, category="home", window_days=30)
    assert report.scope == "home" and report.depth == 2
    assert {c.category for c in report.categories} == {"Home > Kitchen", "Home > Decor"}
    assert report.revenue == pytest.approx(revenue(lines, *windows(30), keep=lambda s: s != "G1"), abs=0.01)
    assert sum(c.share_pct for c in report.categories) == pytest.approx(100, abs=0.15)
    kitchen = market_trends(ctx.db, category="Home > Kitchen", window_days=30)
    assert {c.category for c in kitchen.categories} == {"Home > Kitchen > Kettles", "Home > Kitchen > Pans"}
    with pytest.raises(InputError, match="window_days"):
        market_trends(ctx.db, window_days=3)


def test_price_bands_match_an_independent_count(ctx: AppContext) -> None:
    lines = build_store(ctx)
    report = market_trends(ctx.db, window_days=60, price_edges=[20, 60])
    assert [b.label for b in report.price_bands] == ["under 20", "20–60", "60 and over"]
    bands = {"under 20": {"K1"}, "20–60": {"K2", "D1"}, "60 and over": {"G1"}}
    whole = revenue(lines, *windows(60))
    for band in report.price_bands:
        skus = bands[band.label]
        now = revenue(lines, *windows(60), keep=lambda sku, skus=skus: sku in skus)
        before = revenue(lines, *windows(60, 60), keep=lambda sku, skus=skus: sku in skus)
        assert band.skus == len(skus)
        assert band.revenue == pytest.approx(now, abs=0.01)
        assert band.share_pct == round(100 * now / whole, 1)
        assert band.growth_pct == round(100 * (now - before) / before, 1)
    assert report.unpriced_share_pct == 0
    default = market_trends(ctx.db, window_days=60)
    assert default.price_edges == [25.0, 40.0, 58.0]  # quartiles of 10, 30, 50, 80, two digits kept
    assert sum(b.share_pct for b in default.price_bands) == pytest.approx(100, abs=0.15)


def test_nice_edges() -> None:
    assert [nice(v) for v in (23.47, 156.2, 7.46, 0.0)] == [23.0, 160.0, 7.5, 0.0]
    assert default_price_edges([5, 5, 5]) == []
    assert default_price_edges([10, 30, 50, 80]) == [25.0, 40.0, 58.0]


def test_seasonality_index_matches_an_independent_computation(ctx: AppContext) -> None:
    lines = build_store(ctx)
    report = market_trends(ctx.db)
    store = report.seasonality[0]
    first = AS_OF - dt.timedelta(days=DAYS - 1)
    months = []
    year, month = (first.year, first.month + 1) if first.month < 12 else (first.year + 1, 1)
    while (year, month) <= (AS_OF.year, AS_OF.month):
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    daily: dict[int, list[float]] = {}
    for y, m in months:
        last = calendar.monthrange(y, m)[1]
        total = revenue(lines, dt.date(y, m, 1), dt.date(y, m, last))
        daily.setdefault(m, []).append(total / last)
    means = {m: statistics.fmean(v) for m, v in daily.items()}
    overall = statistics.fmean(means.values())
    assert store.category == "" and store.months_of_data == len(months) >= 12
    assert store.index == {m: round(means[m] / overall, 2) for m in sorted(means)}
    decor = next(s for s in report.seasonality if s.category == "Home > Decor")
    assert decor.peak_month == 12 and decor.peak_index > 1.5


def test_too_short_a_history_has_no_seasonality_and_no_growth(ctx: AppContext) -> None:
    add_catalog(ctx)
    with ctx.db.session() as session:
        for i in range(20):
            day = AS_OF - dt.timedelta(days=i)
            session.add(models.SalesRecord(sku="K1", location="", date=day, units=2))
            session.add(
                models.SalesRecord(sku="D1", location="", date=day, units=1, revenue=Decimal("45.00"))
            )
    report = market_trends(ctx.db, window_days=30)
    assert report.source == "sales" and report.growth_pct is None and report.yoy_growth_pct is None
    assert all(not s.index for s in report.seasonality)
    kitchen = next(c for c in report.categories if c.category == "Home > Kitchen")
    assert kitchen.revenue == 20 * 2 * 10.0  # no revenue on the rows: units × the list price
    assert next(c for c in report.categories if c.category == "Home > Decor").revenue == 20 * 45.0


def test_sales_rows_win_over_orders_so_nothing_is_counted_twice(ctx: AppContext) -> None:
    build_store(ctx)
    with ctx.db.session() as session:
        session.add(models.SalesRecord(sku="K1", location="", date=AS_OF, units=3, revenue=Decimal("33.00")))
    report = market_trends(ctx.db, window_days=30)
    assert report.source == "sales" and report.revenue == 33.0
    assert market_trends(ctx.db, window_days=30, source="orders").revenue > 33.0


def test_review_sentiment_per_category(ctx: AppContext) -> None:
    build_store(ctx)
    at = dt.datetime.combine(AS_OF, dt.time(9))
    with ctx.db.session() as session:
        kettle = session.query(models.Product).filter_by(handle="kettle").one()
        rake = session.query(models.Product).filter_by(handle="rake").one()
        rows = [  # product, rating, days before AS_OF, analysed sentiment, negative aspects
            (kettle, 1, 1, "negative", ["lid", "handle"]),
            (kettle, 2, 2, "positive", []),  # the analysis wins over the stars
            (kettle, 1, 3, None, []),  # not analysed: 1 star reads negative
            (kettle, 5, 4, None, []),
            (kettle, 4, 5, "negative", ["lid"]),
            (kettle, 5, 120, None, []),  # the previous window
            (rake, 5, 10, "positive", []),
        ]
        for n, (product, rating, back, sentiment, aspects) in enumerate(rows, start=1):
            review = models.Review(
                external_id=f"R{n}",
                product_id=product.id,
                rating=rating,
                body="text",
                reviewed_at=at - dt.timedelta(days=back),
            )
            session.add(review)
            session.flush()
            if sentiment:
                session.add(
                    models.ReviewAnalysis(
                        review_id=review.id,
                        text_hash="x",
                        sentiment=sentiment,
                        p_positive=0.5,
                        aspects=[{"aspect": a, "polarity": "negative"} for a in aspects],
                    )
                )
    report = market_trends(ctx.db, window_days=90)
    kitchen = next(s for s in report.sentiment if s.category == "Home > Kitchen")
    assert (kitchen.reviews, kitchen.analysed, kitchen.negative, kitchen.positive) == (5, 3, 3, 2)
    assert kitchen.negative_pct == 60.0 and kitchen.avg_rating == round((1 + 2 + 1 + 5 + 4) / 5, 2)
    assert (kitchen.previous_reviews, kitchen.previous_negative_pct, kitchen.negative_change_pts) == (
        1,
        0.0,
        60.0,
    )
    assert [(a.aspect, a.reviews) for a in kitchen.top_negative_aspects] == [("lid", 2), ("handle", 1)]
    tools = next(s for s in report.sentiment if s.category == "Garden > Tools")
    assert (tools.reviews, tools.negative_pct, tools.previous_negative_pct) == (1, 0.0, None)
