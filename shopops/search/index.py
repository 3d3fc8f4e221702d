"""The product index: BM25 and embedding search over the catalog, fused by reciprocal rank.

BM25 (:mod:`shopops.search.lexical`) finds products that share the query's words, with typo
tolerance for Latin scripts and jieba tokens for Chinese; the embedding (multilingual e5) finds
paraphrases and other languages ("手机没电了" -> a power bank). Each ranks the products on its own
and reciprocal rank fusion adds ``weight / (RRF_K + rank)`` over the top :data:`DEPTH` of each list,
so neither score needs calibrating against the other. Filters (category, price, stock) are a boolean
mask applied before either list ranks, so a filtered search still returns ``k`` hits when ``k``
products qualify.

The index is read-only after :meth:`ProductIndex.build` and safe to search from many threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopops.embed.base import EmbeddingBackend
from shopops.search.documents import category_matches
from shopops.search.lexical import LexicalIndex, QueryTerms
from shopops.search.types import SearchDoc, SearchFilters, SearchHit, SearchMode
from shopops.search.vector import ExactVectorIndex, VectorIndex
from shopops.support.tokens import tokenize

RRF_K = 60
DEPTH = 100  # how many of each list's best take part in the fusion


@dataclass(frozen=True)
class FusionWeights:
    """How much each list counts in the fusion (measured in bench/search.py)."""

    bm25: float = 1.0
    vector: float = 1.0


class ProductIndex:
    """Search documents with their BM25 index, their vector index and the arrays filters read."""

    def __init__(
        self,
        docs: Sequence[SearchDoc],
        lexical: LexicalIndex,
        vectors: VectorIndex,
        embedder: EmbeddingBackend,
        *,
        weights: FusionWeights | None = None,
    ) -> None:
        if len(lexical) != len(docs) or len(vectors) != len(docs):
            raise ValueError(
                f"{len(docs)} documents but {len(lexical)} token rows and {len(vectors)} vectors"
            )
        self.docs: tuple[SearchDoc, ...] = tuple(docs)
        self.lexical = lexical
        self.vectors = vectors
        self.embedder = embedder
        self.embed_model = embedder.model
        self.weights = weights or FusionWeights()
        self._row = {doc.product_id: row for row, doc in enumerate(self.docs)}
        self._min_price = _floats([d.min_price for d in docs])
        self._max_price = _floats([d.max_price for d in docs])
        self._stock = np.array([-1 if d.stock is None else d.stock for d in docs], dtype=np.int64)
        self._tracked = np.array([d.stock is not None for d in docs], dtype=bool)
        # Categories as codes into the distinct category strings: a category filter tests each
        # distinct category once, then picks rows with one vectorised lookup.
        self._category_names, codes = np.unique(
            np.array([d.category for d in docs], dtype=object), return_inverse=True
        )
        self._category_codes = codes.astype(np.int32)

    @classmethod
    def build(
        cls,
        docs: Sequence[SearchDoc],
        token_lists: Sequence[Sequence[str]],
        vectors: np.ndarray | VectorIndex,
        embedder: EmbeddingBackend,
        *,
        weights: FusionWeights | None = None,
    ) -> ProductIndex:
        """An index over ``docs``; ``vectors`` is their embedding matrix (an exact index is made) or
        a ready vector index whose rows follow ``docs``."""
        index = ExactVectorIndex(vectors) if isinstance(vectors, np.ndarray) else vectors
        return cls(docs, LexicalIndex.build(token_lists), index, embedder, weights=weights)

    def __len__(self) -> int:
        return len(self.docs)

    def __repr__(self) -> str:
        return f"ProductIndex({len(self)} products, {self.vectors.name}, {self.embed_model})"

    def row_of(self, product_id: int) -> int | None:
        return self._row.get(product_id)

    def doc(self, product_id: int) -> SearchDoc | None:
        row = self._row.get(product_id)
        return None if row is None else self.docs[row]

    # --- filters ------------------------------------------------------------------------------

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Rows that pass ``filters`` (None: every row). A product without a price fails a price
        bound; one that does not track stock passes ``in_stock``."""
        if filters is None or filters.is_empty():
            return None
        keep = np.ones(len(self.docs), dtype=bool)
        if filters.category:
            wanted = filters.category
            matching = np.array([category_matches(str(c), wanted) for c in self._category_names], dtype=bool)
            keep &= matching[self._category_codes] if len(matching) else False
        with np.errstate(invalid="ignore"):
            if filters.min_price is not None:
                keep &= self._max_price >= filters.min_price
            if filters.max_price is not None:
                keep &= self._min_price <= filters.max_price
        if filters.in_stock is True:
            keep &= ~self._tracked | (self._stock > 0)
        elif filters.in_stock is False:
            keep &= self._tracked & (self._stock <= 0)
        return keep

    # --- search -------------------------------------------------------------------------------

    def query_terms(self, query: str, extra_terms: Sequence[str] = ()) -> QueryTerms:
        return self.lexical.expand([*tokenize(query), *(t for term in extra_terms for t in tokenize(term))])

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        query_vector: np.ndarray | None = None,
        extra_terms: Sequence[str] = (),
    ) -> list[SearchHit]:
        """The ``k`` best products for ``query`` that pass ``filters``, best first.

        ``extra_terms`` add BM25 terms (a query rewrite's keywords); ``query_vector`` saves
        embedding the query again when the caller already has it."""
        if k <= 0 or not self.docs or not query.strip():
            return []
        allowed = self.mask(filters)
        if allowed is not None and not allowed.any():
            return []
        terms = self.query_terms(query, extra_terms)
        bm25_rank: dict[int, int] = {}
        vector_rank: dict[int, int] = {}
        cosines: dict[int, float] = {}
        if mode in ("hybrid", "bm25"):
            scores = self.lexical.scores(terms)
            if allowed is not None:
                scores = np.where(allowed, scores, 0.0)
            bm25_rank = {int(i): r for r, i in enumerate(_top_positive(scores, DEPTH), start=1)}
        if mode in ("hybrid", "vector"):
            vector = self.embedder.embed_query(query) if query_vector is None else query_vector
            rows, sims = self.vectors.search(np.asarray(vector, dtype=np.float32), DEPTH, allowed=allowed)
            vector_rank = {int(i): r for r, i in enumerate(rows, start=1)}
            cosines = {int(i): float(s) for i, s in zip(rows, sims, strict=True)}
        fused: dict[int, float] = {}
        for ranks, weight in ((bm25_rank, self.weights.bm25), (vector_rank, self.weights.vector)):
            for row, rank in ranks.items():
                fused[row] = fused.get(row, 0.0) + weight / (RRF_K + rank)
        best = sorted(fused, key=lambda row: (-fused[row], -cosines.get(row, -2.0), row))[:k]
        return [self._hit(row, fused[row], bm25_rank, vector_rank, cosines, terms) for row in best]

    def _hit(
        self,
        row: int,
        score: float,
        bm25_rank: dict[int, int],
        vector_rank: dict[int, int],
        cosines: dict[int, float],
        terms: QueryTerms,
    ) -> SearchHit:
        doc = self.docs[row]
        return SearchHit(
            product_id=doc.product_id,
            handle=doc.handle,
            title=doc.title,
            score=score,
            bm25_rank=bm25_rank.get(row),
            vector_rank=vector_rank.get(row),
            cosine=cosines.get(row),
            matched_terms=self.lexical.matched(row, terms) if row in bm25_rank else (),
            category=doc.category,
            min_price=doc.min_price,
            in_stock=doc.in_stock,
        )

    def neighbours(self, product_id: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosines of the ``k`` products whose embeddings are closest to this product's."""
        row = self._row.get(product_id)
        if row is None:
            raise KeyError(product_id)
        return self.vectors.neighbours(row, k)


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if value is None else value for value in values], dtype=float)


def _top_positive(scores: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the ``depth`` highest positive scores, best first (ties: lower index first)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > depth:
        part = np.argpartition(-scores[candidates], depth - 1)[:depth]
        candidates = candidates[part]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]
