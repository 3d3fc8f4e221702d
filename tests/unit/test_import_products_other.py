"""WooCommerce exports, generic product files with a column mapping, and format detection."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shopops.errors import ImportValidationError, InputError
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import Product

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def products(db: Database) -> dict[str, Product]:
    with db.session() as s:
        found = {p.handle: p for p in s.scalars(select(Product))}
        for p in found.values():
            _ = p.variants
        return found


def test_woocommerce_variable_and_simple_products(db: Database) -> None:
    report = import_file(db, "products", FIXTURES / "woocommerce_products.csv")
    assert report.formats == ["woocommerce"] and report.created == 2
    assert any("grouped product 'Camp Starter Set' skipped" in w for w in report.warnings)
    found = products(db)
    hoodie = found["hoodie"]
    assert hoodie.option_names == ["Color", "Size"] and hoodie.category == "Clothing > Hoodies"
    assert [
        (v.sku, v.option_values, v.price, v.compare_at_price, v.inventory_quantity) for v in hoodie.variants
    ] == [
        ("HOODIE-BLUE-M", ["Blue", "M"], Decimal("39.00"), Decimal("45.00"), 7),  # on sale
        ("HOODIE-BLUE-L", ["Blue", "L"], Decimal("45.00"), None, 3),
        ("HOODIE-GREEN-M", ["Green", "M"], Decimal("45.00"), None, 0),  # parent named by SKU
    ]
    assert hoodie.description == "Warm fleece hoodie.\n\nKangaroo pocket and lined hood."
    mug = found["mug-01"]
    assert mug.option_names == [] and mug.attributes["attributes"] == {"Material": ["Enamel"]}
    assert mug.attributes["categories"] == ["Kitchen, Dining", "Outdoor"]
    assert mug.variants[0].weight_grams == 350 and mug.variants[0].price == Decimal("18.50")
    again = import_file(db, "products", FIXTURES / "woocommerce_products.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_woocommerce_variation_with_unknown_parent(db: Database, tmp_path: Path) -> None:
    text = (
        (FIXTURES / "woocommerce_products.csv").read_text(encoding="utf-8").replace(",id:10,", ",id:99,", 1)
    )
    path = tmp_path / "woo.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "products", path)
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "Parent")]
    assert products(db) == {}


MAPPING = {
    "title": "product_name",
    "price": "retail_price",
    "compare_at_price": "list",
    "vendor": "brand",
    "attributes.notes": "notes",
}


def test_generic_csv_with_mapping(db: Database) -> None:
    report = import_file(db, "products", FIXTURES / "generic_products.csv", mapping=MAPPING)
    assert report.formats == ["generic"] and report.created == 3
    found = products(db)
    bottle = found["trail-water-bottle-750ml"]
    assert (bottle.variants[0].price, bottle.variants[0].compare_at_price) == (
        Decimal("19.90"),
        Decimal("24.00"),
    )
    assert bottle.vendor == "Summit" and bottle.attributes == {"notes": "Keeps drinks cold 24h"}
    assert [v.sku for v in found["wool-hiking-socks"].variants] == ["SOCK-M", "SOCK-L"]
    assert found["camp-headlamp"].variants[0].price == Decimal("1029.00")  # "$1,029.00"
    again = import_file(db, "products", FIXTURES / "generic_products.csv", mapping=MAPPING)
    assert again.unchanged == 3


def test_generic_jsonl_maps_price_and_leaves_absent_fields_alone(db: Database) -> None:
    import_file(db, "products", FIXTURES / "generic_products.csv", mapping=MAPPING)
    import_file(db, "products", FIXTURES / "generic_products.jsonl", mapping={"price": "cost"})
    lamp = products(db)["camp-headlamp"]
    assert lamp.variants[0].price == Decimal("29.00") and lamp.variants[0].cost is None
    assert lamp.description == "Rechargeable, 300 lumen."
    assert lamp.vendor == "Lumen"  # the JSONL has no vendor: the stored one stays
    assert products(db)["trail-bottle"].tags == ["hiking", "steel"]


def test_generic_mapping_errors_are_clear(db: Database) -> None:
    path = FIXTURES / "generic_products.csv"
    with pytest.raises(InputError, match=r"(?s)no column for 'price'.*--map price=COLUMN"):
        import_file(db, "products", path)  # product_name is found as the title; retail_price is not a price
    with pytest.raises(InputError, match="names a column the file does not have"):
        import_file(db, "products", path, mapping={"title": "nope", "price": "retail_price"})
    with pytest.raises(InputError, match="cannot map to 'colour'"):
        import_file(db, "products", path, mapping={"colour": "brand"})
    with pytest.raises(InputError, match="unknown product format"):
        import_file(db, "products", path, fmt="magento")


def test_forced_format_that_does_not_fit_says_which_column_is_missing(db: Database) -> None:
    with pytest.raises(InputError, match="no column for 'name', 'regular_price'"):
        import_file(db, "products", FIXTURES / "shopify_products.csv", fmt="woocommerce")
