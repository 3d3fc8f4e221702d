"""Sales history: units sold of one SKU at one location on one date (daily or weekly buckets).

Natural key ``(sku, location, date)``; the location defaults to "" for single-location stores.
``in_stock = false`` marks a day whose demand was censored by a stock-out, which the forecasts
treat differently from a day of zero demand.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from shopops.ingest.base import ImportReport, ProgressFn, RowImporter, bulk_upsert
from shopops.ingest.fields import RowParser
from shopops.ingest.products import limit
from shopops.store.models import SalesRecord


class SalesImporter(RowImporter[dict[str, Any]]):
    kind = "sales"
    entity = "sales"
    what = "sales row (same sku, location and date)"
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "sku": ("item id", "item_id", "variant sku", "product sku"),
        "location": ("store", "store id", "warehouse", "channel"),
        "date": ("day", "week", "ds", "order date"),
        "units": ("quantity", "qty", "units sold", "unit sales"),
        "revenue": ("sales amount", "amount", "net sales"),
        "on_promotion": ("promotion", "promo", "onpromotion"),
        "in_stock": ("in stock",),
    }
    required = ("sku", "date", "units")

    def parse(self, p: RowParser) -> dict[str, Any] | None:
        record: dict[str, Any] = {
            "sku": p.text("sku", required=True, max_length=limit(SalesRecord, "sku")),
            "location": p.text("location", max_length=limit(SalesRecord, "location")) or "",
            "date": p.date("date", required=True),
            "units": p.number("units", required=True, minimum=0),
        }
        if p.has("revenue"):
            record["revenue"] = p.money("revenue", minimum=None)
        if p.has("on_promotion"):
            record["on_promotion"] = bool(p.boolean("on_promotion"))
        if p.has("in_stock"):
            record["in_stock"] = p.boolean("in_stock")
        return None if p.errors else record

    def key(self, record: dict[str, Any]) -> Hashable:
        return (record["sku"], record["location"], record["date"])

    def write(
        self,
        session: Session,
        records: list[dict[str, Any]],
        report: ImportReport,
        progress: ProgressFn | None,
    ) -> None:
        bulk_upsert(session, SalesRecord, ("sku", "location", "date"), records, report, "sales", progress)
