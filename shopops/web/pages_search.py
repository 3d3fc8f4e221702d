"""View helpers for the catalog's search box and a product's recommendation panels.

The routes stay in :mod:`shopops.web.pages_catalog`; this module turns the query string into
:class:`~shopops.search.types.SearchFilters` (bad values become messages a person can act on),
runs :func:`shopops.search.service.search_products`, and shapes hits into rows a template shows:
the price a filter was checked against, the stock state and *why* the product was found (the words
it matched, or a match on meaning from the embedding). With filters but no words, the catalog is
browsed through the same filters (the search index's mask), so a price bound never silently does
nothing. Recommendations come from :func:`shopops.search.recommendations.recommend_for`; a failure
there becomes a message in the panels rather than a broken product page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from shopops.context import AppContext
from shopops.errors import ShopopsError
from shopops.search.documents import category_parts, readable_category
from shopops.search.recommend import title_words
from shopops.search.recommendations import ProductRecommendations, recommend_for
from shopops.search.service import SearchResult, product_index, search_products
from shopops.search.types import SearchDoc, SearchFilters, SearchHit
from shopops.store.models import Product

SEARCH_LIMIT = 25  # hits shown for a search (ranked; no pages: the best come first)
RECOMMENDATIONS = 5  # items per recommendation panel
CATEGORY_DEPTH = 3  # category levels offered in the filter's select
MAX_CATEGORY_CHOICES = 300
MAX_PRICE = 1e9

# A problem with the filter inputs: (message key in shopops.web.i18n, values for the message).
Problem = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class FilterForm:
    """The catalog's filter inputs as typed (kept in the form and the query string)."""

    category: str = ""
    min_price: str = ""
    max_price: str = ""
    in_stock: bool = False

    @property
    def given(self) -> bool:
        return bool(
            self.category.strip() or self.min_price.strip() or self.max_price.strip() or self.in_stock
        )

    def parse(self) -> tuple[SearchFilters, list[Problem]]:
        """The filters these inputs ask for, and what is wrong with them (nothing: an empty list)."""
        problems: list[Problem] = []
        low = _price(self.min_price, "catalog.error.min_price", problems)
        high = _price(self.max_price, "catalog.error.max_price", problems)
        if low is not None and high is not None and low > high:
            problems.append(("catalog.error.price_order", {"low": _money(low), "high": _money(high)}))
        filters = SearchFilters(
            category=self.category.strip() or None,
            min_price=low,
            max_price=high,
            in_stock=True if self.in_stock else None,
        )
        return filters, problems


def _price(text: str, message: str, problems: list[Problem]) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_PRICE:
        problems.append((message, {"value": text[:20]}))
        return None
    return value


def _money(value: float) -> str:
    return f"{value:.2f}"


