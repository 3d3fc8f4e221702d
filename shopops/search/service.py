"""Product search as the CLI, API and web pages use it: the kept-in-step index and the search call.

:func:`product_index` keeps one :class:`ProductIndex` per database, embedding model and vector
backend in the process. A stamp (product and variant counts and latest updates, stored rows) tells
when the catalog changed; then the stale products are synced (only they are embedded) and the index
is rebuilt from the stored tokens and embeddings, which costs no embedding. The stamp's aggregates
scan the catalog (about 10 ms at 100,000 products, far more while an import writes), so a search
reads it at most every :data:`STAMP_TTL_S` seconds: a catalog change shows in search within that.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from shopops.context import AppContext
from shopops.ingest.base import ProgressFn
from shopops.search.documents import load_documents
from shopops.search.index import ProductIndex
from shopops.search.lexical import LexicalIndex
from shopops.search.rewrite import Rewrite, is_long, merge_filters, rewrite_query
from shopops.search.store import catalog_stamp, read_rows, sync_search_index
from shopops.search.types import SearchDoc, SearchFilters, SearchHit, SearchMode
from shopops.search.vector import ExactVectorIndex, VectorIndex, create_vector_index

STAMP_TTL_S = 2.0

_cache: dict[tuple[str, str, str], tuple[tuple[Any, ...], ProductIndex, float]] = {}
_cache_lock = threading.Lock()


def clear_index_cache() -> None:
    with _cache_lock:
        _cache.clear()


def product_index(
    ctx: AppContext, progress: ProgressFn | None = None, *, max_age: float | None = None
) -> ProductIndex:
    """The search index of the catalog, synced and (re)built when the catalog changed; the catalog
    is looked at again when the last look is older than ``max_age`` seconds (default
    :data:`STAMP_TTL_S`; 0: now)."""
    max_age = STAMP_TTL_S if max_age is None else max_age
    embedder = ctx.embedder
    kind = ctx.settings.search_vector_index
    key = (ctx.settings.effective_database_url, embedder.model, kind)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and time.monotonic() - cached[2] < max_age:
            return cached[1]
        stamp = catalog_stamp(ctx.db, embedder.model)
        if cached is not None and cached[0] == stamp:
            _cache[key] = (stamp, cached[1], time.monotonic())
            return cached[1]
        sync_search_index(ctx.db, embedder, progress)
        stamp = catalog_stamp(ctx.db, embedder.model)
        index = build_index(ctx, stamp)
        _cache[key] = (stamp, index, time.monotonic())
        return index


def build_index(ctx: AppContext, stamp: tuple[Any, ...] | None = None) -> ProductIndex:
    """An index from the stored rows (products not yet synced are left out, not embedded here)."""
    embedder = ctx.embedder
    with ctx.db.session() as session:
        docs = load_documents(session)
    rows = read_rows(ctx.db, [doc.product_id for doc in docs], embedder.model, embedder.dim)
    present = set(rows.product_ids)
    kept: list[SearchDoc] = [doc for doc in docs if doc.product_id in present]
    vectors = _vector_index(ctx, rows.vectors, stamp)
    return ProductIndex(kept, LexicalIndex.build(rows.token_lists), vectors, embedder)


def _vector_index(ctx: AppContext, vectors: Any, stamp: tuple[Any, ...] | None) -> VectorIndex:
    kind = ctx.settings.search_vector_index
    if kind == "exact":
        return ExactVectorIndex(vectors)
    directory = ctx.settings.data_dir / "search" / kind
    return create_vector_index(kind, vectors, directory)


@dataclass
class SearchResult:
    """A search's hits with what shaped them: the filters applied, typo corrections, the rewrite."""

    query: str
    mode: SearchMode
    hits: list[SearchHit]
    filters: SearchFilters
    corrections: dict[str, str] = field(default_factory=dict)
    rewrite: Rewrite | None = None
    products: int = 0
    took_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        rewrite = None
        if self.rewrite is not None:
            rewrite = {"keywords": list(self.rewrite.keywords), "dropped": list(self.rewrite.dropped)}
        return {
            "query": self.query,
            "mode": self.mode,
            "filters": {
                "category": self.filters.category,
                "min_price": self.filters.min_price,
                "max_price": self.filters.max_price,
                "in_stock": self.filters.in_stock,
            },
            "corrections": self.corrections,
            "rewrite": rewrite,
            "products": self.products,
            "took_ms": round(self.took_ms, 2),
            "hits": [hit.as_dict() for hit in self.hits],
        }


def wants_rewrite(ctx: AppContext, query: str, rewrite: bool | None) -> bool:
    """An explicit choice wins; otherwise the ``search_rewrite`` setting (off | long | always)."""
    if rewrite is not None:
        return rewrite
    setting = ctx.settings.search_rewrite
    return setting == "always" or (setting == "long" and is_long(query))


def search_products(
    ctx: AppContext,
    query: str,
    *,
    k: int = 10,
    filters: SearchFilters | None = None,
    mode: SearchMode = "hybrid",
    rewrite: bool | None = None,
) -> SearchResult:
    """Search the catalog (kept in step first). ``rewrite`` forces the LLM rewrite on or off."""
    started = time.perf_counter()
    index = product_index(ctx)
    applied = filters or SearchFilters()
    checked: Rewrite | None = None
    if query.strip() and wants_rewrite(ctx, query, rewrite):
        categories = sorted({doc.category for doc in index.docs if doc.category})
        checked = rewrite_query(ctx.llm, query, categories)
        applied = merge_filters(filters, checked)
    extra = checked.keywords if checked is not None and mode != "vector" else ()
    hits = index.search(query, k=k, filters=applied, mode=mode, extra_terms=extra)
    corrections = dict(index.query_terms(query).corrections) if mode != "vector" else {}
    return SearchResult(
        query=query,
        mode=mode,
        hits=hits,
        filters=applied,
        corrections=corrections,
        rewrite=checked,
        products=len(index),
        took_ms=(time.perf_counter() - started) * 1000,
    )
