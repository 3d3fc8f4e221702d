"""Product facts for copy: from the store (both databases) and from evaluation records."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.copy.facts import category_leaf, facts_for_product, facts_from_record, parse_price, plain_text
from shopops.errors import NotFoundError
from shopops.store import models
from shopops.store.db import Database


def add_board(db: Database) -> int:
    with db.session() as session:
        product = models.Product(
            handle="bamboo-board",
            title="Bamboo Cutting Board",
            description="<p>A solid <strong>bamboo</strong> board &amp; juice groove.</p>"
            "<ul><li>Hand wash</li></ul>",
            vendor="Lumen & Leaf",
            product_type="Cutting Boards",
            category="Home & Garden > Kitchen & Dining > Cutting Boards",
            tags=["kitchen", "Final Sale", "FSC"],
            option_names=["Size", "Colour"],
            attributes={
                "material": "Moso bamboo",
                "weight_kg": 1.5,
                "pieces": 2,
                "body_html": "<p>x</p>",
                "images": ["a.jpg"],
                "gift_card": False,
                "dishwasher_safe": True,
                "currency": "USD",
                "blank": "  ",
            },
            language="en",
        )
        product.variants = [
            models.ProductVariant(
                variant_key=key,
                position=position,
                option_values=[size, colour],
                price=Decimal(price),
                compare_at_price=Decimal(compare) if compare else None,
            )
            for position, (key, size, colour, price, compare) in enumerate(
                [
                    ("s-n", "Small", "Natural", "24.00", "30.00"),
                    ("l-n", "Large", "Natural", "40.00", None),
                    ("s-d", "Small", "Dark", "26.50", None),
                ],
                start=1,
            )
        ]
        session.add(product)
        session.flush()
        return product.id


def test_facts_for_product_by_id_and_handle(db: Database) -> None:
    product_id = add_board(db)
    with db.session() as session:
        by_handle = facts_for_product(session, "bamboo-board")
        by_id = facts_for_product(session, product_id)
        by_id_text = facts_for_product(session, str(product_id))
    assert by_handle == by_id == by_id_text
    facts = by_handle
    assert facts.id == str(product_id) and facts.title == "Bamboo Cutting Board"
    assert facts.description == "A solid bamboo board & juice groove.\n- Hand wash"
    assert facts.category == "Cutting Boards" and facts.product_type == "Cutting Boards"
    assert facts.vendor == "Lumen & Leaf" and facts.tags == ["kitchen", "FSC"]
    # text and numbers only: no HTML body, image list, booleans, blanks or the currency field
    assert facts.attributes == {"material": "Moso bamboo", "weight_kg": "1.5", "pieces": "2"}
    assert facts.options == {"Size": ["Small", "Large"], "Colour": ["Natural", "Dark"]}
    assert (facts.price, facts.price_max, facts.list_price, facts.currency) == (24.0, 40.0, 30.0, "USD")
    lines = facts.fact_lines()
    assert "price: 24-40 USD" in lines and "list price: 30 USD" in lines
    assert not any("<" in line for line in lines)


def test_unknown_product_is_a_clear_error(db: Database) -> None:
    add_board(db)
    with db.session() as session, pytest.raises(NotFoundError) as caught:
        facts_for_product(session, "no-such-thing")
    assert "no-such-thing" in str(caught.value) and "shopops import products" in str(caught.value)


def test_category_leaf_and_plain_text() -> None:
    assert category_leaf("Computers&Accessories|Cables|USBCables") == "USBCables"
    assert category_leaf("Home > Kitchen › Boards") == "Boards"
    assert category_leaf("") == ""
    long = "word " * 400
    cut = plain_text(long, max_chars=100)
    assert len(cut) <= 102 and cut.endswith("…") and "  " not in cut


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("₹1,099", (1099.0, "INR")),
        ("1,39,900", (139900.0, "")),
        ("₹1,39,900", (139900.0, "INR")),
        ("$1,234.50", (1234.5, "USD")),
        ("19,99 €", (19.99, "EUR")),
        ("R$ 49,90", (49.9, "BRL")),
        ("USD 12", (12.0, "USD")),
        (12, (12.0, "")),
        ("", (None, "")),
        ("call us", (None, "")),
        (None, (None, "")),
    ],
)
def test_parse_price(raw: object, expected: tuple[float | None, str]) -> None:
    assert parse_price(raw) == expected


def test_facts_from_record() -> None:
    facts = facts_from_record(
        {
            "id": "B07",
            "title": "Braided USB Cable",
            "category": "Computers&Accessories|Cables|USBCables",
            "price": "₹399",
            "list_price": "₹1,099",
            "attributes": {"length": "3 ft", "colour": "Grey", "nested": {"x": 1}},
            "description": "<b>Fast</b> charging",
            "reference": "not a fact",
        }
    )
    assert (facts.id, facts.title, facts.category) == ("B07", "Braided USB Cable", "USBCables")
    assert (facts.price, facts.price_max, facts.list_price, facts.currency) == (399.0, 399.0, 1099.0, "INR")
    assert facts.attributes == {"length": "3 ft", "colour": "Grey"}
    assert facts.description == "Fast charging" and facts.language == "en"
    assert not any("not a fact" in line for line in facts.fact_lines())

    chinese = facts_from_record({"id": 7, "title": "宜兴紫砂茶壶", "price": "1,39,900", "list_price": "1"})
    assert chinese.id == "7" and chinese.language == "zh" and chinese.price == 139900.0
    assert chinese.list_price is None  # a "list price" below the price is not a discount
    bare = facts_from_record({"id": "x"})
    assert bare.title == "x" and bare.price is None and bare.fact_lines() == ["title: x"]


def test_facts_from_the_amazon_india_catalog(shared_data: Path) -> None:
    path = shared_data / "catalog" / "amazon_india_dev.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as handle:
        rows = [row for _, row in zip(range(200), csv.DictReader(handle), strict=False)]
    facts = [
        facts_from_record(
            {
                "id": row["product_id"],
                "title": row["product_name"],
                "category": row["category"],
                "price": row["discounted_price"],
                "list_price": row["actual_price"],
            }
        )
        for row in rows
    ]
    assert len(facts) == len(rows) > 0
    assert all(f.price is not None and f.price > 0 and f.currency == "INR" for f in facts)
    assert all(f.category and "|" not in f.category for f in facts)
