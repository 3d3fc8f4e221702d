"""Vector indexes over product embeddings: exact numpy (the default), sqlite-vec, LanceDB.

Every backend answers the same two questions over unit-length float32 rows (a dot product is the
cosine): the ``k`` rows closest to a query, optionally only among ``allowed`` rows (the filter mask
of a search), and the ``k`` rows closest to a given row. Results are (row indices int64, cosines
float32), best first, ties broken by the lower row.

Which backend, by measurement (``bench/vector_index.py``: 384-d e5 vectors, k=10, 2 cores shared
with other work; figures at 100k rows, vector search alone):

* ``exact`` — one float32 matrix-vector product and a partial sort: 16–19 ms p50 (up to ~40 ms on
  a busy machine; it reads all 154 MB of vectors, so it is memory-bandwidth bound), recall 1 by
  definition, no dependency, nothing to tune; persisted as a ``.npy`` file. The default: with the
  query's embedding (~20–30 ms) it meets the issue's 50 ms on idle cores at 100k products.
* ``sqlite-vec`` — a ``vec0`` virtual table in one SQLite file, opened through ``apsw`` (Python's
  own ``sqlite3`` here cannot load extensions). sqlite-vec 0.1 searches by brute force in C, 4–5x
  slower than numpy (150+ ms). A mask becomes ``rowid IN (SELECT value FROM json_each(?))``
  inside the KNN query: 47–88 ms (random vectors, 1–50 % of rows allowed) against 94 ms
  unfiltered, exact, and never short of ``k`` rows, so it beats over-fetching (which re-queries
  when too few fetched rows pass; sqlite-vec also caps ``k`` at 4096).
* ``lancedb`` — a Lance table (id, vector) in a directory. Below ``ann_threshold`` rows a flat
  scan (LanceDB's is 20–30x slower than numpy's at 10k rows); above it an ``IVF_HNSW_SQ`` index
  with few, large partitions (one per 25k rows; at least 4 and half of them probed), HNSW ``ef`` 64
  and ``refine_factor`` 5 (the candidates re-ranked on the full vectors): recall@10 0.99 at 6–7 ms,
  built in 100–140 s. Many small partitions lose recall (one per 4k rows with 10 of 24 probed:
  0.92). ``IVF_PQ`` (48 sub-vectors, one partition per 1.5k rows, a quarter probed) needs
  ``refine_factor`` 40 to pass 0.95 (0.96–0.98 at 11–13 ms) and builds no faster, so HNSW_SQ is the
  default and PQ stays selectable. These settings were measured at 100k rows only. A mask is
  applied by over-fetching (at least ``4k``, more when few rows are allowed, growing 4x) and
  filtering; when few rows are allowed (``vector_disk.EXACT_FALLBACK_ROWS``) or the fetch would pass
  ``vector_disk.MAX_FETCH``, the allowed rows' vectors are read and ranked exactly. Lance's own
  ``id IN (...)`` prefilter took 300+ ms on a flat table.

Indexes are read-only after they are built and may be searched from several threads.

This module holds the protocol, the shared validation and ranking, the exact backend and the
factory; the on-disk backends live in :mod:`shopops.search.vector_disk` and the benchmark in
:mod:`shopops.search.vector_bench`. Their public names are importable from here too (loaded on
first use, so importing this module needs none of the optional packages).
"""

from __future__ import annotations

import importlib
import math
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from shopops.errors import ConfigError, InputError, NotFoundError

if TYPE_CHECKING:
    from shopops.search.vector_bench import BackendReport as BackendReport
    from shopops.search.vector_bench import compare_backends as compare_backends
    from shopops.search.vector_bench import recall_at_k as recall_at_k
    from shopops.search.vector_disk import EXACT_FALLBACK_ROWS as EXACT_FALLBACK_ROWS
    from shopops.search.vector_disk import LANCE_META as LANCE_META
    from shopops.search.vector_disk import LANCE_TABLE as LANCE_TABLE
    from shopops.search.vector_disk import MAX_FETCH as MAX_FETCH
    from shopops.search.vector_disk import SQLITE_VEC_MAX_K as SQLITE_VEC_MAX_K
    from shopops.search.vector_disk import LanceVectorIndex as LanceVectorIndex
    from shopops.search.vector_disk import SqliteVecIndex as SqliteVecIndex
    from shopops.search.vector_disk import lance_settings as lance_settings

