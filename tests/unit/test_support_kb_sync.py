"""The stored knowledge index: incremental sync of chunks and embeddings, the cached index, the CLI."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select

from shopops.cli.main import run
from shopops.config import Settings
from shopops.embed.hashing import HashEmbedder
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import KnowledgeChunk, KnowledgeDocument
from shopops.support.kb_store import clear_index_cache, load_index, sync_knowledge

RETURNS = (
    "# Returns policy\n\nReturn unworn items within 30 days of delivery.\n\n"
    "## Refunds\n\nRefunds take 5 days.\n"
)
SHIPPING = (
    "# Shipping\n\nOrders ship within 2 business days.\n\n## Tracking\n\nA tracking link comes by email.\n"
)
FAQ = [
    {"question": "Can I cancel my order?", "answer": "Yes, until it ships."},
    {"question": "Do you ship to Canada?", "answer": "Yes, in 5-8 business days."},
    {"question": "退货政策是什么？", "answer": "收到商品后30天内可以退货。"},
]


class Counting(HashEmbedder):
    """HashEmbedder that counts the passages it embeds."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.embedded = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_passages(texts)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "returns.md").write_text(RETURNS, encoding="utf-8")
    (root / "shipping.md").write_text(SHIPPING, encoding="utf-8")
    (root / "faq.json").write_text(json.dumps(FAQ, ensure_ascii=False), encoding="utf-8")
    return root


def chunks(db: Database) -> list[KnowledgeChunk]:
    with db.session() as s:
        return list(s.scalars(select(KnowledgeChunk).order_by(KnowledgeChunk.id)))


def chunk_ids_by_document(db: Database) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for chunk in chunks(db):
        out.setdefault(chunk.document_id, []).append(chunk.id)
    return out