def is_checked(value: str) -> bool:
    """An HTML checkbox's value in a query string ("on" from a browser; 1/true from a link)."""
    return value.strip().lower() in {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class Word:
    """A search term (a stem such as "bottl", as BM25 matched it) and the word shown for it: the
    product's own spelling ("Bottle") where its title or category has it, else the term."""

    term: str
    shown: str


@dataclass(frozen=True)
class Correction:
    """A query word the index did not know (``typed``) and the catalog word searched instead."""

    typed: str
    term: str
    shown: str


@dataclass(frozen=True)
class ProductRow:
    """One product in the catalog's search results, as the page shows it."""

    product_id: int
    title: str
    handle: str
    category: str
    price: float | None  # the lowest variant price: the one a price filter is checked against
    has_range: bool  # variants cost more than ``price``: shown as "from"
    in_stock: bool | None  # None: no variant tracks inventory
    matched: tuple[Word, ...] = ()  # the query's words the product contains
    typos: tuple[Correction, ...] = ()  # corrected query words that this product matched
    meaning_match: bool = False  # ranked by the embedding (a match on meaning, maybe no shared word)
    cosine: float | None = None

    @property
    def price_text(self) -> str:
        return "" if self.price is None else _money(self.price)

    @property
    def stock_state(self) -> str:
        return "untracked" if self.in_stock is None else "in" if self.in_stock else "out"


def row_of_hit(hit: SearchHit, doc: SearchDoc | None, corrections: dict[str, str]) -> ProductRow:
    spelled = title_words(f"{hit.title} {readable_category(hit.category)}")
    matched = tuple(Word(term, spelled.get(term, term)) for term in hit.matched_terms)
    typos = tuple(
        Correction(typed, term, spelled.get(term, term))
        for typed, term in corrections.items()
        if term in hit.matched_terms
    )
    return ProductRow(
        product_id=hit.product_id,
        title=hit.title,
        handle=hit.handle,
        category=readable_category(hit.category),
        price=hit.min_price,
        has_range=_has_range(doc),
        in_stock=hit.in_stock,
        matched=matched,
        typos=typos,
        meaning_match=hit.vector_rank is not None,
        cosine=hit.cosine,
    )


def row_of_doc(doc: SearchDoc) -> ProductRow:
    return ProductRow(
        product_id=doc.product_id,
        title=doc.title,
        handle=doc.handle,
        category=readable_category(doc.category),
        price=doc.min_price,
        has_range=_has_range(doc),
        in_stock=doc.in_stock,
    )


def _has_range(doc: SearchDoc | None) -> bool:
    return (
        doc is not None
        and doc.min_price is not None
        and doc.max_price is not None
        and doc.max_price > doc.min_price
    )


@dataclass
class CatalogSearch:
    """What the catalog page shows for a search (``q``) or a filtered browse (filters, no ``q``)."""

    rows: list[ProductRow] = field(default_factory=list)
    total: int = 0  # rows that qualified (a browse shows one page of them)
    result: SearchResult | None = None  # None for a browse
    corrections: list[Correction] = field(default_factory=list)  # typed word -> catalog word


def run_search(ctx: AppContext, query: str, filters: SearchFilters) -> CatalogSearch:
    """The hybrid search for ``query`` (the index is synced first when the catalog changed)."""
    result = search_products(ctx, query, k=SEARCH_LIMIT, filters=filters)
    index = product_index(ctx)  # cached: the price ranges of the hits' documents
    rows = [row_of_hit(hit, index.doc(hit.product_id), result.corrections) for hit in result.hits]
    shown = {typo.typed: typo for row in reversed(rows) for typo in row.typos}  # the best hit's spelling
    corrections = [
        shown.get(typed) or Correction(typed, term, term) for typed, term in result.corrections.items()
    ]
    return CatalogSearch(rows=rows, total=len(rows), result=result, corrections=corrections)


def browse(ctx: AppContext, filters: SearchFilters, *, limit: int, offset: int) -> CatalogSearch:
    """Active products that pass ``filters``, by title: the filters work without search words."""
    index = product_index(ctx)
    mask = index.mask(filters)
    docs = [doc for row, doc in enumerate(index.docs) if mask is None or mask[row]]
    docs.sort(key=lambda doc: (doc.title.casefold(), doc.product_id))
    return CatalogSearch(rows=[row_of_doc(doc) for doc in docs[offset : offset + limit]], total=len(docs))


@dataclass(frozen=True)
class CategoryChoice:
    value: str  # the category path (levels joined by " > "): what the filter matches
    label: str  # the last level, indented by depth
    depth: int


def category_choices(ctx: AppContext, selected: str = "") -> list[CategoryChoice]:
    """The catalog's categories to filter by: every path of active products cut to
    :data:`CATEGORY_DEPTH` levels, with its ancestors, in tree order (the selected one always kept)."""
    with ctx.db.session() as session:
        categories = session.scalars(
            select(Product.category)
            .where(Product.status == "active", Product.category.is_not(None))
            .distinct()
        ).all()
    paths: set[tuple[str, ...]] = set()
    for category in categories:
        parts = category_parts(category or "")[:CATEGORY_DEPTH]
        paths.update(tuple(parts[: depth + 1]) for depth in range(len(parts)))
    ordered = sorted(paths, key=lambda path: [part.casefold() for part in path])[:MAX_CATEGORY_CHOICES]
    choices = [
        CategoryChoice(" > ".join(path), "\u00a0\u00a0" * (len(path) - 1) + path[-1], len(path))
        for path in ordered
    ]
    wanted = readable_category(selected)
    if wanted and all(choice.value.casefold() != wanted.casefold() for choice in choices):
        choices.insert(0, CategoryChoice(wanted, wanted, 1))
    return choices


def selected_category(choices: list[CategoryChoice], category: str) -> str:
    """The choice's spelling of ``category`` (any case, any separator), or the text as typed."""
    wanted = readable_category(category).casefold()
    return next((choice.value for choice in choices if choice.value.casefold() == wanted), category)


@dataclass
class RecommendationPanels:
    """The three panels of a product page; ``error`` says why they could not be computed."""

    recommendations: ProductRecommendations | None = None
    error: str = ""

    def as_values(self) -> dict[str, Any]:
        return {"recs": self.recommendations, "recs_error": self.error}


def recommendation_panels(ctx: AppContext, product_id: int, aspect: str = "") -> RecommendationPanels:
    """Similar, bought-together and fewer-complaint panels for the product. A failure of the search
    index or the embedder is shown in the panels (the product page itself never depends on them)."""
    try:
        found = recommend_for(ctx, product_id, k=RECOMMENDATIONS, aspect=aspect.strip() or None)
    except ShopopsError as exc:
        return RecommendationPanels(error=exc.message)
    return RecommendationPanels(recommendations=found)
