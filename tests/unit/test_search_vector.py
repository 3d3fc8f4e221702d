"""Vector index backends: exact ranking, masks, neighbours, persistence, and agreement with exact."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from shopops.errors import ConfigError, InputError, NotFoundError
from shopops.search import vector_disk
from shopops.search.vector import (
    ExactVectorIndex,
    VectorIndex,
    compare_backends,
    create_vector_index,
    open_vector_index,
    recall_at_k,
    top_k,
)

N, DIM = 500, 32
HAS_SQLITE_VEC = all(importlib.util.find_spec(m) for m in ("apsw", "sqlite_vec"))
HAS_LANCEDB = importlib.util.find_spec("lancedb") is not None
needs_sqlite_vec = pytest.mark.skipif(not HAS_SQLITE_VEC, reason="apsw / sqlite-vec not installed")
needs_lancedb = pytest.mark.skipif(not HAS_LANCEDB, reason="lancedb not installed")


def unit_rows(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return unit_rows(N)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return unit_rows(12, seed=1)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
    scores = vectors.astype(np.float64) @ query.astype(np.float64)
    rows = np.arange(len(vectors)) if allowed is None else np.flatnonzero(allowed)
    order = rows[np.argsort(-scores[rows], kind="stable")][:k]
    return order, scores[order]


def test_exact_top_k_equals_brute_force(vectors: np.ndarray, queries: np.ndarray) -> None:
    index = ExactVectorIndex(vectors)
    assert isinstance(index, VectorIndex) and len(index) == N and index.name == "exact"
    for query in queries:
        rows, cosines = index.search(query, 10)
        expected_rows, expected_cosines = brute_force(vectors, query, 10)
        assert rows.dtype == np.int64 and cosines.dtype == np.float32
        assert rows.tolist() == expected_rows.tolist()
        np.testing.assert_allclose(cosines, expected_cosines, atol=1e-5)
    rows, _ = index.search(queries[0], N + 50)  # more than there are: every row, best first
    assert sorted(rows.tolist()) == list(range(N))


def test_ties_come_back_lower_row_first() -> None:
    rows, scores = top_k(np.array([0.5, 0.9, 0.5, 0.9, 0.5], dtype=np.float32), 3)
    assert rows.tolist() == [1, 3, 0] and scores.tolist() == pytest.approx([0.9, 0.9, 0.5])


def test_mask_keeps_only_allowed_rows(vectors: np.ndarray, queries: np.ndarray) -> None:
    index = ExactVectorIndex(vectors)
    rng = np.random.default_rng(2)
    for share in (0.6, 0.1):  # the -inf path and the few-rows path
        allowed = rng.random(N) < share
        rows, cosines = index.search(queries[0], 10, allowed=allowed)
        expected_rows, expected_cosines = brute_force(vectors, queries[0], 10, allowed)
        assert allowed[rows].all()
        assert rows.tolist() == expected_rows.tolist()
        np.testing.assert_allclose(cosines, expected_cosines, atol=1e-5)
    few = np.zeros(N, dtype=bool)
    few[[7, 99, 400]] = True
    rows, cosines = index.search(queries[0], 10, allowed=few)
    assert sorted(rows.tolist()) == [7, 99, 400] and np.isfinite(cosines).all()
    rows, cosines = index.search(queries[0], 10, allowed=np.zeros(N, dtype=bool))
    assert rows.size == 0 and cosines.size == 0


def test_neighbours_leave_out_the_row_itself(vectors: np.ndarray) -> None:
    index = ExactVectorIndex(vectors)
    rows, cosines = index.neighbours(42, 5)
    expected, _ = brute_force(vectors, vectors[42], 6)
    assert 42 not in rows.tolist() and rows.tolist() == expected[1:].tolist()
    assert len(cosines) == 5 and (np.diff(cosines) <= 0).all()
    with pytest.raises(NotFoundError):
        index.neighbours(N, 5)


def test_bad_shapes_and_k_raise_clear_errors(vectors: np.ndarray) -> None:
    index = ExactVectorIndex(vectors)
    for bad_k in (0, -1, 2.5, True):
        with pytest.raises(InputError, match="k must be a positive integer"):
            index.search(vectors[0], bad_k)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=f"vector of {DIM} values"):
        index.search(np.ones(DIM + 1, dtype=np.float32) / np.sqrt(DIM + 1), 3)
    with pytest.raises(InputError, match="unit vector"):
        index.search(vectors[0] * 3, 3)
    with pytest.raises(InputError, match="bool mask of 500 rows"):
        index.search(vectors[0], 3, allowed=np.ones(N - 1, dtype=bool))
    with pytest.raises(InputError, match="2-D"):
        ExactVectorIndex(vectors[0])
    with pytest.raises(InputError, match="not unit length"):
        ExactVectorIndex(vectors * 2)
    with pytest.raises(InputError, match="NaN"):
        ExactVectorIndex(np.full((3, DIM), np.nan, dtype=np.float32))
    with pytest.raises(ConfigError, match="unknown vector index"):
        create_vector_index("faiss", vectors, None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs a directory"):
        create_vector_index("sqlite-vec", vectors, None)


def test_empty_index_returns_nothing() -> None:
    index = ExactVectorIndex(np.zeros((0, DIM), dtype=np.float32))
    rows, cosines = index.search(unit_rows(1)[0], 5)
    assert len(index) == 0 and rows.size == 0 and cosines.size == 0


def test_exact_index_is_saved_and_reopened(vectors: np.ndarray, tmp_path: Path) -> None:
    create_vector_index("exact", vectors, tmp_path)
    reopened = open_vector_index("exact", tmp_path)
    np.testing.assert_array_equal(reopened.vectors, vectors)  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        open_vector_index("exact", tmp_path / "missing")


def assert_same_as_exact(index: VectorIndex, vectors: np.ndarray, queries: np.ndarray) -> None:
    exact = ExactVectorIndex(vectors)
    allowed = np.random.default_rng(3).random(N) < 0.3
    for query in queries:
        for mask in (None, allowed):
            rows, cosines = index.search(query, 10, allowed=mask)
            expected_rows, expected_cosines = exact.search(query, 10, allowed=mask)
            assert rows.tolist() == expected_rows.tolist()
            np.testing.assert_allclose(cosines, expected_cosines, atol=1e-4)
    assert index.neighbours(5, 4)[0].tolist() == exact.neighbours(5, 4)[0].tolist()
    few = np.zeros(N, dtype=bool)
    few[[3, 250]] = True
    assert sorted(index.search(queries[0], 10, allowed=few)[0].tolist()) == [3, 250]


@needs_sqlite_vec
def test_sqlite_vec_equals_exact_and_reopens(
    vectors: np.ndarray, queries: np.ndarray, tmp_path: Path
) -> None:
    index = create_vector_index("sqlite-vec", vectors, tmp_path)
    assert index.name == "sqlite-vec" and len(index) == N
    assert_same_as_exact(index, vectors, queries)
    index.close()  # type: ignore[attr-defined]
    reopened = open_vector_index("sqlite-vec", tmp_path)
    assert (
        reopened.search(queries[1], 3)[0].tolist()
        == ExactVectorIndex(vectors).search(queries[1], 3)[0].tolist()
    )
    rebuilt = create_vector_index("sqlite-vec", vectors[:100], tmp_path)  # replaces the file
    assert len(rebuilt) == 100


@needs_lancedb
def test_lancedb_flat_equals_exact_and_reopens(
    vectors: np.ndarray, queries: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = create_vector_index("lancedb", vectors, tmp_path / "lance")
    assert index.name == "lancedb" and index.index_type == "flat"  # type: ignore[attr-defined]
    assert_same_as_exact(index, vectors, queries)  # masks of few rows: the allowed rows ranked exactly
    monkeypatch.setattr(vector_disk, "EXACT_FALLBACK_ROWS", 10)
    assert_same_as_exact(index, vectors, queries)  # masks by over-fetching and filtering
    reopened = open_vector_index("lancedb", tmp_path / "lance")
    assert len(reopened) == N
    assert (
        reopened.search(queries[2], 5)[0].tolist()
        == ExactVectorIndex(vectors).search(queries[2], 5)[0].tolist()
    )
    with pytest.raises(NotFoundError):
        open_vector_index("lancedb", tmp_path / "nothing-here")


@needs_lancedb
def test_lancedb_ann_index_finds_the_exact_neighbours(
    vectors: np.ndarray, queries: np.ndarray, tmp_path: Path
) -> None:
    index = create_vector_index("lancedb", vectors, tmp_path, ann_threshold=100)
    assert index.index_type == "IVF_HNSW_SQ"  # type: ignore[attr-defined]
    exact = ExactVectorIndex(vectors)
    found = [index.search(q, 10)[0] for q in queries]
    assert recall_at_k([exact.search(q, 10)[0] for q in queries], found, 10) >= 0.8
    allowed = np.arange(N) % 2 == 0
    rows, _ = index.search(queries[0], 10, allowed=allowed)
    assert len(rows) == 10 and allowed[rows].all()
    assert open_vector_index("lancedb", tmp_path).index_type == "IVF_HNSW_SQ"  # type: ignore[attr-defined]


def test_recall_at_k() -> None:
    exact = [np.array([1, 2, 3, 4]), np.array([5, 6])]
    approx = [np.array([1, 2, 9, 8]), np.array([6, 5])]
    assert recall_at_k(exact, approx, 4) == pytest.approx((0.5 + 1.0) / 2)
    assert recall_at_k(exact, approx, 2) == pytest.approx((1.0 + 1.0) / 2)
    with pytest.raises(InputError):
        recall_at_k(exact, approx[:1], 4)


def test_compare_backends_reports_each_backend(
    vectors: np.ndarray, queries: np.ndarray, tmp_path: Path
) -> None:
    kinds = ("exact", *(["sqlite-vec"] if HAS_SQLITE_VEC else []), *(["lancedb"] if HAS_LANCEDB else []))
    reports = compare_backends(vectors, queries, k=10, directory=tmp_path, kinds=kinds)  # type: ignore[arg-type]
    assert [r.name for r in reports] == [k if k != "lancedb" else "lancedb/flat" for k in kinds]
    for report in reports:
        assert report.rows == N and report.recall_at_10 == pytest.approx(1.0)
        assert report.p50_ms <= report.p95_ms and report.disk_bytes > 0 and report.build_s >= 0
