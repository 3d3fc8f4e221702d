"""What product search and recommendations take and give back.

A :class:`SearchDoc` is one catalog product as search sees it: the text it is found by plus the
fields filters need (price range over its variants, stock, category path). Hits and recommendations
carry the evidence a person needs to trust them: which list ranked a hit where and which words it
matched; why an item is recommended, in words and in numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SearchMode = Literal["hybrid", "bm25", "vector"]
RecommendationKind = Literal["similar", "complementary", "alternative"]


@dataclass(frozen=True)
class SearchDoc:
    """One product, flattened for search. ``in_stock`` is None when no variant tracks inventory."""

    product_id: int
    handle: str
    title: str
    category: str = ""  # "Home & Kitchen > Drinkware" or "a|b|c"; filters match a prefix
    product_type: str = ""
    vendor: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    language: str = "en"
    min_price: float | None = None
    max_price: float | None = None
    stock: int | None = None  # units over the variants that track inventory
    status: str = "active"

    @property
    def in_stock(self) -> bool | None:
        return None if self.stock is None else self.stock > 0


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied before ranking. ``in_stock=True`` keeps products with stock > 0 and those
    that do not track inventory (they can always be sold)."""

    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None

    def is_empty(self) -> bool:
        return (
            not self.category and self.min_price is None and self.max_price is None and self.in_stock is None
        )


@dataclass(frozen=True)
class SearchHit:
    """One ranked product. Ranks are 1-based; None where that list did not place the product."""

    product_id: int
    handle: str
    title: str
    score: float
    bm25_rank: int | None = None
    vector_rank: int | None = None
    cosine: float | None = None
    matched_terms: tuple[str, ...] = ()
    category: str = ""
    min_price: float | None = None
    in_stock: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "handle": self.handle,
            "title": self.title,
            "score": round(self.score, 6),
            "bm25_rank": self.bm25_rank,
            "vector_rank": self.vector_rank,
            "cosine": None if self.cosine is None else round(self.cosine, 4),
            "matched_terms": list(self.matched_terms),
            "category": self.category,
            "min_price": self.min_price,
            "in_stock": self.in_stock,
        }


@dataclass(frozen=True)
class Recommendation:
    """A recommended product and why: ``reason`` in words, ``evidence`` the numbers behind it."""

    product_id: int
    title: str
    kind: RecommendationKind
    score: float
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 6),
            "reason": self.reason,
            "evidence": self.evidence,
        }
