"""Export of approved copy as a Shopify product CSV: Shopify's column names, escaped HTML, and a
round trip through our own Shopify importer that brings the approved copy back."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopops.copy.export import SHOPIFY_COLUMNS, export_approved
from shopops.demo.generate import DATA_DIR
from shopops.ingest import import_file
from shopops.store.db import Database, open_database
from shopops.store.models import Draft, Product

# The header of Shopify's product CSV template (help.shopify.com, "Using CSV files to import and
# export products"), in Shopify's order.
SHOPIFY_TEMPLATE_HEADER = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price",
    "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable", "Variant Barcode",
    "Image Src", "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item", "Status",
]  # fmt: skip


def _product(db: Database, handle: str) -> Product:
    with db.session() as session:
        product = session.scalar(
            select(Product).where(Product.handle == handle).options(selectinload(Product.variants))
        )
        assert product is not None
        return product


def _draft(
    db: Database, product: Product, kind: str, content: dict[str, Any], status: str = "approved"
) -> int:
    with db.session() as session:
        draft = Draft(
            kind=kind,
            subject_type="product",
            subject_id=str(product.id),
            content={"language": "en", **content},
            checks={"flags": [], "blocking": False},
            status=status,
            author=f"ai:{kind}",
        )
        session.add(draft)
        session.flush()
        return draft.id


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_approved_copy_exports_as_shopify_csv_and_round_trips(db: Database, tmp_path: Path) -> None:
    import_file(db, "products", DATA_DIR / "products.csv")
    board, lamp = _product(db, "bamboo-cutting-board"), None
    with db.session() as session:
        other = session.scalar(
            select(Product.handle).where(Product.handle != board.handle).order_by(Product.id)
        )
    assert other is not None
    lamp = _product(db, other)
    tricky = 'Solid <bamboo> & "oil" finish'
    _draft(db, board, "copy.description", {"text": "old approved text", "html": "<p>old approved text</p>"})
    _draft(
        db,
        board,
        "copy.description",
        {"text": f"{tricky}\n\nSecond paragraph.", "fields": {"paragraphs": [tricky, "Second paragraph."]}},
    )  # no rendered html: the exporter escapes the plain text itself
    _draft(
        db,
        board,
        "copy.title",
        {"text": "Bamboo Board, Juice Groove", "fields": {"title": "Bamboo Board, Juice Groove"}},
    )
    _draft(
        db,
        board,
        "copy.seo",
        {
            "fields": {
                "seo_title": "Bamboo board | Lumen & Leaf",
                "meta_description": "A bamboo board with a groove.",
            }
        },
    )
    _draft(
        db, board, "copy.title", {"text": "Rejected title", "fields": {"title": "Rejected title"}}, "rejected"
    )
    _draft(
        db, lamp, "copy.description", {"text": "not approved yet", "html": "<p>not approved yet</p>"}, "draft"
    )
    _draft(db, lamp, "copy.title", {"language": "zh", "fields": {"title": "中文标题"}})

    out = tmp_path / "export" / "shopify.csv"
    report = export_approved(db, out, language="en")
    assert (report.products, report.drafts) == (1, 4)
    assert report.fields == {"body": 1, "title": 1, "seo_title": 1, "seo_description": 1}

    header, rows = _rows(out)
    assert header == SHOPIFY_TEMPLATE_HEADER == list(SHOPIFY_COLUMNS)
    assert {row["Handle"] for row in rows} == {board.handle}
    assert len(rows) == len(board.variants)
    first = rows[0]
    assert first["Body (HTML)"] == (
        "<p>Solid &lt;bamboo&gt; &amp; &quot;oil&quot; finish</p>\n<p>Second paragraph.</p>"
    )
    assert first["Title"] == "Bamboo Board, Juice Groove"
    assert (first["SEO Title"], first["SEO Description"]) == (
        "Bamboo board | Lumen & Leaf",
        "A bamboo board with a groove.",
    )
    assert first["Status"] == "active" and first["Published"] == "TRUE"
    assert [row["Variant SKU"] for row in rows] == [
        v.sku for v in sorted(board.variants, key=lambda v: v.position)
    ]
    assert all(row["Title"] == "" and row["Body (HTML)"] == "" for row in rows[1:])

    db2 = open_database(f"sqlite:///{tmp_path / 'reimport.db'}")
    try:
        imported = import_file(db2, "products", out)
        assert (imported.rejected, imported.rows) == (0, len(rows))
        again = _product(db2, board.handle)
        assert again.title == "Bamboo Board, Juice Groove"
        assert again.attributes["body_html"] == first["Body (HTML)"]
        assert again.description.startswith(tricky)  # the importer unescapes HTML into plain text
        assert (again.seo_title, again.seo_description) == (
            "Bamboo board | Lumen & Leaf",
            "A bamboo board with a groove.",
        )
        assert again.vendor == board.vendor and again.category == board.category
        assert sorted((v.sku, v.price, v.option_values) for v in again.variants) == sorted(
            (v.sku, v.price, v.option_values) for v in board.variants
        )
    finally:
        db2.dispose()

    chinese = export_approved(db, tmp_path / "zh.csv", language="zh")
    assert chinese.products == 1
    _, zh_rows = _rows(tmp_path / "zh.csv")
    assert zh_rows[0]["Handle"] == lamp.handle and zh_rows[0]["Title"] == "中文标题"
    # without copy of its own, the body is the product's stored HTML, unchanged
    assert zh_rows[0]["Body (HTML)"] == lamp.attributes["body_html"]


def test_nothing_approved_writes_only_the_header(db: Database, tmp_path: Path) -> None:
    report = export_approved(db, tmp_path / "empty.csv")
    assert (report.products, report.rows) == (0, 0)
    header, rows = _rows(tmp_path / "empty.csv")
    assert header == SHOPIFY_TEMPLATE_HEADER and rows == []
