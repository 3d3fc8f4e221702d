"""The demo store generator: deterministic, the source of the shipped files, and a plausible store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from shopops.demo.catalog import PRODUCTS
from shopops.demo.generate import DATA_DIR, DEFAULT_SEED, SHOPIFY_COLUMNS, generate_files, generate_store
from shopops.demo.history import LOW_STOCK_SKU, OVERSTOCK_SKU
from shopops.demo.simulate import END_DATE, STOCKOUT_SKU


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return generate_files()


def _rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


def test_same_seed_same_bytes_other_seed_other_store(files: dict[str, bytes], tmp_path: Path) -> None:
    assert generate_files(DEFAULT_SEED) == files
    written = generate_store(tmp_path, DEFAULT_SEED)
    assert {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written} == files
    other = generate_files(DEFAULT_SEED + 1)
    assert other["orders.csv"] != files["orders.csv"]
    assert other["knowledge/returns-policy.md"] == files["knowledge/returns-policy.md"]


def test_shipped_data_is_what_the_generator_makes(files: dict[str, bytes]) -> None:
    shipped = {p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*") if p.is_file()}
    assert shipped == set(files), "run `python scripts/make_demo_store.py`"
    stale = [name for name, content in files.items() if (DATA_DIR / name).read_bytes() != content]
    assert stale == [], f"stale demo files {stale}: run `python scripts/make_demo_store.py`"
    assert sum(len(c) for c in files.values()) < 600_000  # the package stays small


def test_products_are_a_shopify_export(files: dict[str, bytes]) -> None:
    header = files["products.csv"].decode().splitlines()[0].split(",")
    assert tuple(header) == SHOPIFY_COLUMNS
    rows = _rows(files, "products.csv")
    firsts = [r for r in rows if r["Title"]]
    assert len(firsts) == len(PRODUCTS) == 24
    assert len({r["Product Category"].split(" > ")[1] for r in firsts}) >= 4
    assert len(rows) > 40 and len({r["Variant SKU"] for r in rows}) == len(rows)
    assert any("\u4e00" <= r["Title"][0] <= "\u9fff" for r in firsts)  # some Chinese listings
    assert all(r["Variant Barcode"].startswith("200") and len(r["Variant Barcode"]) == 13 for r in rows)
    assert any("Final sale" in r["Tags"] for r in firsts)
    by_handle = Counter(r["Handle"] for r in rows)
    assert by_handle["insulated-water-bottle"] == 6  # two options: capacity x colour


def test_orders_sales_and_inventory_agree(files: dict[str, bytes]) -> None:
    orders = _rows(files, "orders.csv")
    skus = {r["Variant SKU"] for r in _rows(files, "products.csv")}
    customers = {r["external_id"] for r in _rows(files, "customers.csv")}
    assert 1300 <= len({r["order_number"] for r in orders}) <= 1700
    assert len(customers) == 150
    assert {r["sku"] for r in orders} <= skus and {r["customer_id"] for r in orders} <= customers
    placed = [dt.datetime.fromisoformat(r["placed_at"]) for r in orders]
    assert (max(placed).date() - min(placed).date()).days > 500 and max(placed).date() <= END_DATE
    assert (
        Counter(p.weekday() for p in placed)[5] > Counter(p.weekday() for p in placed)[0]
    )  # busier Saturdays
    returned = [r for r in orders if int(r["returned_quantity"])]
    assert returned and all(r["final_sale"] == "false" and r["status"] == "delivered" for r in returned)
    assert {r["status"] for r in orders} >= {"delivered", "cancelled", "fulfilled"}

    sold: dict[tuple[str, str], int] = defaultdict(int)
    for r in orders:
        if r["status"] != "cancelled":
            sold[r["sku"], r["placed_at"][:10]] += int(r["quantity"])
    sales = _rows(files, "sales.csv")
    assert {(r["sku"], r["date"]): int(r["units"]) for r in sales if r["in_stock"] == "true"} == sold
    stockout = [r for r in sales if r["in_stock"] == "false"]
    assert stockout and {r["sku"] for r in stockout} == {STOCKOUT_SKU}
    assert any(r["on_promotion"] == "true" for r in sales)

    stock = {r["sku"]: r for r in _rows(files, "inventory.csv")}
    assert set(stock) == skus
    recent = END_DATE - dt.timedelta(days=55)
    daily = defaultdict(float)
    for r in sales:
        if dt.date.fromisoformat(r["date"]) >= recent:
            daily[r["sku"]] += int(r["units"]) / 56
    low = stock[LOW_STOCK_SKU]
    assert int(low["on_hand"]) < daily[LOW_STOCK_SKU] * int(low["lead_time_days"])  # runs out before restock
    assert int(stock[OVERSTOCK_SKU]["on_hand"]) > 365 * max(daily[OVERSTOCK_SKU], 0.5)


def test_reviews_and_knowledge(files: dict[str, bytes]) -> None:
    reviews = _rows(files, "reviews.csv")
    handles = {spec.handle for spec in PRODUCTS}
    assert len(reviews) == 300 and {r["product_handle"] for r in reviews} <= handles
    languages = Counter(r["language"] for r in reviews)
    assert languages["en"] > 100 and languages["zh"] > 50
    ratings = Counter(int(r["rating"]) for r in reviews)
    assert set(ratings) <= {1, 2, 3, 4, 5} and ratings[5] > ratings[2] > 0
    assert all(dt.datetime.fromisoformat(r["reviewed_at"]).date() <= END_DATE for r in reviews)
    assert len({r["external_id"] for r in reviews}) == 300

    returns = files["knowledge/returns-policy.md"].decode()
    assert "30 days of the delivery date" in returns and "Final-sale items" in returns
    faq = json.loads(files["knowledge/faq.json"])
    assert all(set(item) == {"question", "answer", "language"} for item in faq)
    assert {item["language"] for item in faq} == {"en", "zh"}
    assert all("@example.com" in r["email"] for r in _rows(files, "customers.csv"))
