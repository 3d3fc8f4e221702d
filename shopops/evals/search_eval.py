"""``shopops eval search``: rank products for queries read from a JSONL file and score the ranking.

The contract: one query per line, ``id``, ``query``, ``candidates`` and ``relevant``. Without a
catalog, ``candidates`` is a list of product texts and ``relevant`` a list of indices into it: a
small :class:`~shopops.search.index.ProductIndex` is built over each line's candidates (each text
a product's title) and ranks all of them. With ``--catalog FILE`` (CSV, JSON or JSONL: id, title,
description, category, price) the whole catalog is indexed once, ``relevant`` lists product ids of
the catalog and ``candidates`` is ignored; the 100 best products are ranked.

One JSON object out: ``n``, ``mrr`` (mean of 1/rank of the first relevant product; 0 when none is
ranked), ``hit_at_1``, ``ndcg_at_10`` (binary gains; the ideal DCG counts the relevant products,
at most 10), ``p50_ms`` (median time of one search, the query's embedding included), then the
``mode`` (hybrid | bm25 | vector), ``embed_model`` (null in bm25 mode, which embeds nothing),
``catalog`` (its path or null) and ``products`` (the catalog's size or null).

A candidate a mode does not place counts as not found: BM25 ranks only the candidates that share a
term with the query, and each list of the index stops at its 100 best. Every distinct product text
is embedded once per run. Like the other evaluations this is pure: files in, metrics out; no store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from shopops.embed.base import EmbeddingBackend
from shopops.errors import InputError, RowError
from shopops.evals.jsonl import MAX_LISTED, LineError, read_jsonl
from shopops.evals.metrics import percentile
from shopops.evals.progress import progress_bar
from shopops.ingest.fields import RowParser, resolve_columns
from shopops.ingest.tables import read_table
from shopops.ingest.text import guess_language
from shopops.search.documents import embed_text, search_text
from shopops.search.index import ProductIndex
from shopops.search.types import SearchDoc, SearchMode
from shopops.support.tokens import tokenize

MODES: tuple[SearchMode, ...] = ("hybrid", "bm25", "vector")
CATALOG_DEPTH = 100  # products ranked per query in catalog mode (MRR is measured over these)
NDCG_DEPTH = 10
HINT = (
    'one JSON object per line: {"id": "q1", "query": "...", "candidates": ["product text", ...], '
    '"relevant": [0]} (with --catalog: "relevant": ["PRODUCT-ID", ...], candidates ignored)'
)


@dataclass(frozen=True)
class SearchItem:
    """One query. ``relevant`` holds candidate indices, or catalog product ids in catalog mode."""

    id: str
    line: int
    query: str
    candidates: tuple[str, ...]
    relevant: tuple[int, ...] | tuple[str, ...]


@dataclass(frozen=True)
class QueryResult:
    """How one query ranked: the first ranked positions (candidate indices, or catalog rows)."""

    id: str
    ranked: tuple[int, ...]
    reciprocal_rank: float
    hit_at_1: float
    ndcg_at_10: float
    ms: float


@dataclass(frozen=True)
class SearchEvalReport:
    n: int
    mrr: float
    hit_at_1: float
    ndcg_at_10: float
    p50_ms: float
    mode: str
    embed_model: str | None
    catalog: str | None
    products: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mrr": self.mrr,
            "hit_at_1": self.hit_at_1,
            "ndcg_at_10": self.ndcg_at_10,
            "p50_ms": self.p50_ms,
            "mode": self.mode,
            "embed_model": self.embed_model,
            "catalog": self.catalog,
            "products": self.products,
        }


# --- metrics --------------------------------------------------------------------------------------


def reciprocal_rank(ranked: Sequence[Hashable], relevant: Collection[Hashable]) -> float:
    """1 / the 1-based rank of the first relevant item of ``ranked``; 0.0 when none is there."""
    return next((1.0 / rank for rank, item in enumerate(ranked, start=1) if item in relevant), 0.0)


def hit_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """1.0 when one of the first ``k`` items is relevant, else 0.0."""
    return float(any(item in relevant for item in ranked[:k]))


def ndcg_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int = NDCG_DEPTH) -> float:
    """Normalised DCG of the first ``k`` items with binary gains: DCG = sum of 1/log2(rank + 1) over
    the relevant ones, divided by the DCG of a ranking that puts min(len(relevant), k) relevant
    items first. 0.0 when nothing is relevant."""
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    if ideal == 0.0:
        return 0.0
    gained = sum(
        1.0 / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], start=1) if item in relevant
    )
    return gained / ideal


# --- reading the queries --------------------------------------------------------------------------


def _item_id(obj: dict[str, Any]) -> str:
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise LineError("id", "is required (a non-empty string or integer)")
    return str(raw_id).strip()


def _query(obj: dict[str, Any]) -> str:
    query = obj.get("query")
    if not isinstance(query, str) or not query.strip():
        raise LineError("query", "is required (a non-empty string)")
    return query.strip()


def _non_empty_list(obj: dict[str, Any], name: str, what: str) -> list[Any]:
    value = obj.get(name)
    if not isinstance(value, list) or not value:
        raise LineError(name, f"is required: a non-empty list of {what}")
    return value


def parse_candidates_line(obj: Any, line: int) -> SearchItem:
    """A line of the candidates form; raise ``LineError`` naming the first bad field."""
    if not isinstance(obj, dict):
        raise LineError("(line)", f"must be a JSON object, got {type(obj).__name__}")
    item_id, query = _item_id(obj), _query(obj)
    candidates = _non_empty_list(obj, "candidates", "product texts")
    for position, candidate in enumerate(candidates):
        if isinstance(candidate, int | float) and not isinstance(candidate, bool):
            raise LineError(
                "candidates",
                f"item {position} is a product id ({candidate}); ids need --catalog FILE, "
                "which ranks the whole catalog and reads 'relevant' as product ids",
            )
        if not isinstance(candidate, str) or not candidate.strip():
            raise LineError("candidates", f"item {position} must be a non-empty product text")
    relevant = _non_empty_list(obj, "relevant", "candidate indices")
    for value in relevant:
        if isinstance(value, bool) or not isinstance(value, int):
            raise LineError("relevant", f"{value!r} is not an index into candidates (an integer)")
        if not 0 <= value < len(candidates):
            raise LineError(
                "relevant",
                f"index {value} is out of range: {len(candidates)} candidates (0..{len(candidates) - 1})",
            )
    if len(set(relevant)) != len(relevant):
        raise LineError("relevant", "lists an index twice")
    return SearchItem(item_id, line, query, tuple(c.strip() for c in candidates), tuple(relevant))


def parse_catalog_line(obj: Any, line: int) -> SearchItem:
    """A line of the catalog form (``relevant`` = product ids; ``candidates`` ignored)."""
    if not isinstance(obj, dict):
        raise LineError("(line)", f"must be a JSON object, got {type(obj).__name__}")
    item_id, query = _item_id(obj), _query(obj)
    relevant = _non_empty_list(obj, "relevant", "product ids of the catalog")
    ids: list[str] = []
    for value in relevant:
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise LineError("relevant", f"{value!r} is not a product id (a non-empty string or integer)")
        ids.append(str(value).strip())
    if len(set(ids)) != len(ids):
        raise LineError("relevant", "lists a product id twice")
    return SearchItem(item_id, line, query, (), tuple(ids))


def read_search_file(path: Path, *, catalog_mode: bool = False, limit: int | None = None) -> list[SearchItem]:
    """Every query of a JSONL file (the first ``limit``); all lines are checked before anything runs
    and one :class:`InputError` lists the bad ones as ``FILE:LINE: field 'NAME': ...``."""
    parse = parse_catalog_line if catalog_mode else parse_candidates_line
    return read_jsonl(path, parse, limit=limit, noun="query", hint=HINT)


# --- reading a catalog ----------------------------------------------------------------------------

CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("product_id", "handle"),
    "title": ("product_name", "name"),
    "description": ("about_product", "body"),
    "category": (),
    "price": ("discounted_price",),
}


@dataclass(frozen=True)
class Catalog:
    """A catalog file as search documents. A document's ``product_id`` is its row in ``docs`` and
    its ``handle`` the file's id; ``row_of`` maps the file's ids to rows."""

    path: Path
    docs: tuple[SearchDoc, ...]
    row_of: dict[str, int]


def load_catalog(path: Path) -> Catalog:
    """Products of a CSV, JSON or JSONL catalog: id and title required; description, category and
    price (currency signs and thousands separators allowed: "₹1,099") optional. A repeated id keeps
    its first row (scraped catalogs list a product once per review). Every row is checked first;
    one :class:`InputError` lists the bad ones as ``FILE: row N, field 'NAME': problem``."""
    table = read_table(path)
    columns = resolve_columns(table, CATALOG_COLUMNS, required=("id", "title"))
    docs: list[SearchDoc] = []
    row_of: dict[str, int] = {}
    errors: list[RowError] = []
    for row in table.rows:
        fields = RowParser(row, columns)
        product_id = fields.text("id", required=True)
        title = fields.text("title", required=True)
        description = fields.text("description") or ""
        category = fields.text("category") or ""
        price = fields.number("price", minimum=0)
        errors.extend(fields.errors)
        if fields.errors or product_id is None or title is None or product_id in row_of:
            continue
        row_of[product_id] = len(docs)
        docs.append(
            SearchDoc(
                product_id=len(docs),
                handle=product_id,
                title=title,
                category=category,
                description=description,
                language=guess_language(title, description),
                min_price=price,
                max_price=price,
            )
        )
    if errors:
        listed = "\n".join(f"  {path}: {error}" for error in errors[:MAX_LISTED])
        more = f"\n  ... and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
        raise InputError(
            f"{len(errors)} problem(s) in the catalog {path}; nothing was evaluated.\n{listed}{more}",
            hint="every row needs an id and a title; a price must be a number",
        )
    if not docs:
        raise InputError(f"{path}: the catalog has no products", hint="add rows under the header")
    return Catalog(path, tuple(docs), row_of)


def check_relevant_ids(items: Sequence[SearchItem], catalog: Catalog, path: Path) -> None:
    """Raise one :class:`InputError` listing every line whose relevant ids the catalog lacks."""
    problems = []
    for item in items:
        unknown = [str(pid) for pid in item.relevant if str(pid) not in catalog.row_of]
        if unknown:
            shown = ", ".join(repr(pid) for pid in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            problems.append(f"{path}:{item.line}: field 'relevant': unknown product id(s) {shown}")
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:MAX_LISTED])
        more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise InputError(
            f"{len(problems)} line(s) of {path} name products that {catalog.path} does not have; "
            f"nothing was evaluated.\n{listed}{more}",
            hint="relevant must list ids of the catalog's id column (product_id, id or handle)",
        )


# --- evaluating -----------------------------------------------------------------------------------


def check_mode(mode: str) -> SearchMode:
    for known in MODES:
        if mode == known:
            return known
    raise InputError(f"--mode {mode!r} is not supported", hint=f"use one of: {', '.join(MODES)}")


def embed_documents(
    docs: Sequence[SearchDoc],
    embedder: EmbeddingBackend,
    *,
    cache: dict[str, np.ndarray] | None = None,
    progress: bool = False,
    console: Console | None = None,
    label: str = "embedding",
) -> np.ndarray:
    """The embedding matrix of ``docs``; each distinct embedding text is embedded once (``cache``,
    text -> vector, is filled and reused across calls)."""
    cache = {} if cache is None else cache
    texts = [embed_text(doc) for doc in docs]
    missing = list(dict.fromkeys(text for text in texts if text not in cache))
    with progress_bar(console or Console(stderr=True), label, progress) as bar:
        task = bar.add_task("texts", total=len(missing))
        for start in range(0, len(missing), embedder.batch_size):
            batch = missing[start : start + embedder.batch_size]
            cache.update(zip(batch, embedder.embed_passages(batch), strict=True))
            bar.advance(task, len(batch))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([cache[text] for text in texts]).astype(np.float32, copy=False)


def build_index(
    docs: Sequence[SearchDoc],
    embedder: EmbeddingBackend,
    mode: SearchMode,
    *,
    cache: dict[str, np.ndarray] | None = None,
    token_cache: dict[str, list[str]] | None = None,
    progress: bool = False,
    console: Console | None = None,
    label: str = "embedding",
) -> ProductIndex:
    """A product index over ``docs``. BM25 mode never reads the vectors, so nothing is embedded:
    every row is the same unit vector (the vector index accepts unit rows only)."""
    token_cache = {} if token_cache is None else token_cache
    tokens = []
    for doc in docs:
        text = search_text(doc)
        if text not in token_cache:
            token_cache[text] = tokenize(text)
        tokens.append(token_cache[text])
    if mode == "bm25":
        vectors = np.zeros((len(docs), embedder.dim), dtype=np.float32)
        vectors[:, 0] = 1.0
    else:
        vectors = embed_documents(
            docs, embedder, cache=cache, progress=progress, console=console, label=label
        )
    return ProductIndex.build(docs, tokens, vectors, embedder)


def score_query(
    item_id: str, index: ProductIndex, query: str, relevant: Collection[int], *, k: int, mode: SearchMode
) -> QueryResult:
    """Search ``index`` once (timed, the query's embedding included) and score the ranking."""
    start = time.perf_counter()
    hits = index.search(query, k=k, mode=mode)
    ms = (time.perf_counter() - start) * 1000
    ranked = tuple(hit.product_id for hit in hits)
    return QueryResult(
        id=item_id,
        ranked=ranked[:NDCG_DEPTH],
        reciprocal_rank=reciprocal_rank(ranked, relevant),
        hit_at_1=hit_at_k(ranked, relevant, 1),
        ndcg_at_10=ndcg_at_k(ranked, relevant, NDCG_DEPTH),
        ms=ms,
    )


def candidate_docs(item: SearchItem) -> list[SearchDoc]:
    """A line's candidates as search documents: product id = the candidate's index, title = its text."""
    return [SearchDoc(product_id=i, handle=str(i), title=text) for i, text in enumerate(item.candidates)]


def evaluate_candidates(
    items: Sequence[SearchItem],
    embedder: EmbeddingBackend,
    *,
    mode: SearchMode = "hybrid",
    progress: bool = False,
    console: Console | None = None,
) -> tuple[SearchEvalReport, list[QueryResult]]:
    """Rank every line's candidates with an index of their own; ``relevant`` are indices."""
    console = console or Console(stderr=True)
    docs_per_item = [candidate_docs(item) for item in items]
    cache: dict[str, np.ndarray] = {}
    tokens: dict[str, list[str]] = {}
    if mode != "bm25":  # every distinct text of the file at once, so the bar shows the real work
        every = [doc for docs in docs_per_item for doc in docs]
        embed_documents(every, embedder, cache=cache, progress=progress, console=console, label="candidates")
    results = []
    with progress_bar(console, f"search ({mode})", progress) as bar:
        task = bar.add_task("queries", total=len(items))
        for item, docs in zip(items, docs_per_item, strict=True):
            index = build_index(docs, embedder, mode, cache=cache, token_cache=tokens)
            relevant = {int(i) for i in item.relevant}
            results.append(score_query(item.id, index, item.query, relevant, k=len(docs), mode=mode))
            bar.advance(task)
    return summarize(results, mode=mode, embedder=embedder, catalog=None), results


def evaluate_catalog(
    items: Sequence[SearchItem],
    catalog: Catalog,
    embedder: EmbeddingBackend,
    *,
    mode: SearchMode = "hybrid",
    progress: bool = False,
    console: Console | None = None,
) -> tuple[SearchEvalReport, list[QueryResult]]:
    """Index ``catalog`` once and rank its :data:`CATALOG_DEPTH` best products for every query;
    ``relevant`` are product ids of the catalog (see :func:`check_relevant_ids`)."""
    console = console or Console(stderr=True)
    index = build_index(
        catalog.docs, embedder, mode, progress=progress, console=console, label="indexing catalog"
    )
    results = []
    with progress_bar(console, f"search ({mode})", progress) as bar:
        task = bar.add_task("queries", total=len(items))
        for item in items:
            relevant = {catalog.row_of[str(pid)] for pid in item.relevant}
            results.append(score_query(item.id, index, item.query, relevant, k=CATALOG_DEPTH, mode=mode))
            bar.advance(task)
    return summarize(results, mode=mode, embedder=embedder, catalog=catalog), results


def summarize(
    results: Sequence[QueryResult], *, mode: SearchMode, embedder: EmbeddingBackend, catalog: Catalog | None
) -> SearchEvalReport:
    n = len(results)

    def mean(values: list[float]) -> float:
        return round(sum(values) / n, 4) if n else 0.0

    return SearchEvalReport(
        n=n,
        mrr=mean([r.reciprocal_rank for r in results]),
        hit_at_1=mean([r.hit_at_1 for r in results]),
        ndcg_at_10=mean([r.ndcg_at_10 for r in results]),
        p50_ms=round(percentile([r.ms for r in results], 50), 3),
        mode=mode,
        embed_model=None if mode == "bm25" else embedder.model,
        catalog=None if catalog is None else str(catalog.path),
        products=None if catalog is None else len(catalog.docs),
    )
