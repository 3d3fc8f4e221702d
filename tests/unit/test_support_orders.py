"""Order tools on the store: finding an order as customers type it, ownership, facts, descriptions.

Runs on SQLite and on PostgreSQL (the ``db`` fixture of tests/conftest.py; PostgreSQL skips
without a server)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.store.db import Database
from shopops.store.models import Customer, Order, OrderLine
from shopops.support.orders import (
    DEFAULT_TRANSIT_DAYS,
    describe_order,
    find_order,
    is_redacted,
    lookup_order,
    normalise_order_number,
    order_facts,
)

TODAY = dt.date(2025, 5, 12)


def seed(db: Database) -> dict[str, int]:
    """Two customers; Mia owns #1001 (shipped, in transit) and LL-10023 (delivered); Sam owns 2002."""
    with db.session() as session:
        mia = Customer(external_id="c1", email="Mia@Example.com", name="Mia")
        sam = Customer(external_id="c2", email="sam@example.com", name="Sam")
        session.add_all([mia, sam])
        session.flush()
        session.add_all(
            [
                Order(
                    order_number="#1001",
                    customer_id=mia.id,
                    status="fulfilled",
                    total=Decimal("64.00"),
                    placed_at=dt.datetime(2025, 5, 2, 14, 46),
                    shipped_at=dt.datetime(2025, 5, 9, 19, 46),
                    carrier="DHL",
                    tracking_number="DH263340135180",
                    lines=[
                        OrderLine(
                            sku="LL-TT", title="Linen Tea Towels", quantity=2, unit_price=Decimal("22.00")
                        ),
                        OrderLine(
                            sku="LL-RAT",
                            title="Rattan Shade",
                            quantity=1,
                            unit_price=Decimal("20.00"),
                            final_sale=True,
                        ),
                    ],
                ),
                Order(
                    order_number="LL-10023",
                    customer_id=mia.id,
                    status="delivered",
                    financial_status="partially_refunded",
                    total=Decimal("19.00"),
                    placed_at=dt.datetime(2025, 4, 2),
                    shipped_at=dt.datetime(2025, 4, 3),
                    delivered_at=dt.datetime(2025, 4, 8),
                    lines=[
                        OrderLine(
                            sku="LL-BOX",
                            title="竹制收纳盒",
                            quantity=1,
                            unit_price=Decimal("19.00"),
                            returned_quantity=1,
                        )
                    ],
                ),
                Order(
                    order_number="2002",
                    customer_id=sam.id,
                    total=Decimal("45.00"),
                    placed_at=dt.datetime(2025, 5, 11),
                    lines=[
                        OrderLine(sku="LL-SOL", title="Solar Lights", quantity=1, unit_price=Decimal("45"))
                    ],
                ),
                Order(order_number="GUEST-7", total=Decimal("9.00"), placed_at=dt.datetime(2025, 5, 1)),
            ]
        )
    return {"mia": mia.id, "sam": sam.id}


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("#1001", "1001"),
        (" order 1001 ", "1001"),
        ("Order No. #ll-10023", "LL-10023"),
        ("订单号：1001。", "1001"),
        ("1001?", "1001"),
        ("   ", ""),
    ],
)
def test_normalise_order_number(raw: str, number: str) -> None:
    assert normalise_order_number(raw) == number


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ("#1001", "#1001"),
        ("1001", "#1001"),
        (" order 1001 ", "#1001"),
        ("LL-10023", "LL-10023"),
        ("ll 10023", "LL-10023"),
        ("10023", "LL-10023"),  # digits only: the unique letters + digits number
        ("#2002", "2002"),
        ("0023", None),  # a digit suffix is not a match
        ("9999", None),
        ("", None),
    ],
)
def test_find_order_tries_the_forms_stores_use(db: Database, raw: str, found: str | None) -> None:
    seed(db)
    with db.session() as session:
        order = find_order(session, raw)
        assert (order.order_number if order else None) == found


def test_the_owner_gets_full_facts_by_id_or_email(db: Database) -> None:
    ids = seed(db)
    for customer_id, email in ((ids["mia"], None), (None, " mia@example.COM")):
        lookup = lookup_order(db, " order 1001 ", customer_id=customer_id, customer_email=email, today=TODAY)
        assert lookup.found and lookup.reason == "ok" and not lookup.redacted
        assert lookup.facts is not None
        assert lookup.facts.order_number == "#1001"
        assert lookup.facts.total == Decimal("64.00")
        assert [(i.sku, i.quantity, i.final_sale) for i in lookup.facts.items] == [
            ("LL-TT", 2, False),
            ("LL-RAT", 1, True),
        ]
        assert lookup.facts.tracking_number == "DH263340135180"


