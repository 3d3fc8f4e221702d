"""The read-only queries behind the workspace pages: dashboard counts and sales KPIs, stock
health from inventory and sales, catalog search and the review rating distribution; and the
dashboard, forecasts and reviews pages showing them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.auth.accounts import create_user
from shopops.config import Settings
from shopops.context import AppContext
from shopops.store import models
from shopops.web.queries import (
    list_reviews,
    queue_summary,
    sales_kpis,
    search_products,
    ticket_counts,
    usage_today,
)
from shopops.web.stock import classify, stock_alerts, stock_health

NOW = dt.datetime(2024, 6, 15, 12, 0)


def seed(ctx: AppContext) -> None:
    newest = dt.date(2024, 6, 14)
    with ctx.db.session() as session:
        lamp = models.Product(handle="desk-lamp", title="Desk Lamp")
        lamp.variants = [models.ProductVariant(variant_key="a", sku="LAMP", price=Decimal("30"))]
        mug = models.Product(handle="mug", title="Stoneware Mug")
        mug.variants = [models.ProductVariant(variant_key="a", sku="MUG", price=Decimal("12"))]
        session.add_all([lamp, mug])
        session.flush()
        session.add_all(
            [
                models.InventoryLevel(sku="LAMP", location="a", on_hand=10, on_order=5),
                models.InventoryLevel(sku="LAMP", location="b", on_hand=4),
                models.InventoryLevel(sku="MUG", on_hand=0, on_order=20),
                models.InventoryLevel(sku="RUG", on_hand=300),  # no sales: overstock
                models.InventoryLevel(sku="CUP", on_hand=60),
            ]
        )
        for day in range(28):  # LAMP sells 2/day (14 on hand: 7 days of cover), CUP 1/day (60 days)
            date = newest - dt.timedelta(days=day)
            session.add(models.SalesRecord(sku="LAMP", date=date, units=2))
            session.add(models.SalesRecord(sku="CUP", date=date, units=1))
        session.add(models.SalesRecord(sku="CUP", date=newest - dt.timedelta(days=40), units=500))  # outside
        for number, (days_ago, total, status) in enumerate(
            [(1, "100", "open"), (2, "50", "fulfilled"), (3, "999", "cancelled"), (9, "40", "delivered")]
        ):
            session.add(
                models.Order(
                    order_number=f"#{number}",
                    total=Decimal(total),
                    currency="EUR",
                    status=status,
                    placed_at=NOW - dt.timedelta(days=days_ago),
                )
            )
        session.add_all(
            [models.Ticket(status="open"), models.Ticket(status="open"), models.Ticket(status="escalated")]
        )
        for number, stars in enumerate((5, 5, 4, 1)):
            session.add(models.Review(external_id=f"r{number}", product_id=lamp.id, rating=stars, body="ok"))
        session.add(models.Review(external_id="unrated", product_id=mug.id, rating=None, body="meh"))
        session.add_all(
            [
                models.Draft(
                    kind="copy.title", subject_type="product", subject_id="1", author="ai", checks={}
                ),
                models.Draft(
                    kind="copy.title",
                    subject_type="product",
                    subject_id="1",
                    author="ai",
                    checks={"flags": [{"kind": "unsupported", "message": "x", "blocking": True}]},
                ),
                models.Draft(kind="report.weekly", subject_type="report", subject_id="w1", author="ai"),
                models.Draft(
                    kind="copy.seo", subject_type="product", subject_id="1", author="ai", status="approved"
                ),
                models.GenerationLog(
                    task="copy.title",
                    backend="fake",
                    model="f",
                    prompt_hash="h",
                    prompt_tokens=7,
                    completion_tokens=3,
                    at=NOW,
                ),
                models.GenerationLog(
                    task="copy.title",
                    backend="fake",
                    model="f",
                    prompt_hash="h",
                    prompt_tokens=100,
                    at=NOW - dt.timedelta(days=1),
                ),
            ]
        )


def test_stock_health_classifies_cover(ctx: AppContext) -> None:
    seed(ctx)
    rows = {row.sku: row for row in stock_health(ctx.db)}
    assert rows["LAMP"].on_hand == 14 and rows["LAMP"].on_order == 5
    assert rows["LAMP"].avg_daily_units == 2.0 and rows["LAMP"].days_of_cover == 7.0
    assert rows["LAMP"].status == "low" and rows["LAMP"].title == "Desk Lamp"
    assert rows["MUG"].status == "out" and rows["RUG"].status == "overstock"
    assert rows["RUG"].days_of_cover is None
    assert rows["CUP"].days_of_cover == 60.0 and rows["CUP"].status == "ok"
    assert [row.sku for row in stock_health(ctx.db)][:2] == ["MUG", "LAMP"]
    assert {row.sku for row in stock_alerts(ctx.db)} == {"MUG", "LAMP"}
    assert classify(5, 121.0, low_days=14, overstock_days=120) == "overstock"
    assert classify(5, 120.0, low_days=14, overstock_days=120) == "ok"


def test_dashboard_numbers(ctx: AppContext) -> None:
    seed(ctx)
    kpis = sales_kpis(ctx.db, now=NOW)
    assert kpis.current.revenue == Decimal("150") and kpis.current.orders == 2
    assert kpis.current.aov == Decimal("75.00") and kpis.currency == "EUR"
    assert kpis.previous.revenue == Decimal("40") and kpis.previous.orders == 1
    assert kpis.change(kpis.current.revenue, kpis.previous.revenue) == 275.0
    assert kpis.change(1, 0) is None
    summary = queue_summary(ctx.db)
    assert summary.pending_by_kind == {"copy.title": 2, "report.weekly": 1} and summary.blocked == 1
    assert summary.pending == 3
    assert ticket_counts(ctx.db) == {"open": 2, "escalated": 1}
    usage = usage_today(ctx.db, now=NOW)
    assert usage.generations == 1 and usage.tokens == 10


def test_search_and_reviews(ctx: AppContext) -> None:
    seed(ctx)
    assert [p.handle for p in search_products(ctx.db, "LAMP").items] == ["desk-lamp"]
    assert search_products(ctx.db, "mug").items[0].variants[0].sku == "MUG"
    assert search_products(ctx.db, "", limit=1).total == 2
    everything = list_reviews(ctx.db)
    assert everything.total == 5 and everything.distribution == {5: 2, 4: 1, 3: 0, 2: 0, 1: 1}
    assert everything.unrated == 1
    fives = list_reviews(ctx.db, rating=5, product_id=1)
    assert fives.total == 2 and fives.distribution[1] == 1  # the distribution ignores the rating filter


def test_pages_show_the_numbers(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0}))
    with TestClient(app) as client:
        ctx = app.state.ctx
        seed(ctx)
        create_user(ctx.db, "ana@web.example", "correct-horse-battery", role="analyst")
        client.post("/login", data={"email": "ana@web.example", "password": "correct-horse-battery"})
        home = client.get("/").text
        assert len(re.findall(r'data-testid="stock-alert"', home)) == 2
        assert "1 blocked by check flags" in home
        stock = client.get("/forecasts?status=low").text
        assert re.findall(r'data-testid="stock-row" data-status="(\w+)"', stock) == ["low"]
        reviews = client.get("/reviews?rating=5").text
        assert len(re.findall(r'data-testid="review"', reviews)) == 2
        assert 'data-rating="5" data-count="2"' in reviews
        reports = client.get("/reports").text
        assert "report.weekly" in reports
        catalog = client.get("/catalog?q=lamp").text  # the hybrid search: the lamp ranks first
        hits = re.findall(r'data-testid="search-hit" data-product-id="(\d+)"', catalog)
        with ctx.db.session() as session:
            lamp = session.query(models.Product).filter_by(handle="desk-lamp").one()
            assert hits[0] == str(lamp.id)
        assert len(re.findall(r'data-testid="product-row"', client.get("/catalog").text)) == 2
