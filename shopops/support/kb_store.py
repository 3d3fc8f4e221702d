"""The stored knowledge index: chunks with embeddings in ``knowledge_chunks``, re-built per document.

:func:`sync_knowledge` brings the chunks in line with the documents. A document is re-chunked and
re-embedded when its ``content_hash`` differs from the ``document_hash`` its chunks were made from,
when its chunks were embedded by another model than the configured one, or when it has none; every
other document is left alone, so a re-run after editing one FAQ embeds that FAQ's passages only.
Chunks whose document is gone (the foreign key cascades, but not on a SQLite connection without
``PRAGMA foreign_keys``) are deleted. Documents are written a group at a time, each group in its own
transaction, so an interrupted sync keeps what it finished and the next run does the rest.

:func:`load_index` builds a :class:`KnowledgeIndex` from the stored chunks without embedding
anything, and keeps it per database and embedding model; a cheap version stamp (chunk count and
highest id, document count and latest update) read on every call tells when to rebuild.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopops.embed.base import EmbeddingBackend, batched
from shopops.ingest.base import ProgressFn, chunked
from shopops.store.db import Database
from shopops.store.models import KnowledgeChunk, KnowledgeDocument
from shopops.support.chunking import DocumentText, chunk_document, searchable_text
from shopops.support.types import Passage

if TYPE_CHECKING:  # imported where used: shopops.support.index re-exports this module's functions
    from shopops.support.index import KnowledgeIndex

log = logging.getLogger(__name__)

GROUP_PASSAGES = 256  # passages embedded and written per transaction (documents are never split)
HEADING_MAX = KnowledgeChunk.__table__.c.heading.type.length or 500
EMBEDDING_DTYPE = np.dtype("<f4")  # float32 little-endian, as the column documents
_sync_lock = threading.Lock()  # one sync at a time per process (API requests may each ask for one)


@dataclass
class SyncReport:
    """What :func:`sync_knowledge` did."""

    documents: int = 0  # knowledge documents in the store
    indexed: int = 0  # documents (re)chunked and embedded by this run
    unchanged: int = 0  # documents whose chunks were current
    removed: int = 0  # documents whose chunks were deleted (the document is gone)
    passages: int = 0  # passages embedded by this run
    embed_model: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_current(state: Any, content_hash: str, model: str) -> bool:
    """Whether a document's chunks (their aggregate row) were made from this content by this model."""
    if state is None:
        return False
    return (
        state.embedded == state.chunks
        and state.min_hash == state.max_hash == content_hash
        and state.min_model == state.max_model == model
    )


def _chunk_states(session: Session) -> dict[int, Any]:
    c = KnowledgeChunk
    rows = session.execute(
        select(
            c.document_id,
            func.count(c.id).label("chunks"),
            func.count(c.embedding).label("embedded"),
            func.min(c.document_hash).label("min_hash"),
            func.max(c.document_hash).label("max_hash"),
            func.min(c.embed_model).label("min_model"),
            func.max(c.embed_model).label("max_model"),
        ).group_by(c.document_id)
    )
    return {row.document_id: row for row in rows}


def _document_text(row: Any) -> DocumentText:
    return DocumentText(
        key=row.source_key, title=row.title, content=row.content, kind=row.kind, language=row.language
    )


def _chunk_rows(
    document_id: int, content_hash: str, passages: list[Passage], vectors: np.ndarray, model: str
) -> list[dict[str, Any]]:
    return [
        {
            "document_id": document_id,
            "position": position,
            "heading": passage.heading[:HEADING_MAX],
            "text": passage.text,
            "document_hash": content_hash,
            "embed_model": model,
            "embedding": np.asarray(vector, dtype=EMBEDDING_DTYPE).tobytes(),
        }
        for position, (passage, vector) in enumerate(zip(passages, vectors, strict=True))
    ]


def sync_knowledge(
    db: Database, embedder: EmbeddingBackend, progress: ProgressFn | None = None
) -> SyncReport:
    """Chunk and embed the documents whose chunks are missing or out of date; drop orphan chunks.

    ``progress`` is called as ``("embedding", passages done, passages to embed)``.
    """
    with _sync_lock:
        return _sync(db, embedder, progress)


def _sync(db: Database, embedder: EmbeddingBackend, progress: ProgressFn | None) -> SyncReport:
    d = KnowledgeDocument
    report = SyncReport(embed_model=embedder.model)
    with db.session() as session:
        hashes = dict(session.execute(select(d.id, d.content_hash)).tuples().all())
        states = _chunk_states(session)
        orphans = sorted(set(states) - set(hashes))
        for batch in chunked(orphans, 500):
            session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.document_id.in_(batch)))
        stale = sorted(i for i, h in hashes.items() if not _is_current(states.get(i), h, embedder.model))
        documents: list[tuple[int, str, list[Passage]]] = []
        for batch in chunked(stale, 500):
            columns = (d.id, d.source_key, d.title, d.kind, d.language, d.content, d.content_hash)
            for row in session.execute(select(*columns).where(d.id.in_(batch)).order_by(d.id)):
                documents.append((row.id, row.content_hash, chunk_document(_document_text(row))))
    report.documents = len(hashes)
    report.removed = len(orphans)
    report.unchanged = len(hashes) - len(stale)
    # A document that chunks to nothing and had no chunks is as current as it can be.
    empty = [doc for doc in documents if not doc[2] and doc[0] not in states]
    report.unchanged += len(empty)
    documents = [doc for doc in documents if doc[2] or doc[0] in states]
    total = sum(len(passages) for _, _, passages in documents)
    if progress:
        progress("embedding", 0, total)
    for group in _groups(documents):
        vectors = _embed([p for _, _, passages in group for p in passages], embedder, report, total, progress)
        _write_group(db, group, vectors, embedder.model, report)
    return report


