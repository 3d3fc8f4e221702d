"""Product search quality on the development catalog: hybrid vs BM25-only vs vector-only, one run.

Products and queries are described in bench/search_data.py (882 products of ../shared/data/catalog;
review queries drawn from reviews, which are never indexed; short title queries as a shopper types
them, a third with a seeded typo). Each query has one relevant product. Prints MRR, hit@1, hit@10
and nDCG@10 per method and query kind, the hybrid / best-single-method ratio, and, with
``--rewrite N``, the LLM query rewrite on and off for N long review queries with the local model.

    .venv/bin/python bench/search.py [--rewrite 40]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_data import CATALOG, DevProduct, Query, build_queries, load_products

from shopops.embed.local import LocalEmbedder
from shopops.search.documents import embed_text, search_text
from shopops.search.index import FusionWeights, ProductIndex
from shopops.search.types import SearchDoc
from shopops.support.tokens import tokenize

CACHE = Path(__file__).resolve().parent / ".cache"
MODES = ("bm25", "vector", "hybrid")


def as_doc(n: int, product: DevProduct) -> SearchDoc:
    return SearchDoc(
        product_id=n,
        handle=product.product_id,
        title=product.title,
        category=product.category,
        description=product.description,
        min_price=product.price,
        max_price=product.price,
    )


def product_vectors(docs: list[SearchDoc], embedder: LocalEmbedder) -> np.ndarray:
    """Embeddings of the products, cached by the embedded texts (the cache is only a speed-up)."""
    texts = [embed_text(doc) for doc in docs]
    digest = hashlib.sha256("\n".join([embedder.model, *texts]).encode()).hexdigest()[:16]
    path = CACHE / f"dev_vectors_{digest}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    print(f"embedded {len(texts)} products in {time.perf_counter() - started:.0f}s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def rank_of(hits: list, relevant: int) -> int | None:  # type: ignore[type-arg]
    for rank, hit in enumerate(hits, start=1):
        if hit.product_id == relevant:
            return rank
    return None


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "mrr": sum(1 / r for r in ranks if r) / n,
        "hit_at_1": sum(1 for r in ranks if r == 1) / n,
        "hit_at_10": sum(1 for r in ranks if r and r <= 10) / n,
        "ndcg_at_10": sum(1 / math.log2(r + 1) for r in ranks if r and r <= 10) / n,
    }


def evaluate(index: ProductIndex, queries: list[Query], ids: dict[str, int], qvecs: np.ndarray) -> dict:
    ranks: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    for query, vector in zip(queries, qvecs, strict=True):
        for mode in MODES:
            hits = index.search(query.text, k=100, mode=mode, query_vector=vector)  # type: ignore[arg-type]
            rank = rank_of(hits, ids[query.relevant])
            ranks[(mode, query.kind)].append(rank)
            ranks[(mode, "all")].append(rank)
    return {key: scores(value) for key, value in ranks.items()}


def print_table(results: dict, kinds: list[str], counts: dict[str, int]) -> None:
    print(f"{'method':<8} {'queries':<14} {'MRR':>6} {'hit@1':>6} {'hit@10':>7} {'nDCG@10':>8}")
    for kind in kinds:
        for mode in MODES:
            s = results[(mode, kind)]
            label = f"{kind} ({counts[kind]})"
            print(
                f"{mode:<8} {label:<14} {s['mrr']:>6.3f} {s['hit_at_1']:>6.3f} "
                f"{s['hit_at_10']:>7.3f} {s['ndcg_at_10']:>8.3f}"
            )
        best_single = max(results[("bm25", kind)]["mrr"], results[("vector", kind)]["mrr"])
        print(f"  hybrid / best single method, MRR: {results[('hybrid', kind)]['mrr'] / best_single:.2f}")


def rewrite_run(index: ProductIndex, queries: list[Query], ids: dict[str, int], n: int) -> None:
    from shopops.config import Settings
    from shopops.llm.registry import create_llm
    from shopops.search.rewrite import is_long, merge_filters, rewrite_query

    llm = create_llm(Settings())
    long_queries = [q for q in queries if q.kind == "review" and is_long(q.text)][:n]
    categories = sorted({doc.category for doc in index.docs})
    off: list[int | None] = []
    on: list[int | None] = []
    spent: list[float] = []
    for query in long_queries:
        off.append(rank_of(index.search(query.text, k=100), ids[query.relevant]))
        started = time.perf_counter()
        rewrite = rewrite_query(llm, query.text, categories)
        spent.append(time.perf_counter() - started)
        filters = merge_filters(None, rewrite)
        hits = index.search(query.text, k=100, filters=filters, extra_terms=rewrite.keywords)
        on.append(rank_of(hits, ids[query.relevant]))
    a, b = scores(off), scores(on)
    print(f"\nLLM rewrite on {len(long_queries)} long review queries ({llm.model}):")
    print(f"  off: MRR {a['mrr']:.3f} hit@10 {a['hit_at_10']:.3f}")
    print(f"  on:  MRR {b['mrr']:.3f} hit@10 {b['hit_at_10']:.3f}; rewrite p50 {np.median(spent):.2f}s/query")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rewrite", type=int, default=0, help="also measure the LLM rewrite on N queries")
    parser.add_argument("--bm25-weight", type=float, default=FusionWeights().bm25)
    parser.add_argument("--vector-weight", type=float, default=FusionWeights().vector)
    args = parser.parse_args()
    if not CATALOG.exists():
        raise SystemExit(f"{CATALOG} not found: this benchmark needs ../shared/data")
    products = load_products()
    docs = [as_doc(n, p) for n, p in enumerate(products, start=1)]
    ids = {p.product_id: n for n, p in enumerate(products, start=1)}
    embedder = LocalEmbedder()
    vectors = product_vectors(docs, embedder)
    weights = FusionWeights(bm25=args.bm25_weight, vector=args.vector_weight)
    tokens = [tokenize(search_text(doc)) for doc in docs]
    index = ProductIndex.build(docs, tokens, vectors, embedder, weights=weights)
    queries = build_queries(products)
    started = time.perf_counter()
    qvecs = embedder.embed_queries([q.text for q in queries])
    print(
        f"{len(docs)} products, {len(queries)} queries (embedded in {time.perf_counter() - started:.0f}s); "
        f"fusion weights bm25 {weights.bm25:g}, vector {weights.vector:g}"
    )
    results = evaluate(index, queries, ids, qvecs)
    counts = {kind: sum(1 for q in queries if q.kind == kind) for kind in ("review", "title")}
    counts["all"] = len(queries)
    print_table(results, ["all", "review", "title"], counts)
    if args.rewrite:
        rewrite_run(index, queries, ids, args.rewrite)


if __name__ == "__main__":
    main()
