"""Generic product files (CSV, JSON, JSONL) with a column mapping.

The mapping says which of the file's columns holds each product field:
``{"title": "product_name", "price": "discounted_price"}`` (CLI: ``--map title=product_name``).
Columns already named like a field (``title``, ``price``, ``sku``, ``compare_at_price``...) need no
mapping; ``attributes.NAME`` targets keep any other column in the product's attributes.

Rows sharing a handle are one product (the first of them carries the product fields) and each row
is one variant (keyed by SKU, else its option values). Without a handle column the handle is made
from the title. A row that repeats a product's variant is ignored with a warning (scraped catalogs
often list a product once per review); the first occurrence wins. Prices may carry currency signs
and thousands separators (``₹1,099``).
"""

from __future__ import annotations

from typing import Any

from shopops.errors import RowError
from shopops.ingest.base import Unit
from shopops.ingest.fields import RowParser, resolve_columns, split_list
from shopops.ingest.products import (
    HANDLE_MAX,
    VARIANT_KEY_MAX,
    ProductRecord,
    VariantRecord,
    limit,
    variant_key,
)
from shopops.ingest.tables import SourceRow, Table
from shopops.ingest.text import guess_language, html_to_text, slugify
from shopops.store.models import Product, ProductVariant

ALIASES: dict[str, tuple[str, ...]] = {
    "handle": ("slug", "url handle"),
    "title": ("name", "product name", "product title"),
    "description": ("body", "body html", "body (html)"),
    "vendor": ("brand",),
    "product_type": ("type",),
    "category": (),
    "tags": (),
    "status": (),
    "language": ("lang",),
    "seo_title": (),
    "seo_description": (),
    "image_url": ("image", "image src", "image link"),
    "sku": ("variant sku",),
    "variant_title": (),
    "price": ("variant price",),
    "compare_at_price": ("compare at", "list price", "msrp"),
    "cost": ("cost per item",),
    "barcode": ("gtin", "ean", "upc"),
    "inventory_quantity": ("stock", "inventory", "qty"),
    "weight_grams": ("grams", "weight (grams)"),
    **{f"option{i}_name": () for i in (1, 2, 3)},
    **{f"option{i}_value": () for i in (1, 2, 3)},
}
TEXT_FIELDS = ("vendor", "product_type", "category", "seo_title", "seo_description", "image_url")
STATUSES = {"active": "active", "draft": "draft", "archived": "archived", "published": "active"}


def prepare_table(
    table: Table, mapping: dict[str, str] | None
) -> tuple[list[Unit[ProductRecord]], list[str]]:
    columns = resolve_columns(
        table, ALIASES, mapping, required=("title", "price"), open_prefixes=("attributes.",)
    )
    groups: dict[str, list[RowParser]] = {}
    units: list[Unit[ProductRecord]] = []
    for row in table.rows:
        p = RowParser(row, columns)
        handle = p.raw("handle") or slugify(p.raw("title"))
        if not handle:
            p.error("handle" if p.has("handle") else "title", "required")
            units.append(Unit([row], errors=p.errors))
        elif len(handle) > (HANDLE_MAX or 255):
            p.error("handle", f"longer than {HANDLE_MAX} characters", handle)
            units.append(Unit([row], errors=p.errors))
        else:
            groups.setdefault(handle, []).append(p)
    repeated: list[int] = []
    for handle, parsers in groups.items():
        units.append(_product(handle, parsers, repeated))
    warnings = []
    if repeated:
        shown = ", ".join(str(n) for n in repeated[:10]) + (" ..." if len(repeated) > 10 else "")
        warnings.append(
            f"{table.path}: {len(repeated)} row(s) repeat a variant already given on an earlier "
            f"row and were ignored (rows {shown})"
        )
    return units, warnings


def _product(handle: str, parsers: list[RowParser], repeated: list[int]) -> Unit[ProductRecord]:
    first = parsers[0]
    fields = _product_fields(first)
    names = [first.raw(f"option{i}_name") for i in (1, 2, 3)]
    while names and not names[-1]:
        names.pop()
    if any(first.has(f"option{i}_name") for i in (1, 2, 3)):
        fields["option_names"] = names
    rows: list[SourceRow] = []
    errors: list[RowError] = []
    variants: dict[str, VariantRecord] = {}
    for p in parsers:
        variant = _variant(p, names, len(variants) + 1)
        errors.extend(p.errors)
        if variant is not None and variant.key in variants:
            repeated.append(p.row.number)
            continue
        rows.append(p.row)
        if variant is not None:
            variants[variant.key] = variant
    if errors:
        return Unit([p.row for p in parsers], errors=errors)
    return Unit(rows, ProductRecord(handle, fields, list(variants.values())))


def _product_fields(p: RowParser) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": p.text("title", required=True, max_length=limit(Product, "title"))}
    attributes: dict[str, Any] = {}
    if p.has("description"):
        body = p.raw("description")
        fields["description"] = html_to_text(body)
        if "<" in body:
            attributes["body_html"] = body
    for name in TEXT_FIELDS:
        if p.has(name):
            fields[name] = p.text(name, max_length=limit(Product, name)) or ""
    if p.has("tags"):
        fields["tags"] = split_list(p.raw("tags"))
    status = p.choice("status", STATUSES)
    if status is not None:
        fields["status"] = status
    fields["language"] = p.text("language", max_length=10) or guess_language(
        fields["title"] or "", fields.get("description", "")
    )
    attributes.update(
        {
            name.split(".", 1)[1]: p.raw(name)
            for name in p.columns
            if name.startswith("attributes.") and p.raw(name)
        }
    )
    if attributes or any(name.startswith("attributes.") for name in p.columns) or p.has("description"):
        fields["attributes"] = attributes
    return fields


def _variant(p: RowParser, option_names: list[str], position: int) -> VariantRecord | None:
    values: list[str] = []
    for i, name in enumerate(option_names, start=1):
        value = p.raw(f"option{i}_value")
        if not value:
            p.error(f"option{i}_value", f"required (the product has the option '{name}')")
        values.append(value)
    sku = p.text("sku", max_length=limit(ProductVariant, "sku")) or ""
    fields: dict[str, Any] = {
        "sku": sku,
        "option_values": values,
        "title": p.text("variant_title", max_length=500) or " / ".join(values) or "Default Title",
        "price": p.money("price", required=True),
        "position": position,
    }
    if p.has("compare_at_price"):
        fields["compare_at_price"] = p.money("compare_at_price")
    if p.has("cost"):
        fields["cost"] = p.money("cost")
    if p.has("barcode"):
        fields["barcode"] = p.text("barcode", max_length=limit(ProductVariant, "barcode")) or ""
    if p.has("inventory_quantity"):
        fields["inventory_quantity"] = p.integer("inventory_quantity")
    if p.has("weight_grams"):
        fields["weight_grams"] = p.number("weight_grams", minimum=0)
    key = variant_key(sku, values)
    if len(key) > (VARIANT_KEY_MAX or 255):
        p.error("sku", f"the variant key is longer than {VARIANT_KEY_MAX} characters", key)
        return None
    return VariantRecord(key, fields)
