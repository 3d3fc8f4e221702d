"""The lexical half of product search: BM25 over product tokens, with typo tolerance for Latin words.

:meth:`LexicalIndex.build` turns one token list per product (from
:func:`shopops.support.tokens.tokenize`) into a sparse docs x terms matrix whose entries are already
the finished BM25 contributions (k1=1.5, b=0.75, Lucene's idf ``log(1 + (N - df + 0.5)/(df + 0.5))``,
which never goes negative). The matrix is CSC with float32 values and int32 indices: a query term is
one column, and its rows and values are two contiguous slices, so scoring a query is one scatter-add
per query term whatever the catalog size. Building is vectorised (one pass of C-level dict look-ups
to number the tokens, then numpy and a COO -> CSC conversion that counts term frequencies).

:meth:`LexicalIndex.expand` turns query tokens into weighted vocabulary terms. A token in the
vocabulary weighs 1.0. A token of ASCII letters, at least 4 long and not in the vocabulary is
matched to the vocabulary term within Damerau-Levenshtein distance (optimal string alignment) 1,
or 2 for tokens of 8 letters or more; the closest wins, then the one in more products. A
correction weighs 0.7 at distance 1 and 0.5 at distance 2, so an exact match still ranks first.
Numbers, tokens with digits (model codes, sizes) and Chinese tokens are never corrected: "500ml"
is not a typo of "600ml", and one Han character changes the meaning of a word. Tokens are stemmed
by ``tokenize`` before they get here ("speakers" -> "speaker"), so corrections compare stems with
stems; the stemmer is applied the same way to the catalog and the query, so that is consistent.

Candidates come from a SymSpell-style deletion neighbourhood: every vocabulary term is filed under
the strings left after deleting up to 1 (terms under 6 letters) or 2 letters from its first
:data:`PREFIX_LENGTH` letters; a query token looks up its own deletions the same way and the few
candidates found are checked with the exact distance. The neighbourhood stores 64-bit string hashes
in sorted numpy arrays, not strings, so a vocabulary of 100,000 terms costs tens of megabytes; a
hash collision only adds a candidate that the exact check rejects. It is built on the first query
that needs it, once, under a lock. The index is otherwise read-only and safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse

__all__ = [
    "BM25_B",
    "BM25_K1",
    "LexicalIndex",
    "QueryTerms",
    "osa_distance",
]

BM25_K1 = 1.5
BM25_B = 0.75
EXACT_WEIGHT = 1.0
CORRECTION_WEIGHTS: dict[int, float] = {1: 0.7, 2: 0.5}
MIN_CORRECTED_LENGTH = 4  # shorter tokens ("cup", "mug", "usb") have too many neighbours to guess
LONG_TOKEN_LENGTH = 8  # from this length a token may be two edits away from its term
PREFIX_LENGTH = 7  # deletions are taken from this many leading letters (SymSpell's prefix length)


@dataclass(frozen=True)
class QueryTerms:
    """A query as vocabulary terms: ``weights`` term -> weight (1.0 as typed, less when it is a
    correction); ``corrections`` maps each corrected query token to the vocabulary term used."""

    weights: dict[str, float] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.weights


class LexicalIndex:
    """BM25 over products' token lists. Build with :meth:`build`; row ``i`` is the ``i``-th list."""

    def __init__(self, matrix: sparse.csc_array, vocabulary: dict[str, int]) -> None:
        if matrix.shape[1] != len(vocabulary):
            raise ValueError(f"matrix has {matrix.shape[1]} columns for {len(vocabulary)} terms")
        self.matrix = matrix
        self._vocabulary = vocabulary
        self._terms: tuple[str, ...] = tuple(vocabulary)
        self._document_frequency = np.diff(matrix.indptr).astype(np.int32)
        self._neighbourhood: _DeletionNeighbourhood | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]]) -> LexicalIndex:
        """The BM25 index of ``token_lists`` (one list per document, repeats counted)."""
        count = len(token_lists)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=count)
        total = int(lengths.sum())
        # Numbering terms in first-seen order: dict.fromkeys and map(get) run at C speed, no Python
        # loop over the tokens themselves.
        vocabulary = {term: i for i, term in enumerate(dict.fromkeys(chain.from_iterable(token_lists)))}
        term_ids = np.fromiter(
            map(vocabulary.__getitem__, chain.from_iterable(token_lists)), dtype=np.int32, count=total
        )
        doc_ids = np.repeat(np.arange(count, dtype=np.int32), lengths)
        # COO -> CSC sums the repeated (doc, term) pairs: the data becomes the term frequencies.
        counts = sparse.coo_array(
            (np.ones(total, dtype=np.float32), (doc_ids, term_ids)), shape=(count, len(vocabulary))
        ).tocsc()
        counts.sum_duplicates()
        counts.sort_indices()
        document_frequency = np.diff(counts.indptr)
        idf = np.log1p((count - document_frequency + 0.5) / (document_frequency + 0.5))
        average = float(lengths.mean()) if total else 1.0
        norms = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / average)
        tf = counts.data.astype(np.float64)
        term_of_entry = np.repeat(np.arange(len(vocabulary)), document_frequency)
        contribution = idf[term_of_entry] * tf * (BM25_K1 + 1.0) / (tf + norms[counts.indices])
        matrix = sparse.csc_array(
            (contribution.astype(np.float32), counts.indices, counts.indptr),
            shape=(count, len(vocabulary)),
        )
        if matrix.nnz < np.iinfo(np.int32).max:  # scipy may pick int64; int32 halves the indices
            matrix.indices = matrix.indices.astype(np.int32, copy=False)
            matrix.indptr = matrix.indptr.astype(np.int32, copy=False)
        return cls(matrix, vocabulary)

    # --- the vocabulary -----------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def __repr__(self) -> str:
        return f"LexicalIndex({len(self)} documents, {self.vocabulary_size} terms)"

    @property
    def vocabulary_size(self) -> int:
        return len(self._terms)

    def document_frequency(self, term: str) -> int:
        """In how many documents ``term`` occurs (0 when it is not in the vocabulary)."""
        column = self._vocabulary.get(term)
        return 0 if column is None else int(self._document_frequency[column])

    # --- queries ------------------------------------------------------------------------------

    def expand(self, query_tokens: Sequence[str]) -> QueryTerms:
        """The vocabulary terms of ``query_tokens``, each distinct token once, typos corrected."""
        weights: dict[str, float] = {}
        corrections: dict[str, str] = {}
        for token in dict.fromkeys(query_tokens):
            if token in self._vocabulary:
                weights[token] = EXACT_WEIGHT
                continue
            if not _correctable(token):
                continue
            found = self._correct(token)
            if found is not None:
                term, distance = found
                weights[term] = max(weights.get(term, 0.0), CORRECTION_WEIGHTS[distance])
                corrections[token] = term
        return QueryTerms(weights=weights, corrections=corrections)

    def scores(self, terms: QueryTerms) -> np.ndarray:
        """BM25 of every document (float32, one per row): sum over terms of weight x its column."""
        scores = np.zeros(len(self), dtype=np.float32)
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        for term, weight in terms.weights.items():
            column = self._vocabulary.get(term)
            if column is None:
                continue
            start, end = indptr[column], indptr[column + 1]
            # A column lists each document once, so a fancy-index add is exact (no np.add.at needed).
            scores[indices[start:end]] += np.float32(weight) * data[start:end]
        return scores

    def matched(self, doc_index: int, terms: QueryTerms) -> tuple[str, ...]:
        """The query's vocabulary terms that document ``doc_index`` contains, in query order."""
        if not 0 <= doc_index < len(self):
            raise IndexError(f"document {doc_index} out of range for an index of {len(self)}")
        indptr, indices = self.matrix.indptr, self.matrix.indices
        found: list[str] = []
        for term in terms.weights:
            column = self._vocabulary.get(term)
            if column is None:
                continue
            rows = indices[indptr[column] : indptr[column + 1]]  # sorted: a binary search suffices
            position = int(np.searchsorted(rows, doc_index))
            if position < len(rows) and rows[position] == doc_index:
                found.append(term)
        return tuple(found)

    # --- typo tolerance -----------------------------------------------------------------------

    def _correct(self, token: str) -> tuple[str, int] | None:
        """The vocabulary term closest to ``token`` within its allowed distance, with the distance."""
        limit = 2 if len(token) >= LONG_TOKEN_LENGTH else 1
        best: tuple[int, int, str] | None = None  # (distance, -df, term): smallest wins
        for term_id in self._neighbours().candidates(token, limit):
            term = self._terms[term_id]
            distance = osa_distance(token, term)
            if distance > limit:
                continue
            key = (distance, -int(self._document_frequency[term_id]), term)
            if best is None or key < best:
                best = key
        return None if best is None else (best[2], best[0])

    def _neighbours(self) -> _DeletionNeighbourhood:
        if self._neighbourhood is None:
            with self._lock:
                if self._neighbourhood is None:
                    self._neighbourhood = _DeletionNeighbourhood.build(self._terms)
        return self._neighbourhood

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_neighbourhood"] = None  # rebuilt on demand: it holds per-process string hashes
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _correctable(token: str) -> bool:
    """Only Latin words are corrected: ASCII letters, at least :data:`MIN_CORRECTED_LENGTH` long."""
    return len(token) >= MIN_CORRECTED_LENGTH and token.isascii() and token.isalpha()


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string left by deleting up to ``depth`` of its letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class _DeletionNeighbourhood:
    """Vocabulary term ids filed under the hashes of their prefix's deletions (sorted arrays).

    Two words within edit distance ``d`` share a string reachable by at most ``d`` deletions from
    each one's first :data:`PREFIX_LENGTH` letters, so looking up the query's own deletions finds
    every term within ``d`` (and some that are not, which the caller's exact check removes).
    """

    def __init__(self, keys: np.ndarray, term_ids: np.ndarray) -> None:
        self.keys = keys
        self.term_ids = term_ids

    @classmethod
    def build(cls, terms: Sequence[str]) -> _DeletionNeighbourhood:
        keys: list[int] = []
        owners: list[np.ndarray] = []
        # Only Latin terms a correction may reach: a 4-letter token at distance 1 reaches 3 letters.
        for term_id, term in enumerate(terms):
            if len(term) < MIN_CORRECTED_LENGTH - 1 or not (term.isascii() and term.isalpha()):
                continue
            # Terms under 6 letters are only within reach of tokens under 8 (one edit allowed).
            depth = 2 if len(term) >= LONG_TOKEN_LENGTH - 2 else 1
            hashes = list(map(hash, _deletions(term[:PREFIX_LENGTH], depth)))
            keys.extend(hashes)
            owners.append(np.full(len(hashes), term_id, dtype=np.int32))
        key_array = np.array(keys, dtype=np.int64)
        id_array = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32)
        order = np.argsort(key_array, kind="stable")
        return cls(key_array[order], id_array[order])

    def candidates(self, token: str, limit: int) -> Iterable[int]:
        """Term ids that may lie within ``limit`` edits of ``token`` (each once)."""
        probes = np.array(list(map(hash, _deletions(token[:PREFIX_LENGTH], limit))), dtype=np.int64)
        starts = np.searchsorted(self.keys, probes, side="left")
        ends = np.searchsorted(self.keys, probes, side="right")
        if not (ends > starts).any():
            return ()
        found = np.concatenate([self.term_ids[s:e] for s, e in zip(starts, ends, strict=True) if e > s])
        return np.unique(found).tolist()


def osa_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
    substitutions and transpositions of two adjacent letters each cost 1, no substring edited twice."""
    if first == second:
        return 0
    before_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        current = [i] + [0] * len(second)
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                value = min(value, before_previous[j - 2] + 1)
            current[j] = value
        before_previous, previous = previous, current
    return previous[-1]
