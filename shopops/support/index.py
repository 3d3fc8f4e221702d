"""Hybrid retrieval over knowledge passages: BM25 and embedding cosine, fused by reciprocal rank.

BM25 finds the passages that share the question's words (order numbers, "30 days", product names,
Chinese terms); the embedding finds paraphrases that share none. Each ranks the passages on its own,
and reciprocal rank fusion (RRF, k=60) adds ``1 / (60 + rank)`` over the top :data:`DEPTH` of each
list: a passage near the top of both lists beats one that only one list likes, and neither score
needs calibrating against the other.

BM25 is computed here (k1=1.5, b=0.75, the Lucene idf that never goes negative) over an inverted
index whose postings already hold each term's finished score contribution, so a query is one
scatter-add per query term; the cosine is one matrix-vector product over the passages' unit vectors.
For a few hundred passages a search takes well under a millisecond besides the query's embedding.

The index is plain in-memory data, read-only after build and safe to search from many threads.
Persisting chunks and incremental re-indexing live in :mod:`shopops.support.kb_store`; its
:func:`sync_knowledge` and :func:`load_index` are re-exported here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from shopops.embed.base import EmbeddingBackend
from shopops.support.chunking import DocumentText, chunk_document, searchable_text
from shopops.support.tokens import tokenize
from shopops.support.types import Hit, Passage

__all__ = [
    "KnowledgeIndex",
    "SyncReport",
    "clear_index_cache",
    "load_index",
    "sync_knowledge",
]

BM25_K1 = 1.5
BM25_B = 0.75
RRF_K = 60
DEPTH = 50  # how many of each list's best take part in the fusion


class KnowledgeIndex:
    """Passages with their BM25 postings and unit embedding vectors. Build with :meth:`build`."""

    def __init__(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        embedder: EmbeddingBackend,
        token_lists: Sequence[Sequence[str]],
    ) -> None:
        if vectors.shape[0] != len(passages) or len(token_lists) != len(passages):
            raise ValueError(f"{len(passages)} passages but {vectors.shape[0]} vectors")
        self.passages: tuple[Passage, ...] = tuple(passages)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.embedder = embedder
        self.embed_model = embedder.model
        self._token_sets = tuple(frozenset(tokens) for tokens in token_lists)
        self._postings = _bm25_postings(token_lists)

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        passages: Sequence[Passage],
        embedder: EmbeddingBackend,
        embeddings: np.ndarray | None = None,
    ) -> KnowledgeIndex:
        """An index of ``passages``; ``embeddings`` (one unit row per passage, made by ``embedder``'s
        model) are used as given, otherwise the passages are embedded now."""
        texts = [searchable_text(p) for p in passages]
        if embeddings is None:
            vectors = embedder.embed_passages(texts)
        else:
            vectors = np.asarray(embeddings, dtype=np.float32)
            if vectors.ndim != 2 or vectors.shape != (len(passages), embedder.dim):
                raise ValueError(
                    f"embeddings of shape {vectors.shape} for {len(passages)} passages; "
                    f"expected ({len(passages)}, {embedder.dim}) from {embedder.model}"
                )
        return cls(passages, vectors, embedder, [tokenize(text) for text in texts])

    @classmethod
    def from_documents(cls, docs: Iterable[DocumentText], embedder: EmbeddingBackend) -> KnowledgeIndex:
        """Chunk and embed documents (tests, evaluation, one-off contexts: nothing is stored)."""
        return cls.build([p for doc in docs for p in chunk_document(doc)], embedder)

    def with_embedder(self, embedder: EmbeddingBackend) -> KnowledgeIndex:
        """The same index (shared arrays, nothing rebuilt) embedding queries with ``embedder``, which
        must run the same model: a cached index outlives the backend instance that built it."""
        if embedder is self.embedder:
            return self
        if embedder.model != self.embed_model or embedder.dim != self.vectors.shape[1]:
            raise ValueError(f"index embedded with {self.embed_model}, not {embedder.model}")
        view = object.__new__(KnowledgeIndex)
        view.__dict__.update(self.__dict__)
        view.embedder = embedder
        return view

    def __len__(self) -> int:
        return len(self.passages)

    def __repr__(self) -> str:
        return f"KnowledgeIndex({len(self)} passages, {len(self._postings)} terms, {self.embed_model})"

    # --- search -------------------------------------------------------------------------------

    def bm25_scores(self, tokens: Iterable[str]) -> np.ndarray:
        """BM25 of every passage for the query ``tokens`` (each distinct token counted once)."""
        scores = np.zeros(len(self.passages), dtype=np.float32)
        for token in dict.fromkeys(tokens):
            posting = self._postings.get(token)
            if posting is not None:
                scores[posting[0]] += posting[1]
        return scores

    def search(self, query: str, k: int = 5, *, query_vector: np.ndarray | None = None) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first. ``query_vector`` saves embedding the
        query again when the caller already has it (from the same model)."""
        if k <= 0 or not self.passages or not query.strip():
            return []
        tokens = tokenize(query)
        bm25 = self.bm25_scores(tokens)
        vector = self.embedder.embed_query(query) if query_vector is None else query_vector
        cosine = self.vectors @ np.asarray(vector, dtype=np.float32)
        bm25_top = _top(bm25, DEPTH, positive_only=True)
        vector_top = _top(cosine, DEPTH)
        bm25_rank = {int(i): rank for rank, i in enumerate(bm25_top, start=1)}
        vector_rank = {int(i): rank for rank, i in enumerate(vector_top, start=1)}
        fused: dict[int, float] = {}
        for ranks in (bm25_rank, vector_rank):
            for i, rank in ranks.items():
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        wanted = set(tokens)
        coverage = {i: self._coverage(wanted, i) for i in fused}
        # Equal fused scores (rank 1 in one list and 2 in the other, and the reverse) are common
        # among near-duplicate FAQ entries: the passage holding more of the query's words goes
        # first, then the closer embedding (on the shared FAQ this beat a BM25 tie-break, 96% to 94%).
        best = sorted(fused, key=lambda i: (-fused[i], -coverage[i], -float(cosine[i]), i))
        return [
            Hit(
                passage=self.passages[i],
                score=fused[i],
                bm25=float(bm25[i]),
                cosine=float(cosine[i]),
                bm25_rank=bm25_rank.get(i),
                vector_rank=vector_rank.get(i),
                coverage=coverage[i],
            )
            for i in best[:k]
        ]

    def _coverage(self, wanted: set[str], index: int) -> float:
        """Share of the query's distinct content tokens that occur in passage ``index``."""
        return len(wanted & self._token_sets[index]) / len(wanted) if wanted else 0.0


