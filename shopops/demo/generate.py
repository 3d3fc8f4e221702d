"""Write the demo store as the files shopops imports.

    generate_store(Path("shopops/demo/data"))      # what scripts/make_demo_store.py does

Products are a Shopify product CSV (real Shopify column names, one row per variant, product fields
on the first row of each handle). The other tables are CSVs with snake_case columns named after the
store model's fields; knowledge is Markdown plus an FAQ JSON. The same seed always gives the same
bytes (a test holds the shipped files to that).
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from shopops.demo.catalog import PRODUCTS, STORE_NAME, VENDOR, ProductSpec
from shopops.demo.history import review_rows, sales_rows, stock_rows
from shopops.demo.knowledge import FAQ, RETURNS_POLICY, SHIPPING_POLICY, WARRANTY
from shopops.demo.simulate import (
    END_DATE,
    START_DATE,
    Customer,
    Order,
    Variant,
    build_customers,
    build_orders,
    build_variants,
)

DEFAULT_SEED = 20261031
DATA_DIR = Path(__file__).parent / "data"

SHOPIFY_COLUMNS = (
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "SEO Title",
    "SEO Description",
    "Variant Weight Unit",
    "Cost per item",
    "Status",
)
ORDER_COLUMNS = (
    "order_number",
    "customer_id",
    "placed_at",
    "status",
    "financial_status",
    "currency",
    "shipped_at",
    "delivered_at",
    "carrier",
    "tracking_number",
    "shipping_country",
    "sku",
    "title",
    "quantity",
    "unit_price",
    "final_sale",
    "returned_quantity",
)
LABELS = {
    "en": {},
    "zh": {
        "material": "材质",
        "capacity": "容量",
        "size": "尺寸",
        "care": "保养",
        "pieces": "数量",
        "certifications": "认证",
        "closure": "闭合方式",
        "dishwasher_safe": "可用洗碗机",
    },
}


def _csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _when(value: object) -> str:
    return "" if value is None else value.isoformat()  # type: ignore[attr-defined]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _body_html(spec: ProductSpec) -> str:
    labels = LABELS[spec.language]
    items = "".join(
        f"<li><strong>{html.escape(labels.get(key, key.replace('_', ' ').capitalize()))}:</strong> "
        f"{html.escape(value)}</li>"
        for key, value in spec.attributes.items()
    )
    return f"<p>{html.escape(spec.description)}</p><ul>{items}</ul>"


def _seo_description(spec: ProductSpec) -> str:
    first = spec.description.replace("。", "。\n").replace(". ", ".\n").splitlines()[0]
    return first[:160]


def products_csv(variants: list[Variant], stock: dict[str, int]) -> bytes:
    rows = []
    for spec in PRODUCTS:
        own = [v for v in variants if v.spec is spec]
        tags = [*spec.tags, "Final sale"] if spec.final_sale else list(spec.tags)
        for position, variant in enumerate(own):
            first = position == 0
            names = [o.name for o in spec.options] or ["Title"]
            values = list(variant.option_values) or ["Default Title"]
            names, values = names + [""] * (2 - len(names)), values + [""] * (2 - len(values))
            rows.append(
                (
                    spec.handle,
                    spec.title if first else "",
                    _body_html(spec) if first else "",
                    VENDOR if first else "",
                    spec.category if first else "",
                    spec.product_type if first else "",
                    ", ".join(tags) if first else "",
                    "TRUE" if first else "",
                    names[0] if first else "",
                    values[0],
                    names[1] if first else "",
                    values[1],
                    variant.sku,
                    variant.grams,
                    "shopify",
                    stock[variant.sku],
                    "deny",
                    _money(variant.price),
                    _money(variant.compare_at),
                    "TRUE",
                    "TRUE",
                    variant.barcode,
                    f"https://example.com/lumen-and-leaf/{spec.handle}.jpg" if first else "",
                    1 if first else "",
                    spec.title if first else "",
                    f"{spec.title} | {STORE_NAME}" if first else "",
                    _seo_description(spec) if first else "",
                    "g",
                    _money(spec.cost),
                    "active" if first else "",
                )
            )
    return _csv(rows, SHOPIFY_COLUMNS)


def customers_csv(customers: list[Customer]) -> bytes:
    rows = [(c.external_id, c.email, c.name, c.phone, c.country, c.language) for c in customers]
    return _csv(rows, ("external_id", "email", "name", "phone", "country", "language"))


def orders_csv(orders: list[Order]) -> bytes:
    rows = []
    for order in orders:
        for line in order.lines:
            spec = line.variant.spec
            title = spec.title + (
                f" - {' / '.join(line.variant.option_values)}" if line.variant.option_values else ""
            )
            rows.append(
                (
                    order.number,
                    order.customer.external_id,
                    _when(order.placed_at),
                    order.status,
                    order.financial_status,
                    "USD",
                    _when(order.shipped_at),
                    _when(order.delivered_at),
                    order.customer.carrier if order.shipped_at else "",
                    order.tracking_number,
                    order.customer.country,
                    line.variant.sku,
                    title,
                    line.quantity,
                    _money(line.unit_price),
                    _flag(spec.final_sale),
                    line.returned_quantity,
                )
            )
    return _csv(rows, ORDER_COLUMNS)


def generate_files(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Every demo file as ``relative path -> bytes``; nothing touches the disk."""
    rng = random.Random(seed)
    variants = build_variants(rng)
    customers = build_customers(rng)
    orders = build_orders(rng, variants, customers)
    sales = sales_rows(orders)
    stock = stock_rows(rng, variants, sales)
    reviews = review_rows(rng, orders)
    on_hand = {row.sku: row.on_hand for row in stock}
    return {
        "products.csv": products_csv(variants, on_hand),
        "customers.csv": customers_csv(customers),
        "orders.csv": orders_csv(orders),
        "sales.csv": _csv(
            [
                (
                    r.sku,
                    "main",
                    r.date.isoformat(),
                    r.units,
                    _money(r.revenue),
                    _flag(r.on_promotion),
                    _flag(r.in_stock),
                )
                for r in sales
            ],
            ("sku", "location", "date", "units", "revenue", "on_promotion", "in_stock"),
        ),
        "inventory.csv": _csv(
            [(r.sku, "main", r.on_hand, r.on_order, r.lead_time_days) for r in stock],
            ("sku", "location", "on_hand", "on_order", "lead_time_days"),
        ),
        "reviews.csv": _csv(
            [
                (
                    r.external_id,
                    r.product_handle,
                    r.rating,
                    r.title,
                    r.body,
                    r.language,
                    r.author,
                    _when(r.reviewed_at),
                    r.customer_external_id,
                )
                for r in reviews
            ],
            (
                "external_id",
                "product_handle",
                "rating",
                "title",
                "body",
                "language",
                "author",
                "reviewed_at",
                "customer_external_id",
            ),
        ),
        "knowledge/shipping-policy.md": SHIPPING_POLICY.encode("utf-8"),
        "knowledge/returns-policy.md": RETURNS_POLICY.encode("utf-8"),
        "knowledge/warranty.md": WARRANTY.encode("utf-8"),
        "knowledge/faq.json": (json.dumps(list(FAQ), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "README.md": _readme(seed, len(variants), len(customers), orders, len(sales), len(reviews)).encode(
            "utf-8"
        ),
    }


def _readme(
    seed: int, n_variants: int, n_customers: int, orders: list[Order], n_sales: int, n_reviews: int
) -> str:
    n_lines = sum(len(o.lines) for o in orders)
    return (
        f"# {STORE_NAME}: the shopops demo store\n\n"
        "A fictional home and outdoor goods shop, generated by `scripts/make_demo_store.py` "
        f"(seed {seed}); do not edit these files by hand. Every name, product, order and review is "
        "invented.\n\n"
        f"- products.csv: {len(PRODUCTS)} products, {n_variants} variants (Shopify product CSV)\n"
        f"- customers.csv: {n_customers} customers (emails on example.com)\n"
        f"- orders.csv: {len(orders)} orders, {n_lines} lines, {START_DATE} to {END_DATE} "
        "(one row per line)\n"
        f"- sales.csv: {n_sales} daily rows per SKU with sales; a missing day means 0 units, in stock\n"
        "- inventory.csv: stock on hand, on order and lead time per SKU\n"
        f"- reviews.csv: {n_reviews} reviews in English and Chinese\n"
        "- knowledge/: shipping, returns and warranty policies, and an FAQ\n"
    )


def generate_store(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo store under ``out_dir`` (files it does not generate are left alone)."""
    written = []
    for relative, content in generate_files(seed).items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
