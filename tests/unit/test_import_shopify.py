"""Shopify product CSV: variants over several rows, image-only rows, all-or-nothing validation."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shopops.errors import ImportValidationError
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import Product, ProductVariant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOPIFY = FIXTURES / "shopify_products.csv"


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Product)), s.scalar(
            select(func.count()).select_from(ProductVariant)
        )


def product(db: Database, handle: str) -> Product:
    with db.session() as s:
        found = s.scalars(select(Product).where(Product.handle == handle)).one()
        _ = found.variants
        return found


def edited(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the Shopify fixture with ``change(rows)`` applied to its parsed rows."""
    with SHOPIFY.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    change(rows)
    target = tmp_path / "edited.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return target


def test_imports_products_with_variants_options_and_images(db: Database) -> None:
    report = import_file(db, "products", SHOPIFY)
    assert report.formats == ["shopify"]
    assert (report.created, report.updated, report.rejected) == (4, 0, 0)
    assert report.entities["variants"].created == 11
    assert counts(db) == (4, 11)

    tee = product(db, "organic-cotton-tee")
    assert tee.option_names == ["Color", "Size"]
    assert [v.option_values for v in tee.variants][:3] == [["Sage", "S"], ["Sage", "M"], ["Sage", "L"]]
    assert len(tee.variants) == 6  # the two image-only rows are not variants
    charcoal_m = next(v for v in tee.variants if v.sku == "TEE-CHA-M")
    assert (charcoal_m.price, charcoal_m.compare_at_price, charcoal_m.cost) == (
        Decimal("24.00"),
        Decimal("29.00"),
        Decimal("9.50"),
    )
    assert charcoal_m.title == "Charcoal / M" and charcoal_m.inventory_quantity == 12
    assert [im["position"] for im in tee.attributes["images"]] == [1, 2, 3]
    assert tee.image_url.endswith("tee-sage.jpg")
    assert tee.description.startswith("Soft organic cotton tee") and "<" not in tee.description
    assert "- 100% GOTS cotton" in tee.description
    assert tee.attributes["body_html"].startswith("<p>Soft <strong>")
    assert tee.tags == ["cotton", "organic", "summer"] and tee.vendor == "Harbor & Pine"

    brush = product(db, "bamboo-toothbrush-4-pack")
    assert brush.option_names == [] and len(brush.variants) == 1
    assert brush.variants[0].title == "Default Title" and brush.variants[0].price == Decimal("12.50")
    assert "Compostable handles & BPA-free" in brush.description

    earbuds = product(db, "noise-cancelling-earbuds-pro")
    assert earbuds.title == "蓝牙降噪耳机 Pro" and earbuds.language == "zh"
    assert [v.variant_key for v in earbuds.variants] == ["黑色", "白色"]  # no SKU: keyed by options

    pour = product(db, "ceramic-pour-over-set")
    assert pour.status == "draft" and pour.title == "Ceramic Pour-Over Set, 2 Cups"
    assert "Hand-glazed dripper.\nIncludes two cups." in pour.description


def test_newer_shopify_headers(db: Database) -> None:
    report = import_file(db, "products", FIXTURES / "shopify_products_new_headers.csv")
    assert report.formats == ["shopify"] and report.created == 1
    apron = product(db, "linen-apron")
    assert [(v.sku, v.price, v.inventory_quantity) for v in apron.variants] == [
        ("APRON-NAT", Decimal("32.00"), 14),
        ("APRON-RUST", Decimal("32.00"), 0),
    ]
    assert apron.variants[0].compare_at_price == Decimal("36.00") and apron.variants[0].weight_grams == 300
    assert len(apron.attributes["images"]) == 2


