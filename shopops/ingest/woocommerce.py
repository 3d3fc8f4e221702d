"""WooCommerce product CSV exports (Products > Export in wp-admin).

Each product is one row; a *variable* product's variations follow as rows of type ``variation``
whose ``Parent`` names the parent as ``id:NN`` or by its SKU (the parent may come later in the
file). A variable product and its variations are accepted or rejected together.

Handle: the parent's SKU (slugified) when it has one, else ``woo-<ID>``, else the slugified name.
Price: ``Sale price`` when set (``Regular price`` becomes the compare-at price), else ``Regular
price``. The attributes a variable product's variations use become its options; other attributes
are kept in ``attributes["attributes"]``. Grouped products have no price of their own and are
skipped with a warning. WooCommerce escapes newlines in descriptions as ``\\n`` and commas in
category names as ``\\,``; both are undone.
"""

from __future__ import annotations

import re
from typing import Any

from shopops.errors import RowError
from shopops.ingest.base import Unit
from shopops.ingest.fields import RowParser, norm, resolve_columns
from shopops.ingest.products import HANDLE_MAX, ProductRecord, VariantRecord, limit, variant_key
from shopops.ingest.tables import SourceRow, Table
from shopops.ingest.text import guess_language, html_to_text, slugify
from shopops.store.models import Product, ProductVariant

BASE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("ID",),
    "type": ("Type",),
    "sku": ("SKU",),
    "name": ("Name",),
    "published": ("Published",),
    "short_description": ("Short description",),
    "description": ("Description",),
    "in_stock": ("In stock?",),
    "stock": ("Stock",),
    "sale_price": ("Sale price",),
    "regular_price": ("Regular price",),
    "categories": ("Categories",),
    "tags": ("Tags",),
    "images": ("Images",),
    "parent": ("Parent",),
    "barcode": ("GTIN, UPC, EAN, or ISBN", "GTIN", "EAN"),
}
PUBLISHED = {"1": "active", "0": "draft", "-1": "draft"}
TYPES = {"simple", "variable", "variation", "grouped", "external", "virtual", "downloadable"}
GRAMS_PER = {"kg": 1000.0, "g": 1.0, "lbs": 453.59237, "lb": 453.59237, "oz": 28.349523125}


def _aliases(table: Table) -> dict[str, tuple[str, ...]]:
    aliases = dict(BASE_ALIASES)
    for header in table.headers:
        if m := re.fullmatch(r"attribute (\d+) name", norm(header)):
            n = m.group(1)
            aliases[f"attr{n}_name"] = (header,)
            aliases[f"attr{n}_values"] = (f"Attribute {n} value(s)", f"Attribute {n} values")
        if m := re.fullmatch(r"weight \((kg|g|lbs|lb|oz)\)", norm(header)):
            aliases["weight"] = (header,)
            aliases[f"weight_unit_{m.group(1)}"] = ()
    return aliases


def _split(text: str) -> list[str]:
    """Woo lists are comma-separated; a comma inside a name is written ``\\,``."""
    return [p.strip().replace("\\,", ",") for p in re.split(r"(?<!\\),", text) if p.strip()]


def _types(p: RowParser) -> set[str]:
    types = {t.strip().lower() for t in p.raw("type").split(",") if t.strip()} or {"simple"}
    unknown = types - TYPES
    if unknown:
        p.error("type", f"unknown product type (expected one of: {', '.join(sorted(TYPES))})", p.raw("type"))
    return types


def prepare_table(
    table: Table, mapping: dict[str, str] | None
) -> tuple[list[Unit[ProductRecord]], list[str]]:
    aliases = _aliases(table)
    columns = resolve_columns(table, aliases, mapping, required=("name", "regular_price"))
    weight_unit = next((k.rsplit("_", 1)[1] for k in aliases if k.startswith("weight_unit_")), "kg")
    attr_numbers = sorted(int(k[4:-5]) for k in aliases if k.startswith("attr") and k.endswith("_name"))
    parents: list[tuple[RowParser, list[RowParser], bool]] = []
    by_ref: dict[str, int] = {}
    variations: list[RowParser] = []
    units: list[Unit[ProductRecord]] = []
    warnings: list[str] = []
    for row in table.rows:
        p = RowParser(row, columns)
        types = _types(p)
        if "variation" in types:
            variations.append(p)
        elif "grouped" in types:
            warnings.append(
                f"{table.path}: row {row.number}: grouped product '{p.raw('name')}' skipped "
                "(it has no price of its own; its children are imported as products)"
            )
        else:
            if p.raw("id"):
                by_ref[f"id:{p.raw('id')}"] = len(parents)
            if p.raw("sku"):
                by_ref.setdefault(p.raw("sku"), len(parents))
            parents.append((p, [], "variable" in types))
    for p in variations:
        ref = p.raw("parent")
        index = by_ref.get(ref) if ref.startswith("id:") else by_ref.get(ref, by_ref.get(f"id:{ref}"))
        if index is None:
            p.error(
                "parent", "required" if not ref else "no product with this ID or SKU in the file", ref or None
            )
            units.append(Unit([p.row], errors=p.errors))
        else:
            parents[index][1].append(p)
    for parent, children, variable in parents:
        units.append(_product(parent, children, variable, attr_numbers, weight_unit))
    return units, warnings


