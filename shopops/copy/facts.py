"""Product facts: what a prompt may say about a product, and what the checker verifies against.

Two sources: a product in the store (:func:`facts_for_product`) and an evaluation record, one line
of a JSONL or CSV catalog (:func:`facts_from_record`). Both give a :class:`ProductFacts` whose
``fact_lines()`` are the only product content a copy prompt carries.

What is *not* a fact: the raw HTML body, image lists and publication flags the importers keep in
``attributes``, and merchandising tags such as "final sale" (internal flags, not properties of the
product). Prices are the lowest and highest variant price; a compare-at price is the list price.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shopops.copy.types import ProductFacts
from shopops.errors import NotFoundError
from shopops.ingest.fields import parse_decimal
from shopops.ingest.text import guess_language, html_to_text
from shopops.store import models

HIDDEN_ATTRIBUTES = frozenset({"body_html", "images", "published", "gift_card", "currency"})
INTERNAL_TAGS = frozenset({"final sale", "clearance"})
MAX_DESCRIPTION = 1200  # characters of the merchant's description a prompt carries
CATEGORY_SEPARATORS = re.compile(r"\s*(?:>|\||/|›|»)\s*")
CURRENCY_SYMBOLS = {"R$": "BRL", "₹": "INR", "$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY"}


def category_leaf(category: str) -> str:
    """The most specific part of a category path: ``"Home > Kitchen > Cutting Boards"`` ->
    ``"Cutting Boards"``; ``"Computers&Accessories|Cables|USBCables"`` -> ``"USBCables"``."""
    parts = [part for part in CATEGORY_SEPARATORS.split(category.strip()) if part]
    return parts[-1] if parts else ""


def plain_text(value: str, max_chars: int = MAX_DESCRIPTION) -> str:
    """Text without HTML or blank lines, cut at a word boundary near ``max_chars``."""
    text = re.sub(r"\n\s*\n", "\n", html_to_text(value or "")).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars * 0.8 else cut).rstrip(" ,;:") + " …"


def fact_attributes(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    """Attributes worth stating: text and numbers (not booleans, lists or nested objects)."""
    facts: dict[str, str] = {}
    for key, value in (attributes or {}).items():
        if key in HIDDEN_ATTRIBUTES or isinstance(value, bool):
            continue
        if isinstance(value, int | float | Decimal):
            facts[str(key)] = f"{value:g}" if isinstance(value, float) else str(value)
        elif isinstance(value, str) and value.strip():
            facts[str(key)] = value.strip()
    return facts


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def _load_product(session: Session, ref: str | int) -> models.Product | None:
    query = select(models.Product).options(selectinload(models.Product.variants))
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        product = session.scalar(query.where(models.Product.id == int(text)))
        if product is not None:
            return product
    return session.scalar(query.where(models.Product.handle == text))


def get_product(session: Session, ref: str | int) -> models.Product:
    """The product with id or handle ``ref``; :class:`NotFoundError` with a hint otherwise."""
    product = _load_product(session, ref)
    if product is None:
        raise NotFoundError(
            f"no product with id or handle {str(ref)!r}",
            hint="import products first (`shopops import products FILE`) or load the demo store "
            "(`shopops demo run`); a product is named by its numeric id or its handle",
        )
    return product


def facts_from_product(product: models.Product, *, max_description: int = MAX_DESCRIPTION) -> ProductFacts:
    """The facts of a loaded product (its variants loaded too)."""
    attributes = product.attributes or {}
    variants = list(product.variants)
    prices = sorted(float(v.price) for v in variants if v.price is not None)
    compare_at = sorted(float(v.compare_at_price) for v in variants if v.compare_at_price is not None)
    options = {
        str(name): _unique(
            str(v.option_values[index]).strip() for v in variants if len(v.option_values or []) > index
        )
        for index, name in enumerate(product.option_names or [])
    }
    return ProductFacts(
        id=str(product.id),
        title=product.title,
        description=plain_text(product.description or "", max_description),
        category=category_leaf(product.category or ""),
        product_type=product.product_type or "",
        vendor=product.vendor or "",
        tags=[str(t) for t in product.tags or [] if str(t).strip().lower() not in INTERNAL_TAGS],
        attributes=fact_attributes(attributes),
        options={name: values for name, values in options.items() if values},
        price=prices[0] if prices else None,
        price_max=prices[-1] if prices else None,
        list_price=compare_at[-1] if compare_at and (not prices or compare_at[-1] > prices[0]) else None,
        currency=str(attributes.get("currency") or ""),
        language=product.language or "en",
    )


def facts_for_product(
    session: Session, ref: str | int, *, max_description: int = MAX_DESCRIPTION
) -> ProductFacts:
    """The facts of the product with id or handle ``ref``, as the store holds them now."""
    return facts_from_product(get_product(session, ref), max_description=max_description)


def parse_price(value: Any) -> tuple[float | None, str]:
    """``"₹1,099"`` -> (1099.0, "INR"); ``"1,39,900"`` -> (139900.0, ""); junk -> (None, "")."""
    if value is None or isinstance(value, bool):
        return None, ""
    if isinstance(value, int | float | Decimal):
        return float(value), ""
    text = str(value).strip()
    if not text:
        return None, ""
    currency = ""
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            currency, text = code, text.replace(symbol, " ")
            break
    code = re.search(r"\b([A-Z]{3})\b", text)
    if code and not currency:
        currency = code.group(1)
    try:
        return float(parse_decimal(text)), currency
    except ValueError:
        return None, currency


def facts_from_record(record: Mapping[str, Any]) -> ProductFacts:
    """Facts from an evaluation row ``{id, title, category, price, list_price, attributes,
    description}`` (every key but ``id`` optional); prices may carry symbols and any grouping."""
    price, currency = parse_price(record.get("price"))
    list_price, list_currency = parse_price(record.get("list_price"))
    raw_attributes = record.get("attributes")
    attributes = fact_attributes(raw_attributes if isinstance(raw_attributes, Mapping) else None)
    title = str(record.get("title") or "").strip()
    description = plain_text(str(record.get("description") or ""))
    currency = str(record.get("currency") or "") or currency or list_currency
    return ProductFacts(
        id=str(record.get("id", "")),
        title=title or str(record.get("id", "")),
        description=description,
        category=category_leaf(str(record.get("category") or "")),
        attributes=attributes,
        price=price,
        price_max=price,
        list_price=list_price if list_price is not None and (price is None or list_price > price) else None,
        currency=currency,
        language=str(record.get("language") or guess_language(title, description)),
    )