def _bm25_postings(token_lists: Sequence[Sequence[str]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """term -> (passage indices, that term's BM25 contribution in each passage)."""
    count = len(token_lists)
    lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.float32)
    average = float(lengths.mean()) if count and lengths.sum() > 0 else 1.0
    norms = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / average)
    by_term: dict[str, tuple[list[int], list[int]]] = {}
    for index, tokens in enumerate(token_lists):
        for term, tf in Counter(tokens).items():
            entry = by_term.setdefault(term, ([], []))
            entry[0].append(index)
            entry[1].append(tf)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for term, (indices, tfs) in by_term.items():
        ids = np.array(indices, dtype=np.int32)
        tf = np.array(tfs, dtype=np.float32)
        idf = math.log(1.0 + (count - len(indices) + 0.5) / (len(indices) + 0.5))
        postings[term] = (ids, (idf * tf * (BM25_K1 + 1.0) / (tf + norms[ids])).astype(np.float32))
    return postings


def _top(scores: np.ndarray, depth: int, *, positive_only: bool = False) -> np.ndarray:
    """Indices of the ``depth`` highest scores, best first (ties: lower index first)."""
    candidates = np.flatnonzero(scores > 0) if positive_only else np.arange(len(scores))
    if len(candidates) > depth:
        part = np.argpartition(-scores[candidates], depth - 1)[:depth]
        candidates = candidates[part]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


# Re-exported last: kb_store imports this module only inside its functions, so either may load first.
from shopops.support.kb_store import (  # noqa: E402
    SyncReport,
    clear_index_cache,
    load_index,
    sync_knowledge,
)
