"""Recommendations for one product as the CLI, API and web pages ask for them.

Three panels, each computed from the store as it is now: *similar* items (embedding neighbours in
the product index), items *bought together* (order-line co-purchase, cached per store until an
order changes) and *alternatives* that draw fewer complaints about what customers complain of in
this product (review aspects; empty with a note when the reviews are not analysed yet).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from shopops.context import AppContext
from shopops.errors import NotFoundError
from shopops.search.copurchase import CoPurchase, complementary_items, load_baskets
from shopops.search.documents import titles_by_id
from shopops.search.index import ProductIndex
from shopops.search.recommend import AlternativesResult, alternatives, complaint_stats, similar_items
from shopops.search.service import product_index
from shopops.search.types import Recommendation
from shopops.store.models import Order, OrderLine, Product

CANDIDATES = 50  # embedding neighbours considered for similar items and alternatives

_baskets: dict[str, tuple[tuple[Any, ...], CoPurchase]] = {}
_baskets_lock = threading.Lock()


@dataclass
class ProductRecommendations:
    product_id: int
    title: str
    similar: list[Recommendation] = field(default_factory=list)
    complementary: list[Recommendation] = field(default_factory=list)
    alternatives: AlternativesResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "title": self.title,
            "similar": [item.as_dict() for item in self.similar],
            "complementary": [item.as_dict() for item in self.complementary],
            "alternatives": None if self.alternatives is None else self.alternatives.as_dict(),
        }


def resolve_product(ctx: AppContext, ref: str | int) -> Product:
    """A product by id or handle; NotFoundError names what was asked."""
    with ctx.db.session() as session:
        product = None
        if isinstance(ref, int) or str(ref).isdigit():
            product = session.get(Product, int(ref))
        if product is None:
            product = session.scalar(select(Product).where(Product.handle == str(ref)))
        if product is None:
            raise NotFoundError(f"no product with id or handle {ref!r}", hint="see `shopops search`")
        session.expunge(product)
        return product


def co_purchase(ctx: AppContext) -> CoPurchase:
    """Co-purchase counts of the store's orders, recomputed when an order or order line changes."""
    with ctx.db.session() as session:
        stamp = (
            *session.execute(select(func.count(Order.id), func.max(Order.updated_at))).one(),
            *session.execute(select(func.count(OrderLine.id), func.max(OrderLine.id))).one(),
        )
        key = ctx.settings.effective_database_url
        with _baskets_lock:
            cached = _baskets.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            stats = CoPurchase.from_baskets(load_baskets(session))
            _baskets[key] = (stamp, stats)
            return stats


def _similar(index: ProductIndex, product_id: int, k: int) -> list[Recommendation]:
    row = index.row_of(product_id)
    if row is None:
        return []
    return similar_items(index.docs, row, index.neighbours(product_id, CANDIDATES), k=k)


def _alternatives(
    ctx: AppContext, index: ProductIndex, product_id: int, aspect: str | None, k: int
) -> AlternativesResult:
    row = index.row_of(product_id)
    candidates = []
    if row is not None:
        rows, cosines = index.neighbours(product_id, CANDIDATES)
        candidates = [(index.docs[int(r)], float(c)) for r, c in zip(rows, cosines, strict=True) if r >= 0]
    ids = [product_id, *(doc.product_id for doc, _ in candidates)]
    with ctx.db.session() as session:
        stats = complaint_stats(session, ids)
    titles = titles_by_id(index.docs)
    return alternatives(product_id, candidates, stats, titles, aspect=aspect, k=k)


def recommend_for(
    ctx: AppContext, ref: str | int, *, k: int = 5, aspect: str | None = None
) -> ProductRecommendations:
    """Similar, bought-together and fewer-complaint alternatives for one product (id or handle)."""
    product = resolve_product(ctx, ref)
    index = product_index(ctx)
    titles = titles_by_id(index.docs)
    result = ProductRecommendations(product_id=product.id, title=product.title)
    result.similar = _similar(index, product.id, k)
    result.complementary = complementary_items(co_purchase(ctx), product.id, titles, k=k)
    result.alternatives = _alternatives(ctx, index, product.id, aspect, k)
    return result