VectorKind = Literal["exact", "sqlite-vec", "lancedb"]
VECTOR_KINDS: tuple[VectorKind, ...] = ("exact", "sqlite-vec", "lancedb")
LanceIndexType = Literal["IVF_HNSW_SQ", "IVF_PQ"]

UNIT_TOLERANCE = 1e-2  # |norm - 1| allowed for a row or a query
EXACT_FILE = "vectors.npy"
SQLITE_FILE = "vectors.sqlite"
INSTALL_HINT = "pip install 'shopops[vector]' (or the package named above)"


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest rows by cosine. ``allowed`` is a bool mask over the rows; only those may come back."""

    name: str

    def __len__(self) -> int: ...

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def neighbours(self, row: int, k: int) -> tuple[np.ndarray, np.ndarray]: ...


# -- validation and ranking shared by the backends --------------------------------------------------


def as_unit_matrix(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as a C-contiguous float32 ``(n, dim)`` matrix of unit rows, or a clear error."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise InputError(f"vectors must be a 2-D (rows, dim) matrix; got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise InputError("vectors contain NaN or infinite values")
    norms = np.linalg.norm(matrix, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > UNIT_TOLERANCE)
    if bad.size:
        raise InputError(
            f"{bad.size} vector row(s) are not unit length (row {int(bad[0])} has norm {norms[bad[0]]:.4f})",
            hint="normalise them first: shopops.embed.base.l2_normalise(vectors)",
        )
    return matrix


def _as_query(query: np.ndarray, dim: int) -> np.ndarray:
    vector = np.asarray(query, dtype=np.float32)
    if vector.ndim == 2 and vector.shape[0] == 1:
        vector = vector[0]
    if vector.shape != (dim,):
        raise InputError(f"query must be a vector of {dim} values; got shape {vector.shape}")
    norm = float(np.linalg.norm(vector))
    if not math.isfinite(norm) or abs(norm - 1.0) > UNIT_TOLERANCE:
        raise InputError(
            f"query vector has norm {norm:.4f}; expected a unit vector",
            hint="embed queries with an EmbeddingBackend (its rows are L2-normalised)",
        )
    return np.ascontiguousarray(vector)


def _as_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k must be a positive integer; got {k!r}")
    return int(k)


def _as_mask(allowed: np.ndarray | None, n: int) -> np.ndarray | None:
    if allowed is None:
        return None
    mask = np.asarray(allowed)
    if mask.dtype != np.bool_ or mask.shape != (n,):
        raise InputError(f"allowed must be a bool mask of {n} rows; got {mask.dtype} {mask.shape}")
    return mask


def top_k(scores: np.ndarray, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` highest ``scores`` (of ``rows``, default 0..n-1): rows int64 and scores float32, best
    first, ties by lower row. -inf scores never come back."""
    scores = np.asarray(scores, dtype=np.float32)
    ids = np.arange(scores.size, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    finite = scores > -np.inf
    if not finite.all():
        scores, ids = scores[finite], ids[finite]
    if k < scores.size:  # keep every score tied with the k-th so ties are settled by row below
        kth = np.partition(scores, scores.size - k)[scores.size - k]
        keep = np.flatnonzero(scores >= kth)
        scores, ids = scores[keep], ids[keep]
    order = np.lexsort((ids, -scores))[:k]
    return ids[order], scores[order]


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


class _IndexBase(ABC):
    """Validation and ``neighbours`` for every backend; subclasses rank in :meth:`_search`."""

    name = "base"
    dim = 0
    count = 0

    def __len__(self) -> int:
        return self.count

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows closest to ``query`` (fewer when fewer rows are allowed), best first."""
        k = _as_k(k)
        mask = _as_mask(allowed, self.count)
        vector = _as_query(query, self.dim)
        if self.count == 0 or (mask is not None and not mask.any()):
            return _empty()
        if mask is not None and mask.all():
            mask = None
        return self._search(vector, min(k, self.count), mask)

    def neighbours(self, row: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows closest to ``row``'s vector, the row itself left out."""
        k = _as_k(k)
        if isinstance(row, bool) or not isinstance(row, int | np.integer) or not 0 <= row < self.count:
            raise NotFoundError(f"row {row!r} is not in this index of {self.count} rows")
        rows, cosines = self._search(self.vector(int(row)), min(k + 1, self.count), None)
        other = rows != row
        return rows[other][:k], cosines[other][:k]

    @abstractmethod
    def vector(self, row: int) -> np.ndarray:
        """The stored unit vector of ``row``."""

    @abstractmethod
    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The backend's own top-``k`` search (arguments already checked)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.count} rows, dim {self.dim})"


# -- exact -------------------------------------------------------------------------------------------


class ExactVectorIndex(_IndexBase):
    """All rows in memory; a search is one matrix-vector product and a partial sort."""

    name = "exact"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = as_unit_matrix(vectors)
        self.count, self.dim = self.vectors.shape

    def vector(self, row: int) -> np.ndarray:
        return self.vectors[row]

    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if mask is None:
            return top_k(self.vectors @ query, k)
        allowed = np.flatnonzero(mask)
        if allowed.size * 4 <= self.count:  # few rows: multiply only those
            return top_k(self.vectors[allowed] @ query, k, allowed)
        scores = self.vectors @ query
        scores[~mask] = -np.inf
        return top_k(scores, k)

    def save(self, path: Path) -> Path:
        """Write the rows to ``path`` (a ``.npy`` file), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            np.save(handle, self.vectors)
        os.replace(partial, path)
        return path

    @classmethod
    def open(cls, path: Path) -> ExactVectorIndex:
        if not path.is_file():
            raise NotFoundError(f"no saved vector index at {path}", hint="build the index first")
        return cls(np.load(path))


# -- choosing and opening ---------------------------------------------------------------------------


def create_vector_index(
    kind: VectorKind, vectors: np.ndarray, directory: Path | None = None, **options: Any
) -> VectorIndex:
    """A ``kind`` index of ``vectors``, persisted in ``directory`` (required but for ``exact``, which
    is only saved when a directory is given). ``options`` go to :meth:`LanceVectorIndex.build`."""
    if kind == "exact":
        index = ExactVectorIndex(vectors)
        if directory is not None:
            index.save(Path(directory) / EXACT_FILE)
        return index
    if kind not in VECTOR_KINDS:
        raise ConfigError(f"unknown vector index {kind!r}; choose one of {', '.join(VECTOR_KINDS)}")
    if directory is None:
        raise ConfigError(f"the {kind} vector index is stored on disk and needs a directory")
    from shopops.search.vector_disk import LanceVectorIndex, SqliteVecIndex

    if kind == "sqlite-vec":
        return SqliteVecIndex.build(vectors, Path(directory) / SQLITE_FILE)
    return LanceVectorIndex.build(vectors, Path(directory), **options)


def open_vector_index(kind: VectorKind, directory: Path) -> VectorIndex:
    """The ``kind`` index persisted in ``directory`` by :func:`create_vector_index`."""
    from shopops.search.vector_disk import LanceVectorIndex, SqliteVecIndex

    if kind == "exact":
        return ExactVectorIndex.open(Path(directory) / EXACT_FILE)
    if kind == "sqlite-vec":
        return SqliteVecIndex.open(Path(directory) / SQLITE_FILE)
    if kind == "lancedb":
        return LanceVectorIndex.open(Path(directory))
    raise ConfigError(f"unknown vector index {kind!r}; choose one of {', '.join(VECTOR_KINDS)}")


def available_kinds() -> list[VectorKind]:
    """The backends whose packages are installed."""
    from shopops.search.vector_disk import _lancedb, _sqlite_modules

    kinds: list[VectorKind] = ["exact"]
    for kind, check in (("sqlite-vec", _sqlite_modules), ("lancedb", _lancedb)):
        try:
            check()
        except ConfigError:
            continue
        kinds.append(kind)  # type: ignore[arg-type]
    return kinds


# -- names re-exported from the backend and benchmark modules -----------------------------------------

_REEXPORTS = {
    **dict.fromkeys(("BackendReport", "compare_backends", "recall_at_k"), "shopops.search.vector_bench"),
    **dict.fromkeys(
        (
            "EXACT_FALLBACK_ROWS",
            "LANCE_META",
            "LANCE_TABLE",
            "MAX_FETCH",
            "SQLITE_VEC_MAX_K",
            "LanceVectorIndex",
            "SqliteVecIndex",
            "lance_settings",
        ),
        "shopops.search.vector_disk",
    ),
}


def __getattr__(name: str) -> Any:
    """Load re-exported names on first use: those modules import this one, so importing them at the
    top (or bottom) of this module would fail whenever one of them is imported first."""
    module = _REEXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