def test_reimport_is_idempotent_and_updates_in_place(db: Database, tmp_path: Path) -> None:
    import_file(db, "products", SHOPIFY)
    ids = {
        p.handle: p.id for p in (product(db, h) for h in ("organic-cotton-tee", "bamboo-toothbrush-4-pack"))
    }
    again = import_file(db, "products", SHOPIFY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.entities["variants"].unchanged == 11 and counts(db) == (4, 11)

    def reprice(rows: list[list[str]]) -> None:
        header = rows[0]
        for row in rows[1:]:
            if row[header.index("Variant SKU")] == "BT-4":
                row[header.index("Variant Price")] = "13.00"

    changed = import_file(db, "products", edited(tmp_path, reprice))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    brush = product(db, "bamboo-toothbrush-4-pack")
    assert brush.id == ids["bamboo-toothbrush-4-pack"] and brush.variants[0].price == Decimal("13.00")
    assert counts(db) == (4, 11)


def test_a_dropped_variant_is_deleted(db: Database, tmp_path: Path) -> None:
    import_file(db, "products", SHOPIFY)
    path = edited(tmp_path, lambda rows: rows.__delitem__(6))  # TEE-CHA-L
    report = import_file(db, "products", path)
    assert report.entities["variants"].deleted == 1 and counts(db) == (4, 10)


def bad_price(rows: list[list[str]]) -> None:
    rows[3][rows[0].index("Variant Price")] = "abc"  # spreadsheet row 4: TEE-SAG-L


def test_one_bad_row_imports_nothing_and_names_row_and_field(db: Database, tmp_path: Path) -> None:
    path = edited(tmp_path, bad_price)
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "products", path)
    error = caught.value
    assert [(e.row, e.field, e.message) for e in error.errors] == [(4, "Variant Price", "not a number")]
    assert "row 4, field 'Variant Price': not a number" in str(error) and str(path) in str(error)
    assert counts(db) == (0, 0)


def test_skip_invalid_rejects_the_whole_product_and_writes_rejects(db: Database, tmp_path: Path) -> None:
    path = edited(tmp_path, bad_price)
    rejects = tmp_path / "out" / "rejects.csv"
    report = import_file(db, "products", path, skip_invalid=True, rejects_path=rejects)
    assert report.created == 3 and report.rejected == 8  # the tee's 6 variant rows + 2 image rows
    assert report.rejects_path == rejects
    assert counts(db) == (3, 5)
    with rejects.open(encoding="utf-8", newline="") as fh:
        rejected = list(csv.DictReader(fh))
    assert len(rejected) == 8 and {r["Handle"] for r in rejected} == {"organic-cotton-tee"}
    assert rejected[2]["Variant Price"] == "abc" and rejected[2]["error"] == "Variant Price: not a number"
    assert rejected[0]["error"] == "rejected with row 4 (Variant Price: not a number)"
    fixed = path.with_name("fixed.csv")  # the rejects file, corrected, imports as it is
    with (
        rejects.open(encoding="utf-8", newline="") as fh,
        fixed.open("w", encoding="utf-8", newline="") as out,
    ):
        rows = list(csv.reader(fh))
        rows[3][rows[0].index("Variant Price")] = "24.00"
        csv.writer(out).writerows(rows)
    assert import_file(db, "products", fixed).created == 1 and counts(db) == (4, 11)


def test_default_rejects_path_is_beside_the_input(db: Database, tmp_path: Path) -> None:
    report = import_file(db, "products", edited(tmp_path, bad_price), skip_invalid=True)
    assert report.rejects_path == tmp_path / "edited.rejects.csv" and report.rejects_path.is_file()


def test_variant_rows_must_match_the_options(db: Database, tmp_path: Path) -> None:
    def break_options(rows: list[list[str]]) -> None:
        header = rows[0]
        rows[2][header.index("Option2 Value")] = ""  # TEE-SAG-M lost its size
        rows[9][header.index("Option2 Value")] = "Large"  # the toothbrush has one option only
        rows[6][header.index("Variant SKU")] = "TEE-SAG-S"  # a duplicate variant

    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "products", edited(tmp_path, break_options))
    found = {(e.row, e.field) for e in caught.value.errors}
    assert found == {(3, "Option2 Value"), (10, "Option2 Value"), (7, "Variant SKU")}
    assert counts(db) == (0, 0)