def _groups(
    documents: list[tuple[int, str, list[Passage]]],
) -> list[list[tuple[int, str, list[Passage]]]]:
    groups: list[list[tuple[int, str, list[Passage]]]] = [[]]
    size = 0
    for doc in documents:
        if groups[-1] and size + len(doc[2]) > GROUP_PASSAGES:
            groups.append([])
            size = 0
        groups[-1].append(doc)
        size += len(doc[2])
    return [g for g in groups if g]


def _embed(
    passages: list[Passage],
    embedder: EmbeddingBackend,
    report: SyncReport,
    total: int,
    progress: ProgressFn | None,
) -> np.ndarray:
    parts = [np.zeros((0, embedder.dim), dtype=np.float32)]
    for batch in batched([searchable_text(p) for p in passages], max(embedder.batch_size, 1)):
        parts.append(embedder.embed_passages(batch))
        report.passages += len(batch)
        if progress:
            progress("embedding", report.passages, total)
    return np.concatenate(parts)


def _write_group(
    db: Database,
    group: list[tuple[int, str, list[Passage]]],
    vectors: np.ndarray,
    model: str,
    report: SyncReport,
) -> None:
    """Replace the chunks of the group's documents, skipping any edited or deleted meanwhile; if
    another process wrote the same chunks first, this group is left to it. Either way the next
    sync checks those documents again."""
    d = KnowledgeDocument
    ids = [doc_id for doc_id, _, _ in group]
    written = 0
    try:
        with db.session() as session:
            now = dict(session.execute(select(d.id, d.content_hash).where(d.id.in_(ids))).tuples().all())
            rows: list[dict[str, Any]] = []
            offset = 0
            for doc_id, content_hash, passages in group:
                own = vectors[offset : offset + len(passages)]
                offset += len(passages)
                if now.get(doc_id) != content_hash:
                    continue
                session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.document_id == doc_id))
                rows.extend(_chunk_rows(doc_id, content_hash, passages, own, model))
                written += 1
            for part in chunked(rows, 500):
                session.execute(insert(KnowledgeChunk), part)
    except IntegrityError as exc:  # a concurrent sync in another process, or a document deleted
        log.warning("knowledge chunks of %d document(s) not written: %s", len(ids), exc.orig or exc)
        return
    report.indexed += written


# --- the in-process index cache --------------------------------------------------------------

_cache: dict[tuple[str, str], tuple[tuple[Any, ...], KnowledgeIndex]] = {}
_cache_lock = threading.Lock()


def _stamp(session: Session, model: str) -> tuple[Any, ...]:
    c, d = KnowledgeChunk, KnowledgeDocument
    chunks = session.execute(select(func.count(c.id), func.max(c.id)).where(c.embed_model == model)).one()
    documents = session.execute(select(func.count(d.id), func.max(d.updated_at))).one()
    return (*chunks, *documents)


def _load(session: Session, embedder: EmbeddingBackend) -> KnowledgeIndex:
    from shopops.support.index import KnowledgeIndex

    c, d = KnowledgeChunk, KnowledgeDocument
    rows = session.execute(
        select(c.position, c.heading, c.text, c.embedding, d.source_key, d.title, d.language, d.kind)
        .join(d, d.id == c.document_id)
        .where(c.embed_model == embedder.model, c.embedding.is_not(None))
        .order_by(d.source_key, c.position)
    ).all()
    width = embedder.dim * EMBEDDING_DTYPE.itemsize
    usable = [row for row in rows if len(row.embedding) == width]
    passages = [
        Passage(
            id=f"{row.source_key}#{row.position}",
            document_key=row.source_key,
            title=row.title,
            heading=row.heading,
            text=row.text,
            language=row.language,
            kind=row.kind,
        )
        for row in usable
    ]
    vectors = (
        np.frombuffer(b"".join(row.embedding for row in usable), dtype=EMBEDDING_DTYPE)
        .reshape(len(usable), embedder.dim)
        .astype(np.float32)
    )
    other = session.scalar(select(func.count(c.id)).where(c.embed_model != embedder.model)) or 0
    if other or len(usable) < len(rows):
        log.warning(
            "%d knowledge passage(s) are not embedded with %s and are left out of the index; "
            "run `shopops support index`",
            other + len(rows) - len(usable),
            embedder.model,
        )
    return KnowledgeIndex.build(passages, embedder, embeddings=vectors)


def load_index(db: Database, embedder: EmbeddingBackend) -> KnowledgeIndex:
    """The index of the stored chunks embedded by ``embedder``'s model (run :func:`sync_knowledge`
    first to include new or edited documents). Cached per database and model; rebuilt when the
    chunks or documents change."""
    key = (db.url, embedder.model)
    with db.session() as session:
        stamp = _stamp(session, embedder.model)
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1].with_embedder(embedder)
        with _cache_lock:
            cached = _cache.get(key)
            if cached is None or cached[0] != stamp:
                cached = (stamp, _load(session, embedder))
                _cache[key] = cached
    return cached[1].with_embedder(embedder)


def clear_index_cache() -> None:
    """Forget every cached index (tests; after replacing a database file)."""
    with _cache_lock:
        _cache.clear()
