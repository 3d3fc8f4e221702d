"""Competitor prices: import a file of observed prices (all or nothing) and compare them with ours.

The file (CSV, TSV, JSON or JSONL; column names matched as in every import, so ``Observed At`` and
``observed_at`` are the same) has one observation per row:

* ``sku`` or ``handle`` (at least one): our variant or product it was compared with; it must be
  in the catalog, and when both are given the SKU must belong to that product;
* ``competitor`` (required), ``price`` (required, above 0), ``currency`` (default: the store's,
  the most common currency of its orders), ``observed_at`` (required, not in the future),
  ``url`` (optional).

Every row is validated before anything is stored; one bad row refuses the file with every problem
listed by file, row and field. A good file is stored as JSON under ``<data_dir>/competitors/``,
one file per import (``<UTC time>-<hash of the rows>.json``); importing the rows of the newest
import again stores nothing and returns it. No table is needed: the observations are an input to
strategy drafts, not records people edit.

:func:`compare_prices` reads the newest observation per product and competitor against our list
price (a SKU's price; for a handle, the product's lowest variant price) and says whether we are
cheaper or dearer and by how much: ``diff_pct = (ours - theirs) / theirs × 100``. Prices in
another currency than the store's are counted but not compared (there are no exchange rates offline).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select

from shopops.context import AppContext
from shopops.errors import ImportValidationError, InputError, NotFoundError, RowError
from shopops.ingest.base import duplicate_check
from shopops.ingest.fields import RowParser, resolve_columns
from shopops.ingest.tables import read_table
from shopops.reports.trends import category_parts, in_scope
from shopops.reports.trends_sales import store_currency
from shopops.store.db import Database
from shopops.store.models import Product, ProductVariant, utcnow
from shopops.workflow.entities import audit

ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("variant sku", "our sku", "item sku"),
    "handle": ("product handle", "product", "our handle"),
    "competitor": ("competitor name", "seller", "shop", "store", "retailer"),
    "price": ("competitor price", "their price", "observed price"),
    "currency": ("currency code",),
    "observed_at": ("observed", "observed on", "date", "seen at", "checked at"),
    "url": ("link", "competitor url", "page"),
}
IMPORT_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{12}")
FUTURE_SLACK = dt.timedelta(days=1)  # time zones: "today" elsewhere may be tomorrow in UTC
Position = Literal["cheaper", "dearer", "same"]


class CompetitorPricesError(ImportValidationError):
    """Rows of a competitor price file failed validation; nothing was stored."""

    def __init__(self, path: str, errors: list[RowError]) -> None:
        super().__init__(path, errors)
        InputError.__init__(
            self, self.message, hint="correct those rows and import the file again (nothing was stored)"
        )


class CompetitorPrice(BaseModel):
    row: int
    sku: str = ""
    handle: str = ""
    competitor: str
    price: Decimal
    currency: str
    observed_at: dt.datetime
    url: str = ""


class CompetitorImport(BaseModel):
    id: str
    source: str  # the file's name
    imported_at: dt.datetime
    imported_by: str
    rows: list[CompetitorPrice]
    created: bool = True  # False: the same rows were imported before; this is that import

    @property
    def competitors(self) -> list[str]:
        return sorted({r.competitor for r in self.rows})


class PriceGap(BaseModel):
    product_id: int
    sku: str
    handle: str
    title: str
    competitor: str
    our_price: float
    their_price: float
    currency: str
    diff_pct: float  # (ours - theirs) / theirs × 100: above 0 we are dearer
    position: Position
    observed_at: dt.datetime


class CompetitorSummary(BaseModel):
    competitor: str
    compared: int
    cheaper: int
    dearer: int
    median_diff_pct: float


class PriceComparison(BaseModel):
    import_id: str
    store_currency: str
    compared: int
    cheaper: int
    dearer: int
    same: int
    median_diff_pct: float | None
    median_cheaper_pct: float | None  # how far below theirs, where we are cheaper
    median_dearer_pct: float | None  # how far above theirs, where we are dearer
    skipped_currency: int
    skipped_unpriced: int
    observed_from: dt.datetime | None
    observed_to: dt.datetime | None
    gaps: list[PriceGap]
    by_competitor: list[CompetitorSummary]


def main_currency(db: Database) -> str:
    with db.session() as session:
        return store_currency(session)


def competitors_dir(ctx: AppContext) -> Path:
    return Path(ctx.settings.data_dir) / "competitors"


# -- import ----------------------------------------------------------------------------------------


def read_competitor_file(
    db: Database, path: Path, *, now: dt.datetime | None = None, name: str | None = None
) -> list[CompetitorPrice]:
    """Validate every row of ``path``; raise :class:`CompetitorPricesError` listing every problem.

    ``name`` is how messages call the file (an uploaded file's own name rather than a temporary path).
    """
    label = name or str(path)
    table = read_table(path)
    columns = resolve_columns(table, ALIASES, required=("competitor", "price", "observed_at"))
    if columns["sku"] is None and columns["handle"] is None:
        raise InputError(
            f"{label}: no column for 'sku' or 'handle'",
            hint="add a sku or handle column naming our product (the file's columns are: "
            + ", ".join(table.headers)
            + ")",
        )
    with db.session() as session:
        skus = dict(session.execute(select(ProductVariant.sku, ProductVariant.product_id)).all())
        handles = dict(session.execute(select(Product.handle, Product.id)).all())
    currency_default = main_currency(db)
    latest = (now or utcnow()) + FUTURE_SLACK
    seen: dict[object, int] = {}
    errors: list[RowError] = []
    rows: list[CompetitorPrice] = []
    for row in table.rows:
        p = RowParser(row, columns)
        sku, handle = p.text("sku", max_length=255) or "", p.text("handle", max_length=255) or ""
        competitor = p.text("competitor", required=True, max_length=100)
        price = p.money("price", required=True, minimum=Decimal("0.01"))
        currency = p.code("currency", 3) or currency_default
        observed = p.datetime("observed_at", required=True)
        url = p.text("url", max_length=1000) or ""
        for field, value in (("competitor", competitor), ("url", url)):
            if value and any(ord(c) < 32 for c in value):
                p.error(field, "contains a control character", value)
        if not sku and not handle and not p.errors:
            p.error("sku" if p.has("sku") else "handle", "required: name our product by sku or handle")
        if sku and sku not in skus:
            p.error("sku", "no variant with this SKU in the catalog", sku)
        if handle and handle not in handles:
            p.error("handle", "no product with this handle in the catalog", handle)
        elif sku in skus and handle and skus[sku] != handles[handle]:
            p.error("sku", f"this SKU belongs to another product than '{handle}'", sku)
        if observed is not None and observed > latest:
            p.error("observed_at", "is in the future", p.raw("observed_at"))
        if not p.errors:
            key = (sku, handle, (competitor or "").casefold(), observed)
            duplicate = duplicate_check(seen, key, row, "observation (same product, competitor and time)")
            if duplicate:
                p.errors.append(duplicate)
        if p.errors:
            errors += p.errors
            continue
        assert competitor is not None and price is not None and observed is not None
        rows.append(
            CompetitorPrice(
                row=row.number,
                sku=sku,
                handle=handle,
                competitor=competitor,
                price=price,
                currency=currency,
                observed_at=observed,
                url=url,
            )
        )
    if errors:
        raise CompetitorPricesError(label, errors)
    if not rows:
        raise InputError(f"{label}: the file has no rows", hint="one observed price per row")
    return rows


def _digest(rows: list[CompetitorPrice]) -> str:
    canonical = json.dumps([r.model_dump(mode="json", exclude={"row"}) for r in rows], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def import_competitor_prices(
    ctx: AppContext, path: Path, *, actor: str, name: str | None = None, now: dt.datetime | None = None
) -> CompetitorImport:
    """Validate ``path`` (all or nothing) and store it as an import (see the module)."""
    rows = read_competitor_file(ctx.db, path, now=now, name=name)
    digest = _digest(rows)
    newest = load_import(ctx)
    if newest is not None and newest.id.endswith(f"-{digest}"):  # the same rows again: nothing new
        return newest.model_copy(update={"created": False})
    folder = competitors_dir(ctx)
    at = now or utcnow()
    imported = CompetitorImport(
        id=f"{at:%Y%m%dT%H%M%S}-{digest}",
        source=name or path.name,
        imported_at=at,
        imported_by=actor,
        rows=rows,
    )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{imported.id}.json"
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(imported.model_dump_json(exclude={"created"}), encoding="utf-8")
    os.replace(tmp, target)
    with ctx.db.session() as session:
        after = {"source": imported.source, "rows": len(rows), "competitors": imported.competitors}
        audit(session, actor, "competitors.import", "competitor_prices", imported.id, None, after)
    return imported


def list_imports(ctx: AppContext) -> list[str]:
    """The stored import ids, oldest first."""
    folder = competitors_dir(ctx)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if IMPORT_ID.fullmatch(p.stem))


def load_import(ctx: AppContext, import_id: str | None = None) -> CompetitorImport | None:
    """One stored import (the newest when ``import_id`` is None; None when there is none)."""
    if import_id is None:
        ids = list_imports(ctx)
        if not ids:
            return None
        import_id = ids[-1]
    if not IMPORT_ID.fullmatch(import_id):
        raise InputError(
            f"not an import id: {import_id!r}", hint="ids look like 20261031T120000-0123456789ab"
        )
    path = competitors_dir(ctx) / f"{import_id}.json"
    if not path.is_file():
        raise NotFoundError(
            f"no competitor price import {import_id}",
            hint="each import prints its id; without one the newest import is used",
        )
    return CompetitorImport.model_validate_json(path.read_text(encoding="utf-8"))


# -- comparison ------------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _diff(gap: PriceGap) -> float:
    """The unrounded difference (medians are taken of these, then rounded)."""
    return (gap.our_price - gap.their_price) / gap.their_price * 100


def compare_prices(
    db: Database, imported: CompetitorImport, *, category: str | None = None
) -> PriceComparison:
    """Our list prices against the newest observation per product and competitor (see the module)."""
    scope = category_parts(category or "")
    with db.session() as session:
        products = {
            pid: (handle, title, path)
            for pid, handle, title, path in session.execute(
                select(Product.id, Product.handle, Product.title, Product.category)
            )
        }
        variants = session.execute(
            select(ProductVariant.sku, ProductVariant.product_id, ProductVariant.price)
        )
        by_sku: dict[str, tuple[int, float | None]] = {}
        lowest: dict[int, float] = {}
        for sku, pid, price in variants:
            value = float(price) if price is not None and price > 0 else None
            if sku:
                by_sku.setdefault(sku, (pid, value))
            if value is not None:
                lowest[pid] = min(lowest.get(pid, value), value)
    handles = {handle: pid for pid, (handle, _, _) in products.items()}
    newest: dict[tuple[str, str, str], CompetitorPrice] = {}
    for obs in imported.rows:
        key = (obs.sku, obs.handle if not obs.sku else "", obs.competitor.casefold())
        if key not in newest or obs.observed_at > newest[key].observed_at:
            newest[key] = obs
    currency = main_currency(db)
    gaps: list[PriceGap] = []
    skipped = Counter[str]()
    for obs in newest.values():
        pid, ours = by_sku.get(obs.sku, (None, None)) if obs.sku else (handles.get(obs.handle), None)
        if pid is None or pid not in products or (scope and not in_scope(products[pid][2], scope)):
            continue  # the product left the catalog, or lies outside the category asked about
        ours = ours if obs.sku else lowest.get(pid)
        if obs.currency != currency:
            skipped["currency"] += 1
            continue
        if ours is None:
            skipped["unpriced"] += 1
            continue
        theirs = float(obs.price)
        diff = (ours - theirs) / theirs * 100
        gaps.append(
            PriceGap(
                product_id=pid,
                sku=obs.sku,
                handle=products[pid][0],
                title=products[pid][1],
                competitor=obs.competitor,
                our_price=ours,
                their_price=theirs,
                currency=obs.currency,
                diff_pct=round(diff, 1),
                position="dearer" if ours > theirs else "cheaper" if ours < theirs else "same",
                observed_at=obs.observed_at,
            )
        )
    gaps.sort(key=lambda g: (-g.diff_pct, g.handle, g.sku, g.competitor))
    by_competitor = []
    for name in sorted({g.competitor for g in gaps}):
        mine = [g for g in gaps if g.competitor == name]
        by_competitor.append(
            CompetitorSummary(
                competitor=name,
                compared=len(mine),
                cheaper=sum(g.position == "cheaper" for g in mine),
                dearer=sum(g.position == "dearer" for g in mine),
                median_diff_pct=_median([_diff(g) for g in mine]) or 0.0,
            )
        )
    observed = [g.observed_at for g in gaps]
    return PriceComparison(
        import_id=imported.id,
        store_currency=currency,
        compared=len(gaps),
        cheaper=sum(g.position == "cheaper" for g in gaps),
        dearer=sum(g.position == "dearer" for g in gaps),
        same=sum(g.position == "same" for g in gaps),
        median_diff_pct=_median([_diff(g) for g in gaps]),
        median_cheaper_pct=_median([-_diff(g) for g in gaps if g.position == "cheaper"]),
        median_dearer_pct=_median([_diff(g) for g in gaps if g.position == "dearer"]),
        skipped_currency=skipped["currency"],
        skipped_unpriced=skipped["unpriced"],
        observed_from=min(observed, default=None),
        observed_to=max(observed, default=None),
        gaps=gaps,
        by_competitor=by_competitor,
    )
