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
  filtering; when few rows are allowed (:data:`EXACT_FALLBACK_ROWS`) or the fetch would pass
  :data:`MAX_FETCH`, the allowed rows' vectors are read and ranked exactly. Lance's own
  ``id IN (...)`` prefilter took 300+ ms on a flat table.

Indexes are read-only after they are built and may be searched from several threads.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from shopops.errors import ConfigError, InputError, NotFoundError

VectorKind = Literal["exact", "sqlite-vec", "lancedb"]
VECTOR_KINDS: tuple[VectorKind, ...] = ("exact", "sqlite-vec", "lancedb")
LanceIndexType = Literal["IVF_HNSW_SQ", "IVF_PQ"]

UNIT_TOLERANCE = 1e-2  # |norm - 1| allowed for a row or a query
EXACT_FALLBACK_ROWS = 2048  # this few allowed rows: rank them exactly instead of over-fetching
MAX_FETCH = 4096  # largest over-fetch before ranking the allowed rows exactly
SQLITE_VEC_MAX_K = 4096  # sqlite-vec's own limit on k
EXACT_FILE = "vectors.npy"
SQLITE_FILE = "vectors.sqlite"
LANCE_TABLE = "vectors"
LANCE_META = "shopops_vector_index.json"
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


class _IndexBase:
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

    def vector(self, row: int) -> np.ndarray:
        raise NotImplementedError

    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

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


# -- sqlite-vec --------------------------------------------------------------------------------------


def _sqlite_modules() -> tuple[Any, Any]:
    try:
        import apsw
        import sqlite_vec
    except ImportError as exc:
        raise ConfigError(
            f"the sqlite-vec vector index needs the 'apsw' and 'sqlite-vec' packages ({exc})",
            hint=f"{INSTALL_HINT}: pip install apsw sqlite-vec; or set search_vector_index = 'exact'",
        ) from exc
    return apsw, sqlite_vec


def _sqlite_connection(path: Path) -> Any:
    """An apsw connection with sqlite-vec loaded (the stdlib sqlite3 may not load extensions)."""
    apsw, sqlite_vec = _sqlite_modules()
    connection = apsw.Connection(str(path))
    connection.enable_load_extension(True)
    connection.load_extension(sqlite_vec.loadable_path())
    connection.enable_load_extension(False)
    return connection


class SqliteVecIndex(_IndexBase):
    """A ``vec0`` table (cosine distance) in one SQLite file; ``rowid`` is the row index."""

    name = "sqlite-vec"

    def __init__(self, connection: Any, path: Path, count: int, dim: int) -> None:
        self._db = connection
        self.path = path
        self.count, self.dim = count, dim

    @classmethod
    def build(cls, vectors: np.ndarray, path: Path) -> SqliteVecIndex:
        """Write ``vectors`` to a new SQLite file at ``path`` (replacing any, atomically) and open it."""
        matrix = as_unit_matrix(vectors)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        db = _sqlite_connection(partial)
        try:
            with db:
                db.execute(
                    f"CREATE VIRTUAL TABLE items USING vec0(embedding float[{matrix.shape[1]}] "
                    "distance_metric=cosine)"
                )
                db.execute("CREATE TABLE shopops_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.executemany(
                    "INSERT INTO items(rowid, embedding) VALUES (?, ?)",
                    ((row, matrix[row].tobytes()) for row in range(matrix.shape[0])),
                )
                db.executemany(
                    "INSERT INTO shopops_meta VALUES (?, ?)",
                    (("count", str(matrix.shape[0])), ("dim", str(matrix.shape[1]))),
                )
        finally:
            db.close()
        os.replace(partial, path)
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> SqliteVecIndex:
        if not path.is_file():
            raise NotFoundError(f"no sqlite-vec index at {path}", hint="build the index first")
        db = _sqlite_connection(path)
        meta = dict(db.execute("SELECT key, value FROM shopops_meta").fetchall())
        return cls(db, path, int(meta["count"]), int(meta["dim"]))

    def close(self) -> None:
        self._db.close()

    def vector(self, row: int) -> np.ndarray:
        (blob,) = self._db.execute("SELECT embedding FROM items WHERE rowid = ?", (row,)).fetchone()
        return np.frombuffer(blob, dtype=np.float32)

    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        sql = "SELECT rowid, distance FROM items WHERE embedding MATCH ? AND k = ?"
        params: tuple[Any, ...]
        if mask is None:
            params = (query.tobytes(), k)
        else:  # exact prefilter inside the scan (see the module docstring for why not over-fetch)
            allowed = np.flatnonzero(mask)
            k = min(k, allowed.size)
            sql += " AND rowid IN (SELECT value FROM json_each(?))"
            params = (query.tobytes(), k, json.dumps(allowed.tolist()))
        if k > SQLITE_VEC_MAX_K:
            raise InputError(
                f"sqlite-vec returns at most {SQLITE_VEC_MAX_K} rows per query; asked for {k}",
                hint="ask for fewer rows, or use the exact vector index",
            )
        found = self._db.execute(sql, params).fetchall()
        rows = np.array([r for r, _ in found], dtype=np.int64)
        cosines = 1.0 - np.array([d for _, d in found], dtype=np.float32)
        return top_k(cosines, k, rows)


