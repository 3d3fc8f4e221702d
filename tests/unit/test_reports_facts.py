"""Report facts from the store: every KPI equals an independent computation over the same orders
(week and month, the previous period and the year-ago one), movers, new vs returning customers,
stock health, reviews, the stored forecast, alerts and plans, period rules, a sales-only store and
an empty one. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from shopops.context import AppContext
from shopops.errors import InputError
from shopops.forecast.service import ForecastRun, SkuSeries, save_run
from shopops.reports.facts import (
    ReportFacts,
    change_pct,
    compute_facts,
    direction_of,
    period_ending,
    previous_period,
    year_ago_period,
)
from shopops.store import models
from shopops.workflow.alerts import AlertCandidate, raise_alerts
from shopops.workflow.drafts import add_ai_draft

PRICES = {
    "SKU-A": Decimal("10.00"),
    "SKU-B": Decimal("25.50"),
    "SKU-C": Decimal("40.00"),
    "SKU-D": Decimal("5.00"),
}
WEEK = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))  # ISO week 10; the data runs to 2026-03-10
FIRST_DAY, LAST_DAY = dt.date(2025, 2, 1), dt.date(2026, 3, 10)


@dataclass
class PlacedOrder:
    number: str
    customer: str
    placed_at: dt.datetime
    status: str
    financial: str
    currency: str
    lines: list[tuple[str, int, Decimal, int]] = field(default_factory=list)  # sku, qty, price, returned

    @property
    def total(self) -> Decimal:
        return sum((q * p for _, q, p, _ in self.lines), Decimal("0"))


def generated_orders() -> list[PlacedOrder]:
    rng = random.Random(7)
    orders: list[PlacedOrder] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        for _ in range(rng.randint(0, 4)):
            n = len(orders) + 1
            lines = []
            for sku in rng.sample(["SKU-A", "SKU-B", "SKU-C"], rng.randint(1, 2)):
                qty = rng.randint(1, 3)
                lines.append((sku, qty, PRICES[sku], qty if rng.random() < 0.1 else 0))
            orders.append(
                PlacedOrder(
                    number=f"O{n}",
                    customer=f"C{rng.randint(1, 60)}",
                    placed_at=dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59))),
                    status="cancelled" if rng.random() < 0.05 else "delivered",
                    financial=rng.choice(["paid"] * 8 + ["refunded", "partially_refunded"]),
                    currency="USD",
                    lines=lines,
                )
            )
        day += dt.timedelta(days=1)
    orders.append(  # another currency: counted in the notes, never summed with dollars
        PlacedOrder(
            "EUR1",
            "C1",
            dt.datetime(2026, 3, 4, 12),
            "delivered",
            "paid",
            "EUR",
            [("SKU-A", 9, PRICES["SKU-A"], 0)],
        )
    )
    return orders


def load(ctx: AppContext, orders: list[PlacedOrder]) -> None:
    with ctx.db.session() as session:
        products = {}
        for sku, price in PRICES.items():
            product = models.Product(handle=sku.lower(), title=f"Product {sku[-1]}", category="Home")
            product.variants.append(models.ProductVariant(variant_key="default", sku=sku, price=price))
            session.add(product)
            products[sku] = product
        customers = {f"C{i}": models.Customer(external_id=f"C{i}") for i in range(1, 61)}
        session.add_all(customers.values())
        session.flush()
        for o in orders:
            row = models.Order(
                order_number=o.number,
                customer_id=customers[o.customer].id,
                status=o.status,
                financial_status=o.financial,
                currency=o.currency,
                total=o.total,
                placed_at=o.placed_at,
            )
            row.lines = [
                models.OrderLine(
                    sku=s, product_id=products[s].id, quantity=q, unit_price=p, returned_quantity=r
                )
                for s, q, p, r in o.lines
            ]
            session.add(row)


def expected_kpis(orders: list[PlacedOrder], start: dt.date, end: dt.date) -> dict[str, float | None]:
    """The KPIs of ``[start, end]``, computed here without SQL (the definitions of the facts module)."""
    chosen = [
        o
        for o in orders
        if start <= o.placed_at.date() <= end and o.status != "cancelled" and o.currency == "USD"
    ]
    revenue = round(float(sum(o.total for o in chosen)), 2)
    units = sum(q for o in chosen for _, q, _, _ in o.lines)
    returned = sum(r for o in chosen for _, _, _, r in o.lines)
    refunded = sum(1 for o in chosen if o.financial in ("refunded", "partially_refunded"))
    first: dict[str, dt.datetime] = {}
    for o in orders:
        if o.status != "cancelled":
            first[o.customer] = min(first.get(o.customer, o.placed_at), o.placed_at)
    buyers = {o.customer for o in chosen}
    new = sum(1 for c in buyers if first[c].date() >= start)
    return {
        "revenue": revenue,
        "orders": len(chosen),
        "units": units,
        "aov": round(revenue / len(chosen), 2) if chosen else None,
        "return_rate": round(100 * returned / units, 1) if units else None,
        "refund_rate": round(100 * refunded / len(chosen), 1) if chosen else None,
        "new_customers": new,
        "returning_customers": len(buyers) - new,
    }


def sku_revenue(orders: list[PlacedOrder], start: dt.date, end: dt.date) -> dict[str, float]:
    out: dict[str, float] = {}
    for o in orders:
        if start <= o.placed_at.date() <= end and o.status != "cancelled" and o.currency == "USD":
            for sku, q, p, _ in o.lines:
                out[sku] = out.get(sku, 0.0) + float(q * p)
    return out


def assert_kpis_match(facts: ReportFacts, orders: list[PlacedOrder]) -> None:
    now = expected_kpis(orders, facts.period.start, facts.period.end)
    assert facts.previous is not None and facts.year_ago is not None
    before = expected_kpis(orders, facts.previous.start, facts.previous.end)
    year = expected_kpis(orders, facts.year_ago.start, facts.year_ago.end)
    assert [k.name for k in facts.kpis] == list(now)
    for kpi in facts.kpis:
        assert kpi.value == pytest.approx(now[kpi.name]), kpi.name
        assert kpi.previous == pytest.approx(before[kpi.name]), kpi.name
        assert kpi.year_ago == pytest.approx(year[kpi.name]), kpi.name
        assert kpi.change_pct == change_pct(now[kpi.name], before[kpi.name])
        assert kpi.yoy_pct == change_pct(now[kpi.name], year[kpi.name])
        assert kpi.direction == direction_of(now[kpi.name], before[kpi.name])
        assert kpi.yoy_direction == direction_of(now[kpi.name], year[kpi.name])


def test_periods_weeks_months_previous_and_year_ago() -> None:
    wednesday, sunday = dt.date(2026, 3, 11), dt.date(2026, 3, 8)
    assert (period_ending("weekly", wednesday).start, period_ending("weekly", wednesday).end) == WEEK
    assert period_ending("weekly", sunday).label == "2026-W10"
    week = period_ending("weekly", sunday)
    assert previous_period(week).start == dt.date(2026, 2, 23)
    ago = year_ago_period(week)
    assert (ago.start, ago.end) == (dt.date(2025, 3, 3), dt.date(2025, 3, 9)) and ago.start.weekday() == 0
    month = period_ending("monthly", dt.date(2026, 3, 8))
    assert (month.start, month.end, month.label) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026-02")
    assert period_ending("monthly", dt.date(2026, 3, 31)).label == "2026-03"
    assert previous_period(month).label == "2026-01" and year_ago_period(month).label == "2025-02"
    assert change_pct(110, 100) == 10.0 and change_pct(1, 0) is None
    assert (
        direction_of(100.4, 100) == "flat" and direction_of(90, 100) == "down" and direction_of(1, 0) == "up"
    )


def test_weekly_kpis_movers_and_customers_match_an_independent_computation(ctx: AppContext) -> None:
    orders = generated_orders()
    load(ctx, orders)
    facts = compute_facts(ctx, "weekly")  # default: the last complete week before the data's end
    assert (facts.period.start, facts.period.end) == WEEK and facts.period.label == "2026-W10"
    assert facts.source == "orders" and facts.currency == "USD"
    assert_kpis_match(facts, orders)
    assert any("other currencies" in note for note in facts.notes)
    assert facts.previous is not None
    now, before = sku_revenue(orders, *WEEK), sku_revenue(orders, facts.previous.start, facts.previous.end)
    changes = {s: round(now.get(s, 0.0) - before.get(s, 0.0), 2) for s in set(now) | set(before)}
    assert [m.sku for m in facts.movers_up] == sorted(
        (s for s in changes if changes[s] > 0), key=lambda s: -changes[s]
    )
    assert [m.sku for m in facts.movers_down] == sorted(
        (s for s in changes if changes[s] < 0), key=lambda s: changes[s]
    )
    for mover in [*facts.movers_up, *facts.movers_down]:
        assert mover.change == pytest.approx(changes[mover.sku]) and mover.title == f"Product {mover.sku[-1]}"
    c = facts.customers
    assert c is not None and c.new == facts.kpi("new_customers").value  # type: ignore[union-attr]
    assert c.customers == c.new + c.returning
    assert sum(p.revenue for p in facts.daily) == pytest.approx(facts.kpi("revenue").value)  # type: ignore[union-attr]
    assert len(facts.daily) == 7 and len(facts.previous_daily) == 7
    assert len(facts.trend) == 13 and facts.trend[-1].revenue == pytest.approx(facts.kpi("revenue").value)  # type: ignore[union-attr]


def test_monthly_kpis_and_an_explicit_end(ctx: AppContext) -> None:
    orders = generated_orders()
    load(ctx, orders)
    facts = compute_facts(ctx, "monthly", end=dt.date(2026, 3, 8))
    assert (
        facts.period.label == "2026-02" and facts.year_ago is not None and facts.year_ago.label == "2025-02"
    )
    assert_kpis_match(facts, orders)
    early = compute_facts(ctx, "weekly", end=dt.date(2025, 2, 9))  # no full week of data before it
    assert early.previous is None and early.year_ago is None and early.kpi("revenue").change_pct is None  # type: ignore[union-attr]


def test_stock_reviews_forecast_alerts_and_plans(ctx: AppContext) -> None:
    orders = generated_orders()
    load(ctx, orders)
    with ctx.db.session() as session:
        session.add_all(
            [
                models.InventoryLevel(sku="SKU-A", location="main", on_hand=0, lead_time_days=10),
                models.InventoryLevel(sku="SKU-B", location="main", on_hand=2, lead_time_days=30),
                models.InventoryLevel(sku="SKU-C", location="main", on_hand=100_000, lead_time_days=10),
                models.InventoryLevel(sku="SKU-D", location="main", on_hand=7, lead_time_days=10),
            ]
        )
        product_id = session.query(models.Product.id).filter_by(handle="sku-a").scalar()
        for i, (rating, sentiment, aspect, polarity) in enumerate(
            [
                (1, "negative", "fit", "negative"),
                (2, "negative", "fit", "negative"),
                (5, "positive", "fabric", "positive"),
                (4, "positive", "fabric", "positive"),
                (1, "negative", "delivery", "negative"),
            ]
        ):
            review = models.Review(
                external_id=f"R{i}",
                product_id=product_id,
                rating=rating,
                body=f"review {i}",
                reviewed_at=dt.datetime(2026, 3, 3 + i, 10),
            )
            session.add(review)
            session.flush()
            session.add(
                models.ReviewAnalysis(
                    review_id=review.id,
                    text_hash="x",
                    sentiment=sentiment,
                    p_positive=0.5,
                    aspects=[{"aspect": aspect, "term": aspect, "polarity": polarity}],
                )
            )
        session.add(
            models.Review(
                external_id="R-old",
                product_id=product_id,
                rating=5,
                body="old",
                reviewed_at=dt.datetime(2026, 2, 24, 9),
            )
        )
        session.add(models.SalesRecord(sku="SKU-A", location="main", date=dt.date(2026, 3, 4), units=21))
    raise_alerts(
        ctx.db,
        [
            AlertCandidate(
                kind="stock.out_risk",
                severity="high",
                subject_type="sku",
                subject_id="SKU-A",
                title="A runs out",
                dedupe_key="k1",
            ),
            AlertCandidate(
                kind="sales.decline",
                severity="medium",
                subject_type="sku",
                subject_id="SKU-B",
                title="B falls",
                dedupe_key="k2",
            ),
        ],
        actor="test",
    )
    with ctx.db.session() as session:
        add_ai_draft(
            session,
            kind="plan.response",
            subject_type="alert",
            subject_id="1",
            content={"summary": "Reorder A."},
            checks={},
            author="ai:plan.response",
            actor="test",
        )
    days = [(dt.date(2026, 3, 9) + dt.timedelta(days=i)).isoformat() for i in range(14)]
    series = [
        SkuSeries(
            sku=s,
            model="naive",
            demand_class="smooth",
            n_censored=0,
            history_ds=[],
            history_y=[],
            history_censored=[],
            ds=days,
            mean=[m] * 14,
            lo={},
            hi={},
        )
        for s, m in (("SKU-A", 2.0), ("SKU-B", 3.0))
    ]
    save_run(
        ctx,
        ForecastRun(
            generated_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
            freq="D",
            horizon=14,
            levels=[],
            backend="local",
            seconds=1.0,
            history_end=dt.date(2026, 3, 8),
            models_chosen={},
            series=series,
        ),
    )
    facts = compute_facts(ctx, "weekly", end=WEEK[1])

    stock = facts.stock
    assert stock is not None and stock.skus == 4 and stock.out_of_stock == 1
    units_b = sum(
        q
        for o in orders
        for s, q, _, _ in o.lines
        if s == "SKU-B"
        and o.status != "cancelled"
        and o.currency == "USD"
        and dt.date(2026, 2, 9) <= o.placed_at.date() <= WEEK[1]
    )
    assert stock.low_cover == (1 if 2 / (units_b / 28) < 30 else 0)
    assert stock.overstock == 2  # SKU-C: years of cover; SKU-D: stock and no demand
    assert {i.sku for i in stock.overstocked} == {"SKU-C", "SKU-D"} and stock.at_risk[0].sku == "SKU-A"
    assert stock.stockout_days == 0 and sum(n for _, n in stock.cover_buckets) == 4

    reviews = facts.reviews
    assert reviews is not None and (reviews.reviews, reviews.analyzed) == (5, 5)
    assert reviews.average_rating == pytest.approx(2.6) and reviews.negative_pct == 60.0
    assert reviews.previous_average_rating == 5.0 and reviews.previous_negative_pct is None
    top = reviews.top_complaints[0]
    assert (top.aspect, top.count, top.share_pct) == ("fit", 2, 40.0)
    assert reviews.top_praise[0].aspect == "fabric"

    forecast = facts.forecast
    assert forecast is not None and (forecast.start, forecast.end) == (
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 15),
    )
    assert (forecast.units, forecast.days_covered, forecast.daily_units) == (35, 7, 5.0)
    assert forecast.current_daily_units == 3.0 and forecast.change_pct == 66.7 and forecast.direction == "up"

    work = facts.work
    assert (work.open_alerts, work.high_alerts, work.plans_pending, work.plans_approved) == (2, 1, 1, 0)
    assert work.by_kind == {"sales.decline": 1, "stock.out_risk": 1} and work.top_alerts[0].severity == "high"
    assert work.plans[0].summary == "Reorder A." and facts.freshness.forecast_generated_at is not None


def test_a_store_with_sales_only_and_an_empty_store(ctx: AppContext) -> None:
    with pytest.raises(InputError, match="no orders or sales"):
        compute_facts(ctx, "weekly")
    with ctx.db.session() as session:
        for i in range(35):
            day = dt.date(2026, 2, 2) + dt.timedelta(days=i)
            session.add(
                models.SalesRecord(sku="W1", location="s1", date=day, units=10 + i, revenue=Decimal(100 + i))
            )
            session.add(
                models.SalesRecord(
                    sku="W2", location="s1", date=day, units=1, revenue=None, in_stock=i % 7 != 0
                )
            )
    facts = compute_facts(ctx, "weekly", end=dt.date(2026, 3, 1))
    assert facts.source == "sales" and [k.name for k in facts.kpis] == ["revenue", "units"]
    days = [dt.date(2026, 2, 23) + dt.timedelta(days=i) for i in range(7)]
    offsets = [(d - dt.date(2026, 2, 2)).days for d in days]
    assert facts.kpi("units").value == pytest.approx(sum(10 + i + 1 for i in offsets))  # type: ignore[union-attr]
    assert facts.kpi("revenue").value == pytest.approx(sum(100 + i for i in offsets))  # type: ignore[union-attr]
    assert facts.kpi("revenue").previous == pytest.approx(sum(100 + i - 7 for i in offsets))  # type: ignore[union-attr]
    assert facts.customers is None and facts.stock is None and facts.mover_metric == "revenue"
    assert any("sales history" in note for note in facts.notes)