def test_first_sync_chunks_and_embeds_everything_and_stores_float32(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)
    embedder = Counting()
    calls: list[tuple[str, int, int]] = []
    report = sync_knowledge(db, embedder, progress=lambda *a: calls.append(a))
    stored = chunks(db)
    assert (report.documents, report.indexed, report.unchanged, report.removed) == (3, 3, 0, 0)
    assert report.passages == len(stored) == embedder.embedded == 7  # 2 + 2 + 3 passages
    assert report.embed_model == "hash-ngrams-256"
    assert calls[0] == ("embedding", 0, 7) and calls[-1] == ("embedding", 7, 7)
    with db.session() as s:
        rows = s.execute(select(KnowledgeDocument.id, KnowledgeDocument.content_hash)).tuples().all()
    hashes = dict(rows)
    for chunk in stored:
        assert chunk.document_hash == hashes[chunk.document_id] and chunk.embed_model == embedder.model
        vector = np.frombuffer(chunk.embedding or b"", dtype="<f4")
        assert vector.shape == (256,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    faq = [c for c in stored if c.heading.startswith(("Can I", "Do you", "退货"))]
    assert [c.position for c in faq] == [0, 1, 2] and faq[2].text.startswith("退货政策是什么？\n\n")


def test_second_sync_embeds_nothing_and_an_edit_re_embeds_only_that_document(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)
    embedder = Counting()
    sync_knowledge(db, embedder)
    before = chunk_ids_by_document(db)
    again = sync_knowledge(db, embedder)
    assert (again.indexed, again.unchanged, again.passages) == (0, 3, 0) and embedder.embedded == 7
    assert chunk_ids_by_document(db) == before

    (kb / "returns.md").write_text(RETURNS + "\n## Exchanges\n\nExchanges are free.\n", encoding="utf-8")
    assert import_file(db, "knowledge", kb).updated == 1
    edited = sync_knowledge(db, embedder)
    assert (edited.indexed, edited.unchanged, edited.passages) == (1, 2, 3) and embedder.embedded == 10
    after = chunk_ids_by_document(db)
    with db.session() as s:
        returns_id = s.scalar(
            select(KnowledgeDocument.id).where(KnowledgeDocument.source_key == "returns.md")
        )
    assert len(after[returns_id]) == 3 and not set(after[returns_id]) & set(before[returns_id])
    assert {k: v for k, v in after.items() if k != returns_id} == {
        k: v for k, v in before.items() if k != returns_id
    }


def test_deleted_documents_lose_their_chunks(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)
    sync_knowledge(db, HashEmbedder())
    with db.session() as s:
        s.execute(delete(KnowledgeDocument).where(KnowledgeDocument.source_key == "shipping.md"))
    report = sync_knowledge(db, HashEmbedder())
    assert (report.documents, report.indexed, report.passages) == (2, 0, 0)
    assert len(chunks(db)) == 5
    assert not any(p.document_key == "shipping.md" for p in load_index(db, HashEmbedder()).passages)


def test_orphan_chunks_are_removed_when_the_database_did_not_cascade(db: Database, kb: Path) -> None:
    if db.dialect != "sqlite":
        pytest.skip("only a SQLite connection can have foreign keys switched off")
    import_file(db, "knowledge", kb)
    sync_knowledge(db, HashEmbedder())
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("DELETE FROM knowledge_documents WHERE source_key = 'faq.json'")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    assert len(chunks(db)) == 7
    report = sync_knowledge(db, HashEmbedder())
    assert (report.removed, report.unchanged, report.passages) == (1, 2, 0) and len(chunks(db)) == 4


def test_a_document_edited_or_deleted_during_a_sync_is_left_for_the_next(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)

    def meddle(phase: str, done: int, total: int) -> None:
        if done == 0:  # after chunking, before anything is written
            with db.session() as s:
                docs = {d.source_key: d for d in s.scalars(select(KnowledgeDocument))}
                docs["returns.md"].content += "\n\nExchanges are free."
                docs["returns.md"].content_hash = "0" * 64
                s.delete(docs["faq.json"])

    report = sync_knowledge(db, HashEmbedder(), progress=meddle)
    assert (report.indexed, report.passages) == (1, 7)  # all embedded, only shipping.md written
    assert {c.heading.split(" › ")[0] for c in chunks(db)} == {"Shipping"}
    follow_up = sync_knowledge(db, HashEmbedder())
    assert (follow_up.documents, follow_up.indexed, follow_up.unchanged) == (2, 1, 1)


def test_a_different_embedding_model_re_embeds_everything(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)
    sync_knowledge(db, HashEmbedder())
    small = Counting(dim=64)
    report = sync_knowledge(db, small)
    assert (report.indexed, report.passages, small.embedded) == (3, 7, 7)
    assert {c.embed_model for c in chunks(db)} == {"hash-ngrams-64"}
    assert len(load_index(db, small)) == 7
    assert len(load_index(db, HashEmbedder())) == 0  # nothing embedded by the other model any more


def test_load_index_uses_stored_vectors_and_caches_until_something_changes(db: Database, kb: Path) -> None:
    import_file(db, "knowledge", kb)
    embedder = Counting()
    sync_knowledge(db, embedder)
    embedded = embedder.embedded
    index = load_index(db, embedder)
    assert embedder.embedded == embedded  # built from the stored vectors
    assert len(index) == 7 and index.search("退货政策", k=1)[0].passage.id == "faq.json#2"
    hit = index.search("how long do refunds take", k=1)[0]
    assert hit.passage.id == "returns.md#1" and hit.passage.title == "Returns policy"
    assert hit.passage.heading == "Returns policy › Refunds"

    started = time.perf_counter()
    again = load_index(db, embedder)
    assert again is index and time.perf_counter() - started < 0.05
    other = HashEmbedder()  # same model, another instance: same data, queries go to the new one
    view = load_index(db, other)
    assert view.embedder is other and view.vectors is index.vectors

    (kb / "shipping.md").write_text(SHIPPING.replace("2 business days", "24 hours"), encoding="utf-8")
    import_file(db, "knowledge", kb)
    sync_knowledge(db, embedder)
    fresh = load_index(db, embedder)
    assert fresh is not index
    assert "24 hours" in fresh.search("how fast do orders ship", k=1)[0].passage.text


def test_load_index_of_an_empty_store(db: Database) -> None:
    index = load_index(db, HashEmbedder())
    assert len(index) == 0 and index.search("returns") == []
    report = sync_knowledge(db, HashEmbedder())
    assert (report.documents, report.indexed, report.passages) == (0, 0, 0)


def shopops(settings: Settings, *args: str) -> int:
    try:
        run(
            [
                "--data-dir",
                str(settings.data_dir),
                "--database-url",
                settings.database_url or "",
                "--embed-backend",
                "hash",
                *args,
            ]
        )
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_support_index_command(settings: Settings, kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert shopops(settings, "import", "knowledge", str(kb)) == 0
    capsys.readouterr()
    assert shopops(settings, "support", "index") == 0
    out = capsys.readouterr().out
    assert "embedding model: hash-ngrams-256" in out
    assert re.search(r"documents indexed now\s*│\s*3\s*│", out)
    assert re.search(r"passages embedded\s*│\s*7\s*│", out)
    assert shopops(settings, "support", "index", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passages"] == 0 and report["unchanged"] == 3 and report["documents"] == 3
