"""On-disk vector indexes: sqlite-vec (one SQLite file) and LanceDB (a directory).

Both answer like :class:`shopops.search.vector.ExactVectorIndex` and share its validation; why each
is set up as it is (the filter strategy, LanceDB's ANN settings) is measured in the docstring of
:mod:`shopops.search.vector`. The optional packages are imported only when an index is built or
opened.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from shopops.errors import ConfigError, InputError, NotFoundError
from shopops.search.vector import INSTALL_HINT, LanceIndexType, _IndexBase, as_unit_matrix, top_k

EXACT_FALLBACK_ROWS = 2048  # this few allowed rows: rank them exactly instead of over-fetching
MAX_FETCH = 4096  # largest over-fetch before ranking the allowed rows exactly
SQLITE_VEC_MAX_K = 4096  # sqlite-vec's own limit on k
LANCE_TABLE = "vectors"
LANCE_META = "shopops_vector_index.json"

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
        else:  # exact prefilter inside the scan (see vector.py's docstring for why not over-fetch)
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
