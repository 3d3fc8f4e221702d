"""Knowledge documents: Markdown, HTML, text and JSON FAQs, keyed by path under the import root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from shopops.errors import ImportValidationError, InputError
from shopops.ingest import import_file
from shopops.store.db import Database
from shopops.store.models import KnowledgeDocument

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def documents(db: Database) -> dict[str, KnowledgeDocument]:
    with db.session() as s:
        return {d.source_key: d for d in s.scalars(select(KnowledgeDocument))}


def test_directory_import(db: Database) -> None:
    report = import_file(db, "knowledge", FIXTURES / "knowledge")
    assert report.created == 4 and report.files == 4  # notes.csv is not a document
    docs = documents(db)
    assert set(docs) == {"faq.json", "policies/returns.md", "shipping.html", "warranty.txt"}
    html = docs["shipping.html"]
    assert html.title == "Shipping information" and html.format == "html"
    assert html.content == (
        "# Shipping\n\nOrders ship within 2 business days.\n\n## International\n\n"
        "- Canada: 5–8 days\n- EU: 7–12 days"
    )
    faq = docs["faq.json"]
    assert faq.kind == "faq" and faq.content.startswith(
        "## How do I track my order?\n\nUse the tracking link"
    )
    assert docs["policies/returns.md"].title == "Returns policy"
    assert docs["policies/returns.md"].kind == "policy" and docs["warranty.txt"].format == "text"
    again = import_file(db, "knowledge", FIXTURES / "knowledge")
    assert again.unchanged == 4


def test_changed_document_updates_in_place(db: Database, tmp_path: Path) -> None:
    doc = tmp_path / "returns.md"
    doc.write_text("# Returns\n\n30 days.\n", encoding="utf-8")
    import_file(db, "knowledge", doc)
    before = documents(db)["returns.md"]
    doc.write_text("# Returns\n\n45 days.\n", encoding="utf-8")
    report = import_file(db, "knowledge", doc)
    after = documents(db)["returns.md"]
    assert report.updated == 1 and after.id == before.id and after.content_hash != before.content_hash


def test_faq_list_form_and_bad_items(db: Database, tmp_path: Path) -> None:
    faq = tmp_path / "help-faq.json"
    faq.write_text(json.dumps([{"question": "Q1?", "answer": "A1."}, {"question": "Q2?", "answer": ""}]))
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "knowledge", faq)
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "answer")]
    good = tmp_path / "other.md"
    good.write_text("Ship fast.\n")
    report = import_file(db, "knowledge", tmp_path, skip_invalid=True)
    assert report.created == 1 and report.rejected == 1 and "help-faq.json" in report.warnings[0]
    with pytest.raises(InputError, match="not an FAQ"):
        faq.write_text('{"title": "no list here"}')
        import_file(db, "knowledge", faq)