def _product(
    parent: RowParser, children: list[RowParser], variable: bool, attr_numbers: list[int], weight_unit: str
) -> Unit[ProductRecord]:
    rows: list[SourceRow] = [parent.row, *(c.row for c in children)]
    sku = parent.raw("sku")
    handle = (
        slugify(sku)
        if sku
        else (f"woo-{parent.raw('id')}" if parent.raw("id") else slugify(parent.raw("name")))
    )
    title = parent.text("name", required=True, max_length=limit(Product, "title"))
    attrs = {
        parent.raw(f"attr{n}_name"): parent.raw(f"attr{n}_values")
        for n in attr_numbers
        if parent.raw(f"attr{n}_name")
    }
    used = {c.raw(f"attr{n}_name") for c in children for n in attr_numbers if c.raw(f"attr{n}_name")}
    option_names = [name for name in attrs if name in used] + sorted(used - set(attrs))
    fields: dict[str, Any] = {"title": title, "option_names": option_names}
    body = parent.raw("description").replace("\\n", "\n")
    fields["description"] = html_to_text(body)
    categories = _split(parent.raw("categories"))
    images = _split(parent.raw("images"))
    fields.update(
        category=(categories[0] if categories else "")[: limit(Product, "category")],
        tags=_split(parent.raw("tags")),
        image_url=images[0] if images else "",
        language=guess_language(title or "", fields["description"]),
        attributes={
            "body_html": body,
            "short_description": html_to_text(parent.raw("short_description").replace("\\n", "\n")),
            "categories": categories,
            "images": [{"src": src, "position": i} for i, src in enumerate(images, start=1)],
            "attributes": {k: _split(v) for k, v in attrs.items() if k not in used},
            "woocommerce_id": parent.raw("id"),
        },
    )
    if len(fields["image_url"]) > (limit(Product, "image_url") or 1000):
        parent.error("images", f"the first image URL is longer than {limit(Product, 'image_url')} characters")
    status = parent.choice("published", PUBLISHED)
    if status is not None:
        fields["status"] = status
    errors: list[RowError] = parent.errors
    variants: list[VariantRecord] = []
    sources = children if variable else [parent]
    if variable and not children:
        parent.error("type", "a variable product needs variation rows whose Parent names it")
    seen: dict[str, int] = {}
    for position, p in enumerate(sources, start=1):
        values = {
            p.raw(f"attr{n}_name"): p.raw(f"attr{n}_values") for n in attr_numbers if p.raw(f"attr{n}_name")
        }
        option_values = [values.get(name) or "Any" for name in option_names] if variable else []
        variant = _variant(p, option_values, position, weight_unit)
        if p is not parent:
            errors.extend(p.errors)
        if variant.key in seen:
            errors.append(
                RowError(p.row.number, p.label("sku"), f"duplicate variation of row {seen[variant.key]}")
            )
        seen[variant.key] = p.row.number
        variants.append(variant)
    if len(handle) > (HANDLE_MAX or 255) or not handle:
        parent.error("sku", "cannot make a handle from this product's SKU, ID or Name", handle)
    if errors:
        return Unit(rows, errors=errors)
    return Unit(rows, ProductRecord(handle, fields, variants))


def _variant(p: RowParser, option_values: list[str], position: int, weight_unit: str) -> VariantRecord:
    sku = p.text("sku", max_length=limit(ProductVariant, "sku")) or ""
    regular = p.money("regular_price", required=True)
    sale = p.money("sale_price")
    weight = p.number("weight", minimum=0)
    attributes = {k: v for k, v in (("in_stock", p.raw("in_stock")),) if v}
    fields: dict[str, Any] = {
        "sku": sku,
        "title": " / ".join(option_values) or "Default Title",
        "option_values": option_values,
        "price": sale if sale is not None else regular,
        "compare_at_price": regular if sale is not None else None,
        "inventory_quantity": p.integer("stock"),
        "weight_grams": None if weight is None else round(weight * GRAMS_PER[weight_unit], 3),
        "barcode": p.text("barcode", max_length=limit(ProductVariant, "barcode")) or "",
        "position": position,
        "attributes": attributes,
    }
    return VariantRecord(variant_key(sku, option_values), fields)
