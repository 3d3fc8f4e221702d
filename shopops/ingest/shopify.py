"""Shopify product CSV exports, older headers (``Handle``, ``Variant Price``...) and newer ones
(``URL handle``, ``Price``, ``Inventory quantity``...).

Shopify writes a product over several rows that share its handle: the first row carries the
product's fields and its first variant; following rows carry only variant fields (one more
variant each) or only image fields (one more image: they do not become variants). Rows of one
handle are validated together and **a bad row rejects its whole product**, so a product is never
imported with some of its variants missing; with ``skip_invalid`` every row of that product goes to
the rejects file, each with the reason.

Stored: ``Body (HTML)`` as plain text in ``description`` (the HTML stays in
``attributes["body_html"]``), the first image as ``image_url`` (all in ``attributes["images"]``),
``Status`` (or ``Published``) as ``status``. A single-variant product's ``Title``/``Default Title``
option is not an option: it is stored with no option names and a ``Default Title`` variant.
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
    "handle": ("Handle", "URL handle"),
    "title": ("Title",),
    "body": ("Body (HTML)", "Description", "Body HTML"),
    "vendor": ("Vendor",),
    "category": ("Product Category",),
    "product_type": ("Type", "Custom Product Type"),
    "tags": ("Tags",),
    "published": ("Published", "Published on online store"),
    "status": ("Status",),
    "seo_title": ("SEO Title",),
    "seo_description": ("SEO Description",),
    "gift_card": ("Gift Card",),
    **{f"option{i}_name": (f"Option{i} Name",) for i in (1, 2, 3)},
    **{f"option{i}_value": (f"Option{i} Value",) for i in (1, 2, 3)},
    "sku": ("Variant SKU", "SKU"),
    "grams": ("Variant Grams", "Weight value (grams)"),
    "inventory_tracker": ("Variant Inventory Tracker", "Inventory tracker"),
    "inventory_qty": ("Variant Inventory Qty", "Inventory quantity"),
    "inventory_policy": ("Variant Inventory Policy", "Continue selling when out of stock"),
    "fulfillment_service": ("Variant Fulfillment Service", "Fulfillment service"),
    "price": ("Variant Price", "Price"),
    "compare_at_price": ("Variant Compare At Price", "Compare-at price"),
    "requires_shipping": ("Variant Requires Shipping", "Requires shipping"),
    "taxable": ("Variant Taxable", "Charge tax"),
    "barcode": ("Variant Barcode", "Barcode"),
    "variant_image": ("Variant Image", "Variant image URL"),
    "weight_unit": ("Variant Weight Unit", "Weight unit for display"),
    "tax_code": ("Variant Tax Code", "Tax code"),
    "cost": ("Cost per item",),
    "image_src": ("Image Src", "Product image URL"),
    "image_position": ("Image Position",),
    "image_alt": ("Image Alt Text",),
}
VARIANT_SIGNS = (
    "option1_value",
    "option2_value",
    "option3_value",
    "sku",
    "price",
    "compare_at_price",
    "barcode",
    "grams",
    "inventory_qty",
    "cost",
)
STATUSES = {"active": "active", "draft": "draft", "archived": "archived"}
VARIANT_ATTRIBUTES = (
    "inventory_tracker",
    "inventory_policy",
    "fulfillment_service",
    "requires_shipping",
    "taxable",
    "weight_unit",
    "variant_image",
    "tax_code",
)


def prepare_table(
    table: Table, mapping: dict[str, str] | None
) -> tuple[list[Unit[ProductRecord]], list[str]]:
    columns = resolve_columns(table, ALIASES, mapping, required=("price",))
    groups: dict[str, list[SourceRow]] = {}
    units: list[Unit[ProductRecord]] = []
    for row in table.rows:
        parser = RowParser(row, columns)
        handle = parser.raw("handle") or slugify(parser.raw("title"), max_length=HANDLE_MAX or 255)
        if not handle:
            parser.error("handle", "required (or a Title to make one from)")
            units.append(Unit([row], errors=parser.errors))
            continue
        groups.setdefault(handle, []).append(row)
    units.extend(_product(handle, rows, columns) for handle, rows in groups.items())
    return units, []


def _product(handle: str, rows: list[SourceRow], columns: dict[str, str | None]) -> Unit[ProductRecord]:
    first = RowParser(rows[0], columns)
    errors: list[RowError] = first.errors
    if len(handle) > (HANDLE_MAX or 255):
        first.error("handle", f"longer than {HANDLE_MAX} characters", handle)
    fields = _product_fields(first)
    option_names = _option_names(first)
    images: list[dict[str, Any]] = []
    variants: list[VariantRecord] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        parser = first if index == 0 else RowParser(row, columns)
        variant = _row(parser, option_names, images, is_first=index == 0, position=len(variants) + 1)
        if parser is not first:
            errors.extend(parser.errors)
        if variant is None:
            continue
        if variant.key in seen:
            errors.append(
                RowError(
                    row.number,
                    columns.get("sku") or "Variant SKU",
                    f"duplicate variant '{variant.key}' (also on row {seen[variant.key]})",
                )
            )
            continue
        seen[variant.key] = row.number
        variants.append(variant)
    if errors:
        return Unit(rows, errors=errors)
    if option_names == ["Title"] and all(v.fields["option_values"] == ["Default Title"] for v in variants):
        option_names = []
        for v in variants:
            v.fields["option_values"] = []
    if first.has("option1_name"):
        fields["option_names"] = option_names
    if first.has("image_src"):
        images.sort(key=lambda im: im["position"] or 10**6)
        fields["image_url"] = images[0]["src"] if images else ""
        fields["attributes"]["images"] = images
    return Unit(rows, ProductRecord(handle, fields, variants))


def _row(
    p: RowParser, option_names: list[str], images: list[dict[str, Any]], *, is_first: bool, position: int
) -> VariantRecord | None:
    """Collect the row's image; return its variant unless it is an image-only row or invalid."""
    src = p.text("image_src", max_length=limit(Product, "image_url"))
    if src:
        images.append(
            {
                "src": src,
                "position": p.integer("image_position", minimum=1),
                "alt": p.raw("image_alt"),
            }
        )
    if not is_first and not any(p.raw(name) for name in VARIANT_SIGNS):
        return None  # an image-only row (or an empty continuation row)
    before = len(p.errors)
    variant = _variant(p, option_names, position=position)
    return variant if len(p.errors) == before else None


