"""Products: the record every product format produces, format detection, and the upsert.

A product is upserted by its ``handle``; its variants by ``variant_key`` (the SKU when there is
one, else the option values joined with `` / ``). The file describes each product it contains
completely, so a variant the file no longer lists for that product is deleted (counted as
``deleted``). Products the file does not mention are left alone. Product fields whose column the
file lacks keep their stored value (a generic file with only ``handle,title,price`` does not wipe
descriptions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shopops.errors import InputError
from shopops.ingest.base import (
    Importer,
    ImportOptions,
    ImportReport,
    Prepared,
    ProgressFn,
    apply_fields,
    chunked,
)
from shopops.ingest.fields import norm
from shopops.ingest.tables import Table, file_format, read_table
from shopops.store.models import Product, ProductVariant

PRODUCT_FORMATS = ("shopify", "woocommerce", "generic")
HANDLE_MAX = Product.__table__.c.handle.type.length
VARIANT_KEY_MAX = ProductVariant.__table__.c.variant_key.type.length


@dataclass
class VariantRecord:
    key: str
    fields: dict[str, Any]


@dataclass
class ProductRecord:
    handle: str
    fields: dict[str, Any]
    variants: list[VariantRecord] = field(default_factory=list)
    source: str = ""  # the format it came from: shopify | woocommerce | generic


def variant_key(sku: str | None, option_values: list[str]) -> str:
    """The variant's natural key within its product: SKU, else options, else ``default``."""
    if sku:
        return sku
    return " / ".join(option_values) or "default"


def limit(model: type, column: str) -> int | None:
    """The declared length of a string column, so that PostgreSQL never truncates or refuses mid-import."""
    return getattr(model.__table__.c[column].type, "length", None)  # type: ignore[attr-defined]


def detect_product_format(table: Table) -> str:
    """Shopify has ``Handle`` (older exports) or ``URL handle`` (newer) next to a price column;
    WooCommerce has ``Type`` with ``Regular price``; anything else is generic."""
    headers = {norm(h) for h in table.headers}
    if ({"handle", "url handle"} & headers) and ({"variant price", "price", "title"} & headers):
        return "shopify"
    if "regular price" in headers and ({"type", "parent"} & headers):
        return "woocommerce"
    return "generic"


class ProductsImporter(Importer[ProductRecord]):
    kind = "products"
    entity = "products"

    def prepare(self, path: Path, options: ImportOptions) -> Prepared[ProductRecord]:
        from shopops.ingest import generic, shopify, woocommerce

        if options.fmt is not None and options.fmt not in PRODUCT_FORMATS:
            raise InputError(
                f"unknown product format '{options.fmt}'", hint=f"use one of: {', '.join(PRODUCT_FORMATS)}"
            )
        file_format(path)
        table = read_table(path)
        fmt = options.fmt or detect_product_format(table)
        if fmt != "generic" and table.fmt != "csv":
            raise InputError(f"{path}: {fmt} product exports are CSV files", hint="use --format generic")
        units, warnings = {
            "shopify": shopify.prepare_table,
            "woocommerce": woocommerce.prepare_table,
            "generic": generic.prepare_table,
        }[fmt](table, options.mapping)
        for unit in units:
            if unit.record is not None:
                unit.record.source = fmt
        return Prepared(path, fmt, units, table, rows=len(table.rows), warnings=warnings)

    def write(
        self,
        session: Session,
        records: list[ProductRecord],
        report: ImportReport,
        progress: ProgressFn | None,
    ) -> None:
        write_products(session, records, report, progress)


def write_products(
    session: Session,
    records: list[ProductRecord],
    report: ImportReport,
    progress: ProgressFn | None = None,
) -> None:
    done = 0
    for batch in chunked(records, 200):
        handles = [r.handle for r in batch]
        existing = {
            p.handle: p
            for p in session.scalars(
                select(Product).where(Product.handle.in_(handles)).options(selectinload(Product.variants))
            )
        }
        for record in batch:
            product = existing.get(record.handle)
            if product is None:
                _create(session, record, report)
            else:
                _update(product, record, report)
            done += 1
        session.flush()
        if progress:
            progress("writing", done, len(records))


def _create(session: Session, record: ProductRecord, report: ImportReport) -> None:
    product = Product(handle=record.handle, source=record.source, **record.fields)
    product.variants = [ProductVariant(variant_key=v.key, **v.fields) for v in record.variants]
    session.add(product)
    report.count("products", "created")
    report.count("variants", "created", len(record.variants))


def _update(product: Product, record: ProductRecord, report: ImportReport) -> None:
    changed = apply_fields(product, record.fields)
    current = {v.variant_key: v for v in product.variants}
    wanted = {v.key for v in record.variants}
    for stale in [v for key, v in current.items() if key not in wanted]:
        product.variants.remove(stale)  # delete-orphan removes the row
        report.count("variants", "deleted")
        changed = True
    for variant in record.variants:
        row = current.get(variant.key)
        if row is None:
            product.variants.append(ProductVariant(variant_key=variant.key, **variant.fields))
            report.count("variants", "created")
            changed = True
        elif apply_fields(row, variant.fields):
            report.count("variants", "updated")
            changed = True
        else:
            report.count("variants", "unchanged")
    report.count("products", "updated" if changed else "unchanged")
