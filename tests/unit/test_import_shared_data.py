"""Real public data from ../shared/data through the importers (skipped when it is absent)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import KnowledgeDocument, Product, ProductVariant

AMAZON_MAPPING = {
    "handle": "product_id",
    "sku": "product_id",
    "title": "product_name",
    "description": "about_product",
    "category": "category",
    "price": "discounted_price",
    "compare_at_price": "actual_price",
    "image_url": "img_link",
    "attributes.rating": "rating",
    "attributes.rating_count": "rating_count",
}


def test_amazon_india_catalog_through_the_generic_importer(db: Database, shared_data: Path) -> None:
    path = shared_data / "catalog" / "amazon_india_dev.csv"
    report = import_file(db, "products", path, mapping=AMAZON_MAPPING)
    assert report.formats == ["generic"] and report.rejected == 0
    with db.session() as s:
        distinct = s.scalar(select(func.count()).select_from(Product))
        assert (
            distinct == report.created
            and s.scalar(select(func.count()).select_from(ProductVariant)) == distinct
        )
        cable = s.scalars(select(Product).where(Product.handle == "B07JW9H4J1")).one()
        assert cable.variants[0].price == Decimal("399.00")  # "₹399"
        assert cable.variants[0].compare_at_price == Decimal("1099.00")  # "₹1,099"
        assert cable.attributes["rating"] == "4.2" and cable.title.startswith("Wayona Nylon Braided")
    assert report.rows > distinct  # the file lists some products once per review
    assert any("repeat a variant" in w for w in report.warnings)
    again = import_file(db, "products", path, mapping=AMAZON_MAPPING)
    assert (again.created, again.updated, again.unchanged) == (0, 0, distinct)


def test_ecommerce_faq_through_the_knowledge_importer(db: Database, shared_data: Path) -> None:
    report = import_file(db, "knowledge", shared_data / "support" / "ecommerce_faq.json")
    assert report.created == 1
    with db.session() as s:
        doc = s.scalars(select(KnowledgeDocument)).one()
    assert doc.source_key == "ecommerce_faq.json" and doc.kind == "faq" and doc.format == "faq"
    assert "## What is your return policy?" in doc.content and doc.content.count("\n## ") >= 70
    assert import_file(db, "knowledge", shared_data / "support" / "ecommerce_faq.json").unchanged == 1
