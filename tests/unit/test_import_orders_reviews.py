"""Orders with lines, customers, and reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shopops.errors import ImportValidationError
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import Customer, Order, OrderLine, Product, Review

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def orders(db: Database) -> dict[str, Order]:
    with db.session() as s:
        found = {o.order_number: o for o in s.scalars(select(Order))}
        for o in found.values():
            _ = o.lines
        return found


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_orders_with_lines_link_products_and_customers(db: Database) -> None:
    import_file(db, "products", FIXTURES / "shopify_products.csv")
    report = import_file(db, "orders", FIXTURES / "orders.csv")
    assert report.created == 3 and report.entities["order_lines"].created == 4
    assert report.entities["customers"].created == 3
    found = orders(db)
    first = found["1001"]
    assert first.total == Decimal("60.50")  # no total column: the sum of the lines
    assert first.placed_at == dt.datetime(2024, 5, 1, 10, 15) and first.status == "fulfilled"
    assert sorted((li.sku, li.quantity, li.unit_price) for li in first.lines) == [
        ("BT-4", 1, Decimal("12.50")),
        ("TEE-SAG-M", 2, Decimal("24.00")),
    ]
    assert all(li.product_id is not None for li in first.lines)
    assert found["1002"].placed_at == dt.datetime(2024, 5, 3, 12, 0)  # -0400 converted to UTC
    assert found["1002"].lines[0].product_id is None and found["1002"].lines[0].final_sale is True
    assert found["1003"].currency == "CNY" and found["1003"].shipping_country == "CN"
    with db.session() as s:
        ana = s.scalars(select(Customer).where(Customer.email == "ana@example.com")).one()
        assert ana.name == "Ana Souza" and first.customer_id == ana.id

    again = import_file(db, "orders", FIXTURES / "orders.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert count(db, OrderLine) == 4 and count(db, Customer) == 3


def test_changed_order_lines_are_replaced(db: Database, tmp_path: Path) -> None:
    import_file(db, "orders", FIXTURES / "orders.csv")
    text = (
        (FIXTURES / "orders.csv")
        .read_text(encoding="utf-8")
        .replace("TEE-SAG-M,Organic Cotton Tee - Sage / M,2", "TEE-SAG-M,Organic Cotton Tee - Sage / M,3")
    )
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    report = import_file(db, "orders", path)
    assert (report.updated, report.unchanged) == (1, 2)
    assert orders(db)["1001"].total == Decimal("84.50") and count(db, OrderLine) == 4


def test_order_rows_must_agree_and_bad_values_name_the_field(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_number,placed_at,currency,sku,quantity,unit_price\n"
        "A-1,2024-05-01,USD,X,1,10\n"
        "A-1,2024-05-02,USD,Y,0,10\n"
        "A-2,yesterday,usd,Z,1,ten\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "orders", path)
    assert sorted((e.row, e.field, e.message.split(" (use")[0]) for e in caught.value.errors) == [
        (3, "placed_at", "differs from row 2 ('2024-05-01'); the rows of one order must agree on its fields"),
        (3, "quantity", "must be at least 1"),
        (4, "placed_at", "not a date/time"),
        (4, "unit_price", "not a number"),
    ]
    assert count(db, Order) == 0
    report = import_file(db, "orders", path, skip_invalid=True)
    assert report.rejected == 3 and report.created == 0 and report.rejects_path is not None


def test_shopify_order_export_columns(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_text(
        "Name,Email,Financial Status,Fulfillment Status,Currency,Total,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price,Lineitem sku,Shipping Country\n"
        "#1001,ana@example.com,paid,fulfilled,EUR,58.00,2024-05-01 10:15:00 +0200,2,Tee,24.00,TEE-1,DE\n"
        "#1001,,,,,,,1,Socks,10.00,SOCK-1,\n",
        encoding="utf-8",
    )
    report = import_file(db, "orders", path)
    order = orders(db)["#1001"]
    assert report.created == 1 and len(order.lines) == 2 and order.total == Decimal("58.00")
    assert order.placed_at == dt.datetime(2024, 5, 1, 8, 15) and order.currency == "EUR"


def test_customers_by_id_or_email(db: Database) -> None:
    report = import_file(db, "customers", FIXTURES / "customers.csv")
    assert report.created == 3
    with db.session() as s:
        people = {c.external_id: c for c in s.scalars(select(Customer))}
    assert people["C-100"].name == "Ana Souza" and people["C-100"].email == "ana@example.com"
    assert people["li.wei@example.cn"].country == "CN"  # no id: keyed by email
    assert import_file(db, "customers", FIXTURES / "customers.csv").unchanged == 3


def test_reviews_link_products_and_guess_language(db: Database) -> None:
    import_file(db, "products", FIXTURES / "shopify_products.csv")
    report = import_file(db, "reviews", FIXTURES / "reviews.csv")
    assert report.created == 4 and any("1 review(s) name a product" in w for w in report.warnings)
    with db.session() as s:
        found = {r.external_id: r for r in s.scalars(select(Review))}
        tee_id = s.scalars(select(Product.id).where(Product.handle == "organic-cotton-tee")).one()
    assert found["R-1"].product_id == tee_id and found["R-1"].rating == 5
    assert found["R-3"].language == "zh" and found["R-1"].language == "en"
    assert found["R-4"].product_id is None and found["R-4"].reviewed_at is None
    assert import_file(db, "reviews", FIXTURES / "reviews.csv").unchanged == 4


def test_review_rating_out_of_range_and_duplicate_ids(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        '{"id": "A", "rating": 6, "body": "too good"}\n\n'
        '{"id": "B", "rating": 4, "body": "fine"}\n'
        '{"id": "B", "rating": 4.0, "body": "fine again"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "reviews", path)
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "rating"), (4, "(row)")]
    assert "same as row 3" in caught.value.errors[1].message
    report = import_file(db, "reviews", path, skip_invalid=True)
    assert report.created == 1
    rejected = report.rejects_path.read_text(encoding="utf-8").splitlines()  # type: ignore[union-attr]
    assert len(rejected) == 2 and '"error": "rating: must be from 1 to 5"' in rejected[0]
