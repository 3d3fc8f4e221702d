"""Importers: Shopify / WooCommerce / generic product files, orders, reviews, sales, inventory,
customers and knowledge documents.

One entry point, :func:`import_file`, used by the CLI (``shopops import ...``), the demo and the
API. The importers live in a plain registry, :data:`IMPORTERS` (kind -> importer); a new kind is
one :class:`~shopops.ingest.base.Importer` subclass registered with :func:`register`.

Every import validates all rows before writing anything; any invalid row makes it raise
:class:`~shopops.errors.ImportValidationError` listing every bad row and field, and the store is
left untouched, unless ``skip_invalid=True``: then the valid rows are imported and the rejected
ones written to a rejects file named in the report. Re-importing is idempotent (upsert by natural
key). See :mod:`shopops.ingest.base` for the pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopops.errors import InputError
from shopops.ingest.base import Importer, ImportOptions, ImportReport, ProgressFn, run_import
from shopops.ingest.customers import CustomersImporter
from shopops.ingest.inventory import InventoryImporter
from shopops.ingest.knowledge import KnowledgeImporter
from shopops.ingest.orders import OrdersImporter
from shopops.ingest.products import PRODUCT_FORMATS, ProductsImporter
from shopops.ingest.reviews import ReviewsImporter
from shopops.ingest.sales import SalesImporter
from shopops.store.db import Database

IMPORTERS: dict[str, Importer[Any]] = {}


def register(importer: Importer[Any]) -> Importer[Any]:
    """Add (or replace) the importer for ``importer.kind``."""
    IMPORTERS[importer.kind] = importer
    return importer


for _importer in (
    ProductsImporter(),
    OrdersImporter(),
    ReviewsImporter(),
    SalesImporter(),
    InventoryImporter(),
    CustomersImporter(),
    KnowledgeImporter(),
):
    register(_importer)


def import_file(
    db: Database,
    kind: str,
    path: Path,
    *,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import a file, or every supported file in a directory, into the store.

    ``kind``: one of :data:`IMPORTERS` (products, orders, reviews, sales, inventory, customers,
    knowledge). ``mapping``: canonical field -> the file's column (``{"title": "name"}``).
    ``fmt``: for products, ``shopify``, ``woocommerce`` or ``generic`` (detected from the header
    when omitted). ``rejects_path``: where ``skip_invalid`` writes rejected rows (default: beside
    the input, ``NAME.rejects.EXT``; for a directory, a directory). ``progress(phase, done, total)``
    is called while validating and writing.
    """
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise InputError(f"unknown import kind '{kind}'", hint=f"use one of: {', '.join(IMPORTERS)}")
    return run_import(
        db,
        importer,
        Path(path),
        ImportOptions(mapping=dict(mapping) if mapping else None, fmt=fmt),
        skip_invalid=skip_invalid,
        rejects_path=Path(rejects_path) if rejects_path is not None else None,
        progress=progress,
    )


__all__ = ["IMPORTERS", "PRODUCT_FORMATS", "ImportReport", "Importer", "import_file", "register"]