# -- LanceDB -----------------------------------------------------------------------------------------


def _lancedb() -> Any:
    try:
        import lancedb
    except ImportError as exc:
        raise ConfigError(
            f"the LanceDB vector index needs the 'lancedb' package ({exc})",
            hint=f"{INSTALL_HINT}: pip install lancedb; or set search_vector_index = 'exact'",
        ) from exc
    return lancedb


def lance_settings(index_type: str, count: int, dim: int) -> dict[str, Any]:
    """Index and query settings for an ANN index over ``count`` rows of ``dim`` values (measured at
    100k rows of 384)."""
    if index_type == "IVF_HNSW_SQ":
        partitions = max(1, math.ceil(count / 25_000))
        nprobes = min(partitions, max(4, math.ceil(partitions / 2)))
        return {"partitions": partitions, "nprobes": nprobes, "ef": 64, "refine_factor": 5}
    if index_type == "IVF_PQ":
        partitions = max(1, math.ceil(count / 1_500))
        nprobes = max(1, math.ceil(partitions / 4))
        sub_vectors = max(d for d in range(1, max(1, dim // 8) + 1) if dim % d == 0)  # 48 for 384-d
        return {"partitions": partitions, "nprobes": nprobes, "sub_vectors": sub_vectors, "refine_factor": 40}
    raise ConfigError(f"unknown LanceDB index type {index_type!r}; use IVF_HNSW_SQ or IVF_PQ")


class LanceVectorIndex(_IndexBase):
    """A LanceDB table (``id`` = row index, ``vector``) in a directory; flat or ANN-indexed."""

    name = "lancedb"

    def __init__(self, table: Any, directory: Path, meta: dict[str, Any]) -> None:
        self._table = table
        self.directory = directory
        self.meta = meta
        self.count, self.dim = int(meta["count"]), int(meta["dim"])
        self.index_type: str = meta["index_type"]

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        directory: Path,
        *,
        ann_threshold: int = 20_000,
        index_type: LanceIndexType = "IVF_HNSW_SQ",
    ) -> LanceVectorIndex:
        """Write ``vectors`` as a new table version in ``directory``; index it when it has at least
        ``ann_threshold`` rows."""
        lancedb = _lancedb()
        import pyarrow as pa

        matrix = as_unit_matrix(vectors)
        count, dim = matrix.shape
        directory.mkdir(parents=True, exist_ok=True)
        data = pa.table(
            {
                "id": pa.array(np.arange(count, dtype=np.int64)),
                "vector": pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), dim),
            }
        )
        table = lancedb.connect(str(directory)).create_table(LANCE_TABLE, data, mode="overwrite")
        meta: dict[str, Any] = {"count": count, "dim": dim, "index_type": "flat"}
        if count >= ann_threshold:
            meta = {**meta, "index_type": index_type, **lance_settings(index_type, count, dim)}
            # LanceDB's unified API: with ``config`` the first positional argument names the column
            table.create_index("vector", config=_lance_config(meta), replace=True)
        (directory / LANCE_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return cls(table, directory, meta)

    @classmethod
    def open(cls, directory: Path) -> LanceVectorIndex:
        """The index persisted in ``directory``, without rebuilding anything."""
        meta_path = directory / LANCE_META
        if not meta_path.is_file():
            raise NotFoundError(f"no LanceDB vector index in {directory}", hint="build the index first")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        table = _lancedb().connect(str(directory)).open_table(LANCE_TABLE)
        if table.count_rows() != meta["count"]:
            raise NotFoundError(
                f"the LanceDB table in {directory} has {table.count_rows()} rows; its metadata says "
                f"{meta['count']}",
                hint="rebuild the index",
            )
        return cls(table, directory, meta)

    def vector(self, row: int) -> np.ndarray:
        return self._take(np.array([row], dtype=np.int64))[1][0]

    def _take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids and vectors of ``rows`` (ids are written in row order, so a row is its offset)."""
        found = self._table.take_offsets(rows.tolist()).select(["id", "vector"]).to_arrow()
        vectors = found["vector"].combine_chunks().flatten().to_numpy(zero_copy_only=False)
        ids = found["id"].to_numpy()
        return ids.astype(np.int64), np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)

    def _query(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        builder = self._table.search(query).distance_type("cosine").select(["id"]).limit(limit)
        if self.index_type != "flat":
            builder = builder.nprobes(self.meta["nprobes"]).refine_factor(self.meta["refine_factor"])
            if "ef" in self.meta:
                builder = builder.ef(max(self.meta["ef"], limit))
        found = builder.to_arrow()
        rows = found["id"].to_numpy().astype(np.int64)
        return rows, 1.0 - found["_distance"].to_numpy().astype(np.float32)

    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if mask is None:
            rows, cosines = self._query(query, k)
            return top_k(cosines, k, rows)
        allowed = int(mask.sum())
        k = min(k, allowed)
        fetch = max(4 * k, math.ceil(2 * k * self.count / allowed))
        while allowed > EXACT_FALLBACK_ROWS and fetch <= MAX_FETCH:
            rows, cosines = self._query(query, min(fetch, self.count))
            passing = mask[rows]
            if passing.sum() >= k or fetch >= self.count:
                return top_k(cosines[passing], k, rows[passing])
            fetch *= 4
        ids, vectors = self._take(np.flatnonzero(mask))
        return top_k(vectors @ query, k, ids)


def _lance_config(meta: dict[str, Any]) -> Any:
    from lancedb.index import HnswSq, IvfPq

    if meta["index_type"] == "IVF_HNSW_SQ":
        return HnswSq(distance_type="cosine", num_partitions=meta["partitions"])
    return IvfPq(
        distance_type="cosine",
        num_partitions=meta["partitions"],
        num_sub_vectors=meta["sub_vectors"],
        max_iterations=20,
    )


# -- choosing, opening and comparing -----------------------------------------------------------------


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
    if kind == "sqlite-vec":
        return SqliteVecIndex.build(vectors, Path(directory) / SQLITE_FILE)
    return LanceVectorIndex.build(vectors, Path(directory), **options)


def open_vector_index(kind: VectorKind, directory: Path) -> VectorIndex:
    """The ``kind`` index persisted in ``directory`` by :func:`create_vector_index`."""
    if kind == "exact":
        return ExactVectorIndex.open(Path(directory) / EXACT_FILE)
    if kind == "sqlite-vec":
        return SqliteVecIndex.open(Path(directory) / SQLITE_FILE)
    if kind == "lancedb":
        return LanceVectorIndex.open(Path(directory))
    raise ConfigError(f"unknown vector index {kind!r}; choose one of {', '.join(VECTOR_KINDS)}")


def available_kinds() -> list[VectorKind]:
    """The backends whose packages are installed."""
    kinds: list[VectorKind] = ["exact"]
    for kind, check in (("sqlite-vec", _sqlite_modules), ("lancedb", _lancedb)):
        try:
            check()
        except ConfigError:
            continue
        kinds.append(kind)  # type: ignore[arg-type]
    return kinds


def recall_at_k(exact_rows: Any, approx_rows: Any, k: int) -> float:
    """Mean over queries of the share of the exact top ``k`` that the approximate top ``k`` found
    (queries with fewer than ``k`` exact rows count against what there was to find)."""
    k = _as_k(k)
    if len(exact_rows) != len(approx_rows):
        raise InputError(f"{len(exact_rows)} exact result lists but {len(approx_rows)} approximate ones")
    shares = []
    for exact, approx in zip(exact_rows, approx_rows, strict=True):
        truth = set(np.asarray(exact)[:k].tolist())
        found = set(np.asarray(approx)[:k].tolist())
        shares.append(len(truth & found) / len(truth) if truth else 1.0)
    return float(np.mean(shares)) if shares else 1.0


@dataclass(frozen=True)
class BackendReport:
    """One backend on one set of vectors and queries (latency of the vector search alone)."""

    name: str
    rows: int
    build_s: float
    p50_ms: float
    p95_ms: float
    recall_at_10: float
    disk_bytes: int


def compare_backends(
    vectors: np.ndarray,
    queries: np.ndarray,
    k: int = 10,
    directory: Path | None = None,
    *,
    kinds: tuple[VectorKind, ...] | None = None,
    lance_index_types: tuple[LanceIndexType, ...] = ("IVF_HNSW_SQ",),
    ann_threshold: int = 20_000,
    warmup: int = 3,
) -> list[BackendReport]:
    """Build each backend (default: those installed) under ``directory`` and time ``queries`` on it;
    recall is measured against the exact top ``k`` (reported as ``recall_at_10`` when ``k`` is 10)."""
    if directory is None:
        raise ConfigError("compare_backends writes the indexes it compares and needs a directory")
    matrix = as_unit_matrix(vectors)
    query_matrix = np.asarray(queries, dtype=np.float32)
    truth = ExactVectorIndex(matrix)
    exact_rows = [truth.search(q, k)[0] for q in query_matrix]
    variants: list[tuple[VectorKind, dict[str, Any]]] = []
    for kind in kinds or tuple(available_kinds()):
        if kind != "lancedb":
            variants.append((kind, {}))
            continue
        types = lance_index_types if len(matrix) >= ann_threshold else lance_index_types[:1]  # flat
        variants.extend((kind, {"ann_threshold": ann_threshold, "index_type": t}) for t in types)
    reports = []
    for kind, options in variants:
        where = Path(directory) / "-".join([kind, *([options["index_type"]] if options else [])])
        started = time.perf_counter()
        index = create_vector_index(kind, matrix, where, **options)
        build_s = time.perf_counter() - started
        for q in query_matrix[:warmup]:
            index.search(q, k)
        timings, found = [], []
        for q in query_matrix:
            started = time.perf_counter()
            rows, _ = index.search(q, k)
            timings.append((time.perf_counter() - started) * 1000)
            found.append(rows)
        label = kind if kind != "lancedb" else f"lancedb/{getattr(index, 'index_type', 'flat')}"
        reports.append(
            BackendReport(
                name=label,
                rows=len(matrix),
                build_s=build_s,
                p50_ms=statistics.median(timings) if timings else 0.0,
                p95_ms=float(np.percentile(timings, 95)) if timings else 0.0,
                recall_at_10=recall_at_k(exact_rows, found, k),
                disk_bytes=sum(f.stat().st_size for f in where.rglob("*") if f.is_file()),
            )
        )
    return reports
