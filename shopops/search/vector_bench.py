"""Comparing vector backends on the same vectors and queries: build time, latency, recall, disk.

Used by ``bench/vector_index.py`` and ``bench/search_scale.py``; the figures that chose the default
backend are in the docstring of :mod:`shopops.search.vector`.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopops.errors import ConfigError, InputError
from shopops.search.vector import (
    ExactVectorIndex,
    LanceIndexType,
    VectorKind,
    _as_k,
    as_unit_matrix,
    available_kinds,
    create_vector_index,
)


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
