"""Export approved copy as a Shopify product import CSV.

:func:`export_approved` merges the *approved* copy drafts onto each product's stored record and
writes it in Shopify's product CSV format (the column names of Shopify's own template and export):
the first row of a product carries its product fields and first variant, each further row one more
variant (or one more image), sharing the ``Handle`` — so re-importing it into Shopify (with
"overwrite products with the same handle") updates the copy and keeps every variant.

Which draft sets which column (the newest approved draft per product and column wins):

============================  ===================================================
``copy.description``          ``Body (HTML)``: its paragraphs as escaped ``<p>``
``copy.description_html``     ``Body (HTML)``: the rendered intro and feature list
``copy.title``                ``Title``
``copy.seo``                  ``SEO Title`` and ``SEO Description``
============================  ===================================================

Only products with at least one approved draft of these kinds are written. Other kinds (ads,
emails, bullets...) have no column in Shopify's product CSV and are not exported. The model never
writes markup: HTML comes from the draft's rendered ``html`` (built and escaped in code) or, for a
person's plain text, from paragraphs escaped here.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopops.errors import InputError, StoreError
from shopops.store.db import Database
from shopops.store.models import Draft, Product, ProductVariant

SHOPIFY_COLUMNS = (
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Variant Image",
    "Variant Weight Unit",
    "Variant Tax Code",
    "Cost per item",
    "Status",
)
# draft kind -> the product fields it sets
EXPORTED_KINDS: dict[str, tuple[str, ...]] = {
    "copy.description": ("body",),
    "copy.description_html": ("body",),
    "copy.title": ("title",),
    "copy.seo": ("seo_title", "seo_description"),
}
VARIANT_ATTRIBUTE_COLUMNS = {
    "inventory_tracker": "Variant Inventory Tracker",
    "inventory_policy": "Variant Inventory Policy",
    "fulfillment_service": "Variant Fulfillment Service",
    "requires_shipping": "Variant Requires Shipping",
    "taxable": "Variant Taxable",
    "weight_unit": "Variant Weight Unit",
    "variant_image": "Variant Image",
    "tax_code": "Variant Tax Code",
}
FORMATS = ("shopify",)


@dataclass
class ExportReport:
    path: Path
    format: str
    products: int = 0
    rows: int = 0
    drafts: int = 0  # approved drafts merged
    fields: dict[str, int] = field(default_factory=dict)  # field -> products whose value came from copy


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines separate them; single newlines become <br>)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def copy_values(draft: Draft) -> dict[str, str]:
    """The product fields an approved draft sets (see the table in the module docstring)."""
    content: dict[str, Any] = draft.content or {}
    fields: dict[str, Any] = content.get("fields") or {}
    text = str(content.get("text") or "")
    if draft.kind in ("copy.description", "copy.description_html"):
        body = str(content.get("html") or "") or text_to_html(text)
        return {"body": body} if body.strip() else {}
    if draft.kind == "copy.title":
        title = " ".join(str(fields.get("title") or text).split())
        return {"title": title} if title else {}
    if draft.kind == "copy.seo":
        values = {
            "seo_title": " ".join(str(fields.get("seo_title") or "").split()),
            "seo_description": " ".join(str(fields.get("meta_description") or "").split()),
        }
        return {name: value for name, value in values.items() if value}
    return {}


def approved_copy(db: Database, *, language: str | None = None) -> tuple[dict[int, dict[str, str]], int]:
    """product id -> field -> value from approved drafts (newest wins); and how many drafts merged."""
    merged: dict[int, dict[str, str]] = {}
    used = 0
    with db.session() as session:
        drafts = session.scalars(
            select(Draft)
            .where(Draft.status == "approved", Draft.subject_type == "product")
            .where(Draft.kind.in_(EXPORTED_KINDS))
            # oldest first, so a newer draft overwrites an older one's fields
            .order_by(Draft.updated_at, Draft.id)
        )
        for draft in drafts:
            if language is not None and (draft.content or {}).get("language") != language:
                continue
            if not draft.subject_id.isdigit():
                continue
            values = copy_values(draft)
            if values:
                merged.setdefault(int(draft.subject_id), {}).update(values)
                used += 1
    return merged, used


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _flag(value: Any) -> str:
    return "TRUE" if value else "FALSE"


def _grams(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def product_rows(product: Product, copy: dict[str, str]) -> list[dict[str, str]]:
    """Shopify rows of one product: product fields and variant 1, then a row per variant/image."""
    attributes = product.attributes or {}
    variants: list[ProductVariant] = sorted(product.variants, key=lambda v: (v.position, v.id))
    images = [im for im in attributes.get("images") or [] if isinstance(im, dict) and im.get("src")]
    if not images and product.image_url:
        images = [{"src": product.image_url, "position": 1, "alt": ""}]
    options = list(product.option_names or []) or ["Title"]
    body = copy.get("body") or str(attributes.get("body_html") or "") or text_to_html(product.description)
    first = {
        "Handle": product.handle,
        "Title": copy.get("title") or product.title,
        "Body (HTML)": body,
        "Vendor": product.vendor,
        "Product Category": product.category,
        "Type": product.product_type,
        "Tags": ", ".join(str(tag) for tag in product.tags or []),
        "Published": _flag(attributes.get("published", product.status == "active")),
        "Gift Card": _flag(attributes.get("gift_card")),
        "SEO Title": copy.get("seo_title") or product.seo_title,
        "SEO Description": copy.get("seo_description") or product.seo_description,
        "Status": product.status,
    }
    for i, name in enumerate(options[:3], start=1):
        first[f"Option{i} Name"] = name
    rows: list[dict[str, str]] = []
    for index in range(max(len(variants), len(images), 1)):
        row = dict.fromkeys(SHOPIFY_COLUMNS, "")
        row["Handle"] = product.handle
        if index == 0:
            row.update(first)
        if index < len(variants):
            variant = variants[index]
            values = list(variant.option_values or []) or ["Default Title"]
            for i, value in enumerate(values[:3], start=1):
                row[f"Option{i} Value"] = str(value)
            row["Variant SKU"] = variant.sku
            row["Variant Grams"] = _grams(variant.weight_grams)
            qty = variant.inventory_quantity
            row["Variant Inventory Qty"] = "" if qty is None else str(qty)
            row["Variant Price"] = _money(variant.price)
            row["Variant Compare At Price"] = _money(variant.compare_at_price)
            row["Variant Barcode"] = variant.barcode
            row["Cost per item"] = _money(variant.cost)
            for name, column in VARIANT_ATTRIBUTE_COLUMNS.items():
                row[column] = str((variant.attributes or {}).get(name) or "")
        if index < len(images):
            image = images[index]
            row["Image Src"] = str(image["src"])
            row["Image Position"] = str(image.get("position") or index + 1)
            row["Image Alt Text"] = str(image.get("alt") or "")
        rows.append(row)
    return rows


def export_rows(
    db: Database, *, format: str = "shopify", language: str | None = None
) -> tuple[list[dict[str, str]], ExportReport]:
    """The CSV rows of the products with approved copy (the copy merged in), and their counts."""
    if format not in FORMATS:
        raise InputError(f"unknown export format {format!r}", hint=f"use one of {', '.join(FORMATS)}")
    merged, used = approved_copy(db, language=language)
    report = ExportReport(path=Path(), format=format, drafts=used)
    with db.session() as session:
        products = session.scalars(
            select(Product)
            .where(Product.id.in_(list(merged)))
            .options(selectinload(Product.variants))
            .order_by(Product.id)
        ).all()
        rows = [row for product in products for row in product_rows(product, merged[product.id])]
        for product in products:
            for name in merged[product.id]:
                report.fields[name] = report.fields.get(name, 0) + 1
    report.products, report.rows = len(products), len(rows)
    return rows, report


def write_rows(handle: TextIO, rows: list[dict[str, str]]) -> None:
    """Shopify's CSV dialect, as its own export writes it: header row, no BOM."""
    writer = csv.DictWriter(handle, fieldnames=SHOPIFY_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)


def export_csv_text(
    db: Database, *, format: str = "shopify", language: str | None = None
) -> tuple[str, ExportReport]:
    """The export as one string (for a download); see :func:`export_approved` for a file."""
    rows, report = export_rows(db, format=format, language=language)
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows)
    return buffer.getvalue(), report


def export_approved(
    db: Database, out_path: Path | str, *, format: str = "shopify", language: str | None = None
) -> ExportReport:
    """Write the products with approved copy, the copy merged in, as a Shopify import CSV."""
    out = Path(out_path)
    rows, report = export_rows(db, format=format, language=language)
    report.path = out
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            write_rows(handle, rows)
        tmp.replace(out)
    except OSError as exc:
        raise StoreError(f"cannot write {out}: {exc}", hint="choose a writable --out path") from exc
    return report
