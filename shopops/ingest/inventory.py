"""Inventory levels: units on hand (and on order) of one SKU at one location.

Natural key ``(sku, location)``; the location defaults to "". A re-import replaces the levels the
file gives and leaves other SKUs alone. ``on_hand`` may be negative: platforms that let orders
oversell report it so.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from shopops.ingest.base import ImportReport, ProgressFn, RowImporter, bulk_upsert
from shopops.ingest.fields import RowParser
from shopops.ingest.products import limit
from shopops.store.models import InventoryLevel


class InventoryImporter(RowImporter[dict[str, Any]]):
    kind = "inventory"
    entity = "inventory"
    what = "inventory row (same sku and location)"
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "sku": ("variant sku", "item id", "item_id"),
        "location": ("store", "store id", "warehouse"),
        "on_hand": ("on hand", "quantity", "qty", "available", "stock", "inventory quantity"),
        "on_order": ("on order", "incoming", "inbound"),
        "lead_time_days": ("lead time", "lead time (days)", "lead_time"),
    }
    required = ("sku", "on_hand")

    def parse(self, p: RowParser) -> dict[str, Any] | None:
        record: dict[str, Any] = {
            "sku": p.text("sku", required=True, max_length=limit(InventoryLevel, "sku")),
            "location": p.text("location", max_length=limit(InventoryLevel, "location")) or "",
            "on_hand": p.integer("on_hand", required=True),
        }
        if p.has("on_order"):
            record["on_order"] = p.integer("on_order", minimum=0) or 0
        if p.has("lead_time_days"):
            record["lead_time_days"] = p.integer("lead_time_days", minimum=0)
        return None if p.errors else record

    def key(self, record: dict[str, Any]) -> Hashable:
        return (record["sku"], record["location"])

    def write(
        self,
        session: Session,
        records: list[dict[str, Any]],
        report: ImportReport,
        progress: ProgressFn | None,
    ) -> None:
        bulk_upsert(session, InventoryLevel, ("sku", "location"), records, report, "inventory", progress)
