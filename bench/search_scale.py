"""Product search at catalog scale: 100,000 products generated from the dev catalog (bench/search_data.py).

Stage ``build`` writes the products into an SQLite store under ``bench/.cache/`` and brings the search
index in step with them through the product code path (:func:`sync_search_index`: tokens and an
embedding per product, written in committed groups). Embedding dominates: the packaged
multilingual-e5-small reads about 1,450 tokens/s on 2 cores. The sync resumes where it stopped, so
an interrupted build is finished by running the stage again; the time printed is this run's.

Stage ``query`` loads the stored index (no embedding), reports load time and peak memory, then runs
the dev queries against 100k products and prints p50/p95 latency of a hybrid search *including the
query's embedding*, with a category filter too; then compares the vector backends (exact numpy,
sqlite-vec, LanceDB) on the 100k stored embeddings: build time, p50, recall@10 against exact search.

    .venv/bin/python bench/search_scale.py build [--n 100000]
    .venv/bin/python bench/search_scale.py query
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_data import CATALOG, build_queries, generated_catalog, load_products

from shopops.config import Settings
from shopops.context import AppContext
from shopops.store.models import Product, ProductVariant

CACHE = Path(__file__).resolve().parent / ".cache" / "search_scale"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def context(n: int) -> AppContext:
    CACHE.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        data_dir=CACHE, database_url=f"sqlite:///{CACHE / f'catalog_{n}.db'}", llm_backend="fake"
    )
    return AppContext(settings)


def write_catalog(ctx: AppContext, n: int) -> int:
    """Insert the generated products once (a rerun finds them and writes nothing)."""
    from sqlalchemy import func, select

    with ctx.db.session() as session:
        have = session.scalar(select(func.count(Product.id))) or 0
    if have >= n:
        return 0
    records = generated_catalog(load_products(), n)[have:]
    for start in range(0, len(records), 5000):
        with ctx.db.session() as session:
            for record in records[start : start + 5000]:
                product = Product(
                    handle=str(record["handle"]),
                    title=str(record["title"]),
                    category=str(record["category"]),
                    description=str(record["description"]),
                )
                product.variants.append(
                    ProductVariant(
                        variant_key="default",
                        sku=str(record["handle"]),
                        price=Decimal(str(record["price"])),
                        inventory_quantity=int(record["stock"]),  # type: ignore[call-overload]
                    )
                )
                session.add(product)
    return len(records)


def stage_build(n: int) -> None:
    from shopops.search.store import sync_search_index

    ctx = context(n)
    started = time.perf_counter()
    written = write_catalog(ctx, n)
    print(f"catalog: {written} products written in {time.perf_counter() - started:.1f}s", flush=True)
    last = [time.perf_counter()]

    def progress(phase: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == total:
            last[0] = time.perf_counter()
            print(f"  {phase}: {done}/{total} ({time.perf_counter() - started:.0f}s)", flush=True)

    report = sync_search_index(ctx.db, ctx.embedder, progress)
    summary = {**report.as_dict(), "peak_rss_mb": round(peak_rss_mb(), 1)}
    if report.indexed:
        summary["products_per_s"] = round(report.indexed / report.seconds, 1)
    print(json.dumps(summary), flush=True)
    (CACHE / f"build_{n}.json").write_text(json.dumps(summary))


def stage_query(n: int, rounds: int, backends: bool = True) -> None:
    from shopops.search.service import build_index
    from shopops.search.types import SearchFilters

    ctx = context(n)
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    index = build_index(ctx)
    load_s = time.perf_counter() - started
    print(
        f"index load: {len(index)} products in {load_s:.1f}s (no embedding); peak RSS "
        f"{peak_rss_mb():.0f} MB (process before load {rss_before:.0f} MB)",
        flush=True,
    )
    if not CATALOG.exists():
        raise SystemExit(f"{CATALOG} not found")
    queries = build_queries(load_products())[:rounds]
    ctx.embedder.embed_query("warm up")
    index.search("warm up", k=10)
    runs = (("hybrid", None), ("hybrid + category filter", SearchFilters(category="Electronics")))
    for label, filters in runs:
        times: dict[str, list[float]] = {"review": [], "title": []}
        for query in queries:
            t = time.perf_counter()
            index.search(query.text, k=10, filters=filters)
            times[query.kind].append((time.perf_counter() - t) * 1000)
        every = times["review"] + times["title"]
        parts = [
            f"all {len(every)}: p50 {np.percentile(every, 50):.1f} ms, p95 {np.percentile(every, 95):.1f}"
        ]
        for kind, values in times.items():
            if values:
                p50, p95 = np.percentile(values, [50, 95])
                parts.append(f"{kind} {len(values)}: p50 {p50:.1f}, p95 {p95:.1f}")
        print(f"{label} (incl. query embedding): " + "; ".join(parts), flush=True)
    for kind in ("review", "title"):
        embed_times = []
        for query in [q for q in queries if q.kind == kind][:100]:
            t = time.perf_counter()
            ctx.embedder.embed_query(query.text)
            embed_times.append((time.perf_counter() - t) * 1000)
        print(
            f"  of which query embedding alone, {kind} queries: p50 {np.percentile(embed_times, 50):.1f} ms"
        )
    if backends:
        compare_vector_backends(ctx, index, queries)


def compare_vector_backends(ctx: AppContext, index: object, queries: list) -> None:
    from shopops.search.vector import compare_backends

    vectors = index.vectors.vectors  # type: ignore[attr-defined]
    query_vectors = ctx.embedder.embed_queries([q.text for q in queries[:200]])
    reports = compare_backends(vectors, query_vectors, k=10, directory=CACHE / "backends")
    exact = next(r for r in reports if r.name == "exact")
    print(f"{'backend':<12} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9} {'p50 / exact':>11}")
    for r in reports:
        ratio = r.p50_ms / exact.p50_ms if exact.p50_ms else float("nan")
        print(
            f"{r.name:<12} {r.build_s:>8.2f} {r.p50_ms:>7.2f} {r.p95_ms:>7.2f} "
            f"{r.recall_at_10:>9.3f} {ratio:>11.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stage", choices=("build", "query"))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000, help="at most this many dev queries")
    parser.add_argument("--no-backends", action="store_true", help="skip the vector backend comparison")
    args = parser.parse_args()
    if args.stage == "build":
        stage_build(args.n)
    else:
        stage_query(args.n, args.queries, backends=not args.no_backends)


if __name__ == "__main__":
    main()