def test_another_customers_order_is_not_revealed(db: Database) -> None:
    ids = seed(db)
    by_id = lookup_order(db, "2002", customer_id=ids["mia"], customer_email=None)
    by_email = lookup_order(db, "2002", customer_id=None, customer_email="mia@example.com")
    for lookup in (by_id, by_email):
        assert lookup.reason == "other_customer"
        assert not lookup.found and lookup.facts is None
        assert lookup.describe() == ""


def test_missing_and_absent_numbers(db: Database) -> None:
    ids = seed(db)
    missing = lookup_order(db, "#9999", customer_id=ids["mia"], customer_email=None)
    assert (missing.found, missing.reason, missing.facts, missing.number) == (
        False,
        "not_found",
        None,
        "9999",
    )
    for raw in (None, "", " # "):
        assert lookup_order(db, raw, customer_id=ids["mia"], customer_email=None).reason == "no_number"


@pytest.mark.parametrize("number", ["1001", "GUEST-7"])
def test_unverified_lookups_get_status_and_shipping_only(db: Database, number: str) -> None:
    ids = seed(db)
    # an unknown customer, or an order with no customer to compare the known one with
    customer = None if number == "1001" else ids["mia"]
    lookup = lookup_order(db, number, customer_id=customer, customer_email=None, today=TODAY)
    assert lookup.found and lookup.reason == "ok" and lookup.redacted
    facts = lookup.facts
    assert facts is not None and is_redacted(facts)
    assert facts.items == [] and facts.total == 0 and facts.tracking_number == ""
    text = lookup.describe()
    assert "Status:" in text
    for hidden in ("Total", "Payment", "Items", "DH263340135180", "Tea Towels", "64.00"):
        assert hidden not in text
    assert "Total" not in describe_order(facts)  # redaction is visible in the facts themselves
    if number == "1001":
        assert facts.carrier == "DHL" and facts.shipped_at == dt.datetime(2025, 5, 9, 19, 46)


def test_estimated_delivery(db: Database) -> None:
    seed(db)
    with db.session() as session:
        in_transit = find_order(session, "1001")
        delivered = find_order(session, "LL-10023")
        not_shipped = find_order(session, "2002")
        assert in_transit and delivered and not_shipped
        shipped_day = dt.date(2025, 5, 9)
        facts = order_facts(in_transit, today=TODAY)
        assert facts.estimated_delivery == shipped_day + dt.timedelta(days=DEFAULT_TRANSIT_DAYS)
        assert order_facts(in_transit, today=TODAY, transit_days=2).estimated_delivery == dt.date(2025, 5, 11)
        assert (
            order_facts(in_transit, today=dt.date(2025, 5, 8)).estimated_delivery is None
        )  # future ship date
        assert order_facts(delivered, today=TODAY).estimated_delivery is None
        assert order_facts(not_shipped, today=TODAY).estimated_delivery is None
        in_transit.status = "cancelled"
        assert order_facts(in_transit, today=TODAY).estimated_delivery is None
        session.rollback()


def test_describe_order_in_english_and_chinese(db: Database) -> None:
    ids = seed(db)
    lookup = lookup_order(db, "1001", customer_id=ids["mia"], customer_email=None, today=TODAY)
    assert lookup.facts is not None
    text = describe_order(lookup.facts)
    assert "Order: #1001" in text
    assert "Status: shipped" in text
    assert "Placed: 2025-05-02" in text and "Shipped: 2025-05-09" in text
    assert "Carrier: DHL tracking DH263340135180" in text
    assert "Estimated delivery: 2025-05-14" in text
    assert "Total: 64.00 USD" in text
    assert "- 2 x Linen Tea Towels [LL-TT]" in text
    assert "- 1 x Rattan Shade [LL-RAT] (final sale)" in text
    late = describe_order(lookup.facts, today=dt.date(2025, 5, 17))
    assert "3 days past the estimate" in late

    zh = describe_order(lookup.facts, "zh")
    assert "订单号: #1001" in zh and "已发货" in zh and "预计送达: 2025-05-14" in zh
    assert "特价商品" in zh

    returned = lookup_order(db, "LL-10023", customer_id=ids["mia"], customer_email=None)
    assert returned.facts is not None
    text = returned.describe()
    assert "Delivered: 2025-04-08" in text and "Estimated" not in text
    assert "(1 returned)" in text and "Payment: partially_refunded" in text
