"""Catalog products as search documents: the text each is found by, and the fields filters need.

Two texts per product. The *search text* (title, category path, type, vendor, tags, description)
feeds BM25, which is cheap however long the text is. The *embedding text* is the title and the
category's last level, cut to :data:`EMBED_MAX_CHARS`. The embedder's cost grows with the tokens it
reads (about 1,450 tokens/s on 2 cores), and on the development catalog (882 products, 392 review
queries, vector search alone) the title embedded alone found the reviewed product as well as the
title with category and 360 characters of description (MRR 0.138 vs 0.131) at 1.7 times the speed.

``text_hash`` covers both texts, so a product is re-tokenised and re-embedded exactly when a field
search reads changes; a price or stock change only changes the filter arrays, read live.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.search.types import SearchDoc
from shopops.store.models import Product, ProductVariant

EMBED_MAX_CHARS = 200
SEARCH_DESCRIPTION_CHARS = 2000
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_CATEGORY_SPLIT = re.compile(r"\s*(?:>|\||/)\s*")


def plain(text: str) -> str:
    """HTML tags and entities removed, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text or ""))).strip()


def category_parts(category: str) -> list[str]:
    """``"Home&Kitchen|Kitchen|Bottles"`` or ``"Home > Kitchen"`` -> its levels, outermost first."""
    return [part for part in _CATEGORY_SPLIT.split(category or "") if part]


def readable_category(category: str) -> str:
    """A category path for people and for the embedder: ``"Home&Kitchen > Kitchen > Bottles"``."""
    return " > ".join(category_parts(category))


def search_text(doc: SearchDoc) -> str:
    """Everything BM25 should find the product by."""
    fields = [
        doc.title,
        readable_category(doc.category),
        doc.product_type,
        doc.vendor,
        " ".join(doc.tags),
        plain(doc.description)[:SEARCH_DESCRIPTION_CHARS],
    ]
    return "\n".join(field for field in fields if field)


def embed_text(doc: SearchDoc, max_chars: int = EMBED_MAX_CHARS) -> str:
    """What the embedder reads: the title, then the category's last level (or the product type)."""
    levels = category_parts(doc.category)
    kind = levels[-1] if levels else doc.product_type
    text = f"{doc.title}. {kind}" if kind and kind.casefold() not in doc.title.casefold() else doc.title
    return text[:max_chars].rstrip()


def text_hash(doc: SearchDoc) -> str:
    digest = hashlib.sha256()
    for part in (search_text(doc), "\x1f", embed_text(doc)):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def category_matches(category: str, wanted: str) -> bool:
    """True when ``wanted`` names the category or one of its ancestors (level by level, any case).

    ``"kitchen"`` matches ``"Home > Kitchen > Bottles"`` at any level; ``"home > kitchen"`` must
    match a run of consecutive levels."""
    have = [part.casefold() for part in category_parts(category)]
    want = [part.casefold() for part in category_parts(wanted)]
    if not want:
        return True
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def _price(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def load_documents(
    session: Session, product_ids: Iterable[int] | None = None, *, include_inactive: bool = False
) -> list[SearchDoc]:
    """Search documents for the catalog's products (active ones unless ``include_inactive``),
    ordered by product id, with each product's price range and tracked stock over its variants."""
    variant_stats = (
        select(
            ProductVariant.product_id.label("product_id"),
            func.min(ProductVariant.price).label("min_price"),
            func.max(ProductVariant.price).label("max_price"),
            func.sum(ProductVariant.inventory_quantity).label("stock"),
        )
        .group_by(ProductVariant.product_id)
        .subquery()
    )
    query = (
        select(
            Product.id,
            Product.handle,
            Product.title,
            Product.category,
            Product.product_type,
            Product.vendor,
            Product.tags,
            Product.description,
            Product.language,
            Product.status,
            variant_stats.c.min_price,
            variant_stats.c.max_price,
            variant_stats.c.stock,
        )
        .outerjoin(variant_stats, variant_stats.c.product_id == Product.id)
        .order_by(Product.id)
    )
    if not include_inactive:
        query = query.where(Product.status == "active")
    if product_ids is not None:
        ids = sorted(set(product_ids))
        if not ids:
            return []
        query = query.where(Product.id.in_(ids))
    return [
        SearchDoc(
            product_id=row.id,
            handle=row.handle,
            title=row.title,
            category=row.category or "",
            product_type=row.product_type or "",
            vendor=row.vendor or "",
            tags=tuple(str(tag) for tag in row.tags or ()),
            description=row.description or "",
            language=row.language or "en",
            min_price=_price(row.min_price),
            max_price=_price(row.max_price),
            stock=None if row.stock is None else int(row.stock),
            status=row.status,
        )
        for row in session.execute(query)
    ]


def titles_by_id(docs: Sequence[SearchDoc]) -> dict[int, str]:
    return {doc.product_id: doc.title for doc in docs}
