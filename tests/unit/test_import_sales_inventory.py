"""Sales history and inventory levels: set-based upserts by natural key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shopops.errors import ImportValidationError
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import InventoryLevel, SalesRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def sales(db: Database) -> dict[tuple[str, str, dt.date], SalesRecord]:
    with db.session() as s:
        return {(r.sku, r.location, r.date): r for r in s.scalars(select(SalesRecord))}


def test_sales_import_and_reimport(db: Database, tmp_path: Path) -> None:
    report = import_file(db, "sales", FIXTURES / "sales.csv")
    assert report.created == 4
    found = sales(db)
    promo = found[("TEE-SAG-M", "store-2", dt.date(2024, 5, 1))]
    assert promo.units == 5 and promo.revenue == Decimal("100.00") and promo.on_promotion is True
    assert found[("BT-4", "store-1", dt.date(2024, 5, 1))].on_promotion is False
    assert import_file(db, "sales", FIXTURES / "sales.csv").unchanged == 4

    changed = tmp_path / "sales.csv"
    changed.write_text("sku,location,date,units\nTEE-SAG-M,store-1,2024-05-02,4\nNEW,store-1,2024-05-02,1\n")
    report = import_file(db, "sales", changed)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    updated = sales(db)[("TEE-SAG-M", "store-1", dt.date(2024, 5, 2))]
    assert updated.units == 4 and updated.revenue == Decimal("0")  # no revenue column: kept as stored
    assert len(sales(db)) == 5


def test_sales_errors_and_duplicates(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "sku,date,units\nA,2024-05-01,1\nA,2024-05-01,2\nB,05/01/2024,1\n,2024-05-01,-1\n", encoding="utf-8"
    )
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "sales", path)
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (3, "(row)"),
        (4, "date"),
        (5, "sku"),
        (5, "units"),
    ]
    assert sales(db) == {}


def test_inventory_levels(db: Database, tmp_path: Path) -> None:
    report = import_file(db, "inventory", FIXTURES / "inventory.csv")
    assert report.created == 3
    with db.session() as s:
        levels = {(i.sku, i.location): i for i in s.scalars(select(InventoryLevel))}
    assert (levels[("TEE-SAG-M", "store-1")].on_hand, levels[("TEE-SAG-M", "store-1")].on_order) == (12, 20)
    assert levels[("BT-4", "store-1")].on_order == 0 and levels[("BT-4", "store-1")].lead_time_days == 7
    assert import_file(db, "inventory", FIXTURES / "inventory.csv").unchanged == 3
    recount = tmp_path / "recount.jsonl"
    recount.write_text('{"sku": "BT-4", "location": "store-1", "quantity": 38}\n', encoding="utf-8")
    report = import_file(db, "inventory", recount)
    assert report.updated == 1
    with db.session() as s:
        level = s.scalars(select(InventoryLevel).where(InventoryLevel.sku == "BT-4")).one()
    assert level.on_hand == 38 and level.lead_time_days == 7
