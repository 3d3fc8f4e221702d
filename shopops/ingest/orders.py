"""Orders with their lines: one row per order line, the order's fields repeated (or, as in
Shopify's order export, given on the order's first row only).

Rows sharing an order number are one order, accepted or rejected together. Where several rows
give an order field they must agree. The total defaults to the sum of the lines. Lines are linked
to products by SKU (an unknown SKU is kept, unlinked) and the order to its customer by customer id
or email (creating the customer when new). A re-import replaces an order's lines only when they
changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shopops.errors import InputError, RowError
from shopops.ingest.base import (
    Importer,
    ImportOptions,
    ImportReport,
    Prepared,
    ProgressFn,
    Unit,
    apply_fields,
    chunked,
)
from shopops.ingest.customers import CustomerIndex, CustomerRecord, parse_customer
from shopops.ingest.fields import RowParser, norm, resolve_columns
from shopops.ingest.products import limit
from shopops.ingest.tables import Table, read_table
from shopops.store.models import Order, OrderLine, ProductVariant

ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "placed_at": ("placed at", "created at", "order date", "date", "processed at"),
    "customer_external_id": ("customer id",),
    "customer_email": ("email", "customer email"),
    "customer_name": ("customer name", "billing name"),
    "status": ("fulfillment status", "order status"),
    "financial_status": ("financial status", "payment status"),
    "currency": (),
    "total": ("order total",),
    "shipped_at": ("fulfilled at", "shipped at"),
    "delivered_at": ("delivered at",),
    "carrier": ("shipping carrier",),
    "tracking_number": ("tracking", "tracking code"),
    "shipping_country": ("shipping country",),
}
LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "sku": ("lineitem sku", "line sku", "variant sku"),
    "title": ("lineitem name", "product", "product title", "item"),
    "quantity": ("lineitem quantity", "qty"),
    "unit_price": ("lineitem price", "price", "unit price"),
    "final_sale": ("final sale",),
    "returned_quantity": ("returned", "returned qty"),
}
STATUS = {
    "open": "open", "unfulfilled": "open", "partial": "open", "partially fulfilled": "open",
    "pending": "open", "processing": "open", "on hold": "open",
    "fulfilled": "fulfilled", "shipped": "fulfilled",
    "completed": "fulfilled", "delivered": "delivered", "cancelled": "cancelled", "canceled": "cancelled",
    "failed": "cancelled",
}  # fmt: skip
FINANCIAL = {
    "paid": "paid", "captured": "paid", "pending": "pending", "authorized": "pending", "unpaid": "pending",
    "refunded": "refunded", "voided": "refunded", "partially refunded": "partially_refunded",
}  # fmt: skip


@dataclass
class OrderRecord:
    order_number: str
    fields: dict[str, Any]
    lines: list[dict[str, Any]]
    customer: CustomerRecord | None = None


def _columns(table: Table, mapping: dict[str, str] | None) -> dict[str, str | None]:
    aliases = {
        "order_number": ("order number", "order", "order id", "order no"),
        **ORDER_FIELDS,
        **LINE_FIELDS,
    }
    if "lineitem quantity" in {norm(h) for h in table.headers}:  # Shopify's export names the order "Name"
        aliases["order_number"] = (*aliases["order_number"], "Name")
    return resolve_columns(table, aliases, mapping, required=("order_number", "quantity", "unit_price"))


class OrdersImporter(Importer[OrderRecord]):
    kind = "orders"
    entity = "orders"

    def prepare(self, path: Path, options: ImportOptions) -> Prepared[OrderRecord]:
        if options.fmt is not None:
            raise InputError(f"--format applies to product imports only, not {self.kind}")
        table = read_table(path)
        columns = _columns(table, options.mapping)
        groups: dict[str, list[RowParser]] = {}
        units: list[Unit[OrderRecord]] = []
        for row in table.rows:
            p = RowParser(row, columns)
            number = p.text("order_number", required=True, max_length=limit(Order, "order_number"))
            if number is None:
                units.append(Unit([row], errors=p.errors))
            else:
                groups.setdefault(number, []).append(p)
        units.extend(_order(number, parsers) for number, parsers in groups.items())
        return Prepared(path, table.fmt, units, table, rows=len(table.rows))

    def write(
        self, session: Session, records: list[OrderRecord], report: ImportReport, progress: ProgressFn | None
    ) -> None:
        customers = CustomerIndex(session)
        customers.load([r.customer for r in records if r.customer])
        skus = sorted({line["sku"] for r in records for line in r.lines if line["sku"]})
        product_of: dict[str, int] = {}
        for batch in chunked(skus, 500):
            for sku, product_id in session.execute(
                select(ProductVariant.sku, ProductVariant.product_id).where(ProductVariant.sku.in_(batch))
            ):
                product_of.setdefault(sku, product_id)
        done = 0
        for batch in chunked(records, 200):
            existing = {
                o.order_number: o
                for o in session.scalars(
                    select(Order)
                    .where(Order.order_number.in_([r.order_number for r in batch]))
                    .options(selectinload(Order.lines))
                )
            }
            for record in batch:
                fields = dict(record.fields)
                if record.customer is not None:
                    customer = customers.upsert(record.customer, report)
                    session.flush()
                    fields["customer_id"] = customer.id
                lines = [{**line, "product_id": product_of.get(line["sku"])} for line in record.lines]
                _upsert(
                    session, existing.get(record.order_number), record.order_number, fields, lines, report
                )
            done += len(batch)
            session.flush()
            if progress:
                progress("writing", done, len(records))


def _lines_key(lines: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    """Lines as a multiset (Decimal('9.90') and Decimal('9.9') hash alike), order-insensitive."""
    return Counter(tuple(v for _, v in sorted(line.items())) for line in lines)


def _upsert(
    session: Session,
    order: Order | None,
    number: str,
    fields: dict[str, Any],
    lines: list[dict[str, Any]],
    report: ImportReport,
) -> None:
    if order is None:
        order = Order(order_number=number, **fields)
        order.lines = [OrderLine(**line) for line in lines]
        session.add(order)
        report.count("orders", "created")
        report.count("order_lines", "created", len(lines))
        return
    changed = apply_fields(order, fields)
    names = list(lines[0]) if lines else ["sku"]
    current = _lines_key([{n: getattr(line, n) for n in names} for line in order.lines])
    if current != _lines_key(lines):
        report.count("order_lines", "deleted", len(order.lines))
        report.count("order_lines", "created", len(lines))
        order.lines = [OrderLine(**line) for line in lines]
        changed = True
    else:
        report.count("order_lines", "unchanged", len(lines))
    report.count("orders", "updated" if changed else "unchanged")


def _order(number: str, parsers: list[RowParser]) -> Unit[OrderRecord]:
    rows = [p.row for p in parsers]
    errors: list[RowError] = []
    source: dict[str, RowParser] = {}  # order field -> the row that gives it
    for name in ("customer_external_id", "customer_email", "customer_name", *ORDER_FIELDS):
        for p in parsers:
            if not p.raw(name):
                continue
            if name not in source:
                source[name] = p
            elif p.raw(name) != source[name].raw(name):
                p.error(
                    name,
                    f"differs from row {source[name].row.number} ('{source[name].raw(name)}'); "
                    "the rows of one order must agree on its fields",
                    p.raw(name),
                )
    first = parsers[0]

    def at(name: str) -> RowParser:
        return source.get(name, first)

    fields: dict[str, Any] = {"placed_at": at("placed_at").datetime("placed_at", required=True)}
    for name in ("shipped_at", "delivered_at"):
        if first.has(name):
            fields[name] = at(name).datetime(name)
    fields["status"] = at("status").choice("status", STATUS) or "open"
    if first.has("financial_status"):
        fields["financial_status"] = at("financial_status").choice("financial_status", FINANCIAL) or "paid"
    if first.has("currency"):
        fields["currency"] = at("currency").code("currency", 3) or "USD"
    if first.has("shipping_country"):
        fields["shipping_country"] = at("shipping_country").code("shipping_country", 2) or ""
    for name in ("carrier", "tracking_number"):
        if first.has(name):
            fields[name] = at(name).text(name, max_length=limit(Order, name)) or ""
    view = _CustomerView(
        {n: at(n) for n in ("customer_external_id", "customer_email", "customer_name")}, first
    )
    customer = parse_customer(view, prefix="customer_")
    lines = [line for p in parsers if (line := _line(p)) is not None]
    total = at("total").money("total") if first.has("total") else None
    fields["total"] = (
        total
        if total is not None
        else sum((li["unit_price"] * li["quantity"] for li in lines), Decimal("0.00"))
    )
    placed = fields["placed_at"]
    for name in ("shipped_at", "delivered_at"):
        if placed and fields.get(name) and fields[name] < placed:
            at(name).error(name, f"earlier than the order's placed_at ({placed:%Y-%m-%d %H:%M})")
    for p in parsers:
        errors.extend(dict.fromkeys(p.errors))
    if errors:
        return Unit(rows, errors=errors)
    return Unit(rows, OrderRecord(number, fields, lines, customer))


class _CustomerView(RowParser):
    """Reads an order's customer fields from whichever rows gave them."""

    def __init__(self, rows: dict[str, RowParser], base: RowParser) -> None:
        self.row, self.columns, self.errors = base.row, base.columns, base.errors
        self._rows = rows

    def raw(self, name: str) -> str:
        return self._rows[name].raw(name) if name in self._rows else ""

    def error(self, name: str, message: str, value: str | None = None) -> None:
        if name in self._rows:
            self._rows[name].error(name, message, value)
        else:
            super().error(name, message, value)


def _line(p: RowParser) -> dict[str, Any] | None:
    quantity = p.integer("quantity", required=True, minimum=1)
    line: dict[str, Any] = {
        "sku": p.text("sku", max_length=limit(OrderLine, "sku")) or "",
        "title": p.text("title", max_length=limit(OrderLine, "title")) or "",
        "quantity": quantity,
        "unit_price": p.money("unit_price", required=True),
        "final_sale": bool(p.boolean("final_sale")),
        "returned_quantity": p.integer("returned_quantity", minimum=0) or 0,
    }
    if quantity is not None and line["returned_quantity"] > quantity:
        p.error(
            "returned_quantity", f"more than the quantity ordered ({quantity})", p.raw("returned_quantity")
        )
    if not line["sku"] and not line["title"]:
        p.error("sku" if p.has("sku") else "title", "a line needs a SKU or a title")
    return None if p.errors else line
