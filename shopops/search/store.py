"""The stored search index: BM25 tokens and an embedding per product in ``product_search_docs``.

:func:`sync_search_index` brings the stored rows in line with the catalog. A product is re-tokenised
and re-embedded when its search text (:func:`~shopops.search.documents.text_hash`) differs from the
stored one, when its row was embedded by another model than the configured one, or when it has none;
every other product is left alone, so a re-sync after editing one product embeds that product only.
Rows of deleted or archived products are removed. Products are embedded and written a group at a
time, each group in its own transaction: an interrupted sync keeps what it finished and the next run
does the rest (the import command and the first search after a catalog change both call it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from shopops.embed.base import EmbeddingBackend
from shopops.ingest.base import ProgressFn, chunked
from shopops.search.documents import embed_text, load_documents, search_text, text_hash
from shopops.search.types import SearchDoc
from shopops.store.db import Database
from shopops.store.models import Product, ProductSearchDoc
from shopops.support.tokens import tokenize

log = logging.getLogger(__name__)

GROUP_PRODUCTS = 256  # products embedded and written per transaction
EMBEDDING_DTYPE = np.dtype("<f4")
_sync_lock = threading.Lock()


@dataclass
class IndexSyncReport:
    """What :func:`sync_search_index` did."""

    products: int = 0  # active products in the catalog
    indexed: int = 0  # products (re)tokenised and embedded by this run
    unchanged: int = 0
    removed: int = 0  # stored rows dropped (product deleted or no longer active)
    embed_model: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stored_state(db: Database) -> dict[int, tuple[str, str, bool]]:
    """product id -> (text hash, embedding model, has an embedding) of the stored rows."""
    s = ProductSearchDoc
    with db.session() as session:
        rows = session.execute(select(s.product_id, s.text_hash, s.embed_model, s.embedding.is_not(None)))
        return {row[0]: (row[1], row[2], bool(row[3])) for row in rows}


def sync_search_index(
    db: Database, embedder: EmbeddingBackend, progress: ProgressFn | None = None
) -> IndexSyncReport:
    """Tokenise and embed the products whose stored rows are missing or stale; drop orphan rows.

    ``progress`` is called as ``("embedding", products done, products to embed)``."""
    import time

    started = time.perf_counter()
    with _sync_lock:
        report = _sync(db, embedder, progress)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _sync(db: Database, embedder: EmbeddingBackend, progress: ProgressFn | None) -> IndexSyncReport:
    report = IndexSyncReport(embed_model=embedder.model)
    with db.session() as session:
        docs = load_documents(session)
    stored = _stored_state(db)
    active = {doc.product_id for doc in docs}
    orphans = sorted(set(stored) - active)
    if orphans:
        with db.session() as session:
            for batch in chunked(orphans, 500):
                session.execute(delete(ProductSearchDoc).where(ProductSearchDoc.product_id.in_(batch)))
    stale: list[tuple[SearchDoc, str]] = []
    for doc in docs:
        digest = text_hash(doc)
        if stored.get(doc.product_id) != (digest, embedder.model, True):
            stale.append((doc, digest))
    report.products = len(docs)
    report.removed = len(orphans)
    report.unchanged = len(docs) - len(stale)
    if progress:
        progress("embedding", 0, len(stale))
    done = 0
    for group in chunked(stale, GROUP_PRODUCTS):
        vectors = embedder.embed_passages([embed_text(doc) for doc, _ in group])
        report.indexed += _write_group(db, group, vectors, embedder.model)
        done += len(group)
        if progress:
            progress("embedding", done, len(stale))
    return report


def _write_group(
    db: Database, group: Sequence[tuple[SearchDoc, str]], vectors: np.ndarray, model: str
) -> int:
    """Replace the stored rows of the group's products, skipping any deleted meanwhile (an edit made
    meanwhile is caught by the next sync: its hash no longer matches)."""
    ids = [doc.product_id for doc, _ in group]
    try:
        with db.session() as session:
            alive = set(session.scalars(select(Product.id).where(Product.id.in_(ids))))
            session.execute(delete(ProductSearchDoc).where(ProductSearchDoc.product_id.in_(ids)))
            rows = [
                ProductSearchDoc(
                    product_id=doc.product_id,
                    text_hash=digest,
                    tokens=" ".join(tokenize(search_text(doc))),
                    embed_model=model,
                    embedding=np.asarray(vector, dtype=EMBEDDING_DTYPE).tobytes(),
                )
                for (doc, digest), vector in zip(group, vectors, strict=True)
                if doc.product_id in alive
            ]
            session.add_all(rows)
    except IntegrityError as exc:  # a concurrent sync in another process wrote them first
        log.warning("search rows of %d product(s) not written: %s", len(ids), exc.orig or exc)
        return 0
    return len(rows)


@dataclass(frozen=True)
class StoredRows:
    """The stored tokens and embeddings of the given products, aligned with ``product_ids``;
    ``missing`` lists products that have no usable row for the model (not yet synced)."""

    product_ids: list[int]
    token_lists: list[list[str]]
    vectors: np.ndarray
    missing: list[int]


def read_rows(db: Database, product_ids: Sequence[int], model: str, dim: int) -> StoredRows:
    """Stored rows for ``product_ids`` in that order (rows made by another model count as missing)."""
    s = ProductSearchDoc
    wanted = set(product_ids)
    found: dict[int, tuple[str, bytes]] = {}
    width = dim * EMBEDDING_DTYPE.itemsize
    with db.session() as session:
        query = select(s.product_id, s.tokens, s.embedding).where(s.embed_model == model)
        for pid, tokens, embedding in session.execute(query):
            if pid in wanted and embedding is not None and len(embedding) == width:
                found[pid] = (tokens, embedding)
    kept = [pid for pid in product_ids if pid in found]
    vectors = (
        np.frombuffer(b"".join(found[pid][1] for pid in kept), dtype=EMBEDDING_DTYPE)
        .reshape(len(kept), dim)
        .astype(np.float32)
    )
    return StoredRows(
        product_ids=kept,
        token_lists=[found[pid][0].split() for pid in kept],
        vectors=vectors,
        missing=[pid for pid in product_ids if pid not in found],
    )


def catalog_stamp(db: Database, model: str) -> tuple[Any, ...]:
    """Changes whenever a product, a variant (price, stock) or a stored search row changes."""
    from shopops.store.models import ProductVariant

    with db.session() as session:
        products = session.execute(select(func.count(Product.id), func.max(Product.updated_at))).one()
        variants = session.execute(
            select(func.count(ProductVariant.id), func.max(ProductVariant.updated_at))
        ).one()
        rows = session.execute(
            select(func.count(ProductSearchDoc.product_id), func.max(ProductSearchDoc.indexed_at)).where(
                ProductSearchDoc.embed_model == model
            )
        ).one()
    return (*products, *variants, *rows)