def _product_fields(p: RowParser) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    title = p.text("title", required=True, max_length=limit(Product, "title"))
    if title is not None:
        fields["title"] = title
    attributes: dict[str, Any] = {}
    if p.has("body"):
        body = p.raw("body")
        fields["description"] = html_to_text(body)
        attributes["body_html"] = body
    for name, column in (
        ("vendor", "vendor"),
        ("category", "category"),
        ("product_type", "product_type"),
        ("seo_title", "seo_title"),
        ("seo_description", "seo_description"),
    ):
        if p.has(name):
            fields[column] = p.text(name, max_length=limit(Product, column)) or ""
    if p.has("tags"):
        fields["tags"] = split_list(p.raw("tags"))
    published = p.boolean("published")
    if published is not None:
        attributes["published"] = published
    status = p.choice("status", STATUSES)
    if status is not None:
        fields["status"] = status
    elif published is not None:
        fields["status"] = "active" if published else "draft"
    gift_card = p.boolean("gift_card")
    if gift_card:
        attributes["gift_card"] = True
    fields["attributes"] = attributes
    fields["language"] = guess_language(title or "", fields.get("description", ""))
    return fields


def _option_names(p: RowParser) -> list[str]:
    names = [p.raw(f"option{i}_name") for i in (1, 2, 3)]
    while names and not names[-1]:
        names.pop()
    for i, name in enumerate(names, start=1):
        if not name:
            p.error(f"option{i}_name", f"empty, but Option{i + 1} Name is set (options are filled in order)")
    return names


def _variant(p: RowParser, option_names: list[str], *, position: int) -> VariantRecord | None:
    values: list[str] = []
    for i in (1, 2, 3):
        value = p.raw(f"option{i}_value")
        if i <= len(option_names):
            if not value:
                p.error(f"option{i}_value", f"required (the product has the option '{option_names[i - 1]}')")
            values.append(value)
        elif value:
            p.error(f"option{i}_value", f"the product's first row has no Option{i} Name", value)
    sku = p.text("sku", max_length=limit(ProductVariant, "sku")) or ""
    fields: dict[str, Any] = {
        "sku": sku,
        "option_values": values,
        "title": " / ".join(values) or "Default Title",
        "price": p.money("price", required=True),
        "compare_at_price": p.money("compare_at_price"),
        "position": position,
    }
    for name, column in (
        ("cost", "cost"),
        ("grams", "weight_grams"),
        ("inventory_qty", "inventory_quantity"),
        ("barcode", "barcode"),
    ):
        if not p.has(name):
            continue
        if name == "cost":
            fields[column] = p.money(name)
        elif name == "grams":
            fields[column] = p.number(name, minimum=0)
        elif name == "inventory_qty":
            fields[column] = p.integer(name)
        else:
            fields[column] = p.text(name, max_length=limit(ProductVariant, "barcode")) or ""
    fields["attributes"] = {name: p.raw(name) for name in VARIANT_ATTRIBUTES if p.raw(name)}
    key = variant_key(sku, values)
    if len(key) > (VARIANT_KEY_MAX or 255):
        p.error("sku", f"the variant key is longer than {VARIANT_KEY_MAX} characters", key)
        return None
    return VariantRecord(key, fields)
