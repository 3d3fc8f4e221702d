"""Policy manuals in JSON (flows -> subflows -> instructions and actions) through the knowledge importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from shopops.embed.hashing import HashEmbedder
from shopops.errors import ImportValidationError, InputError
from shopops.ingest import import_file
from shopops.ingest.policy_manual import is_policy_manual, policy_manual_markdown
from shopops.store.db import Database
from shopops.store.models import KnowledgeDocument
from shopops.support.chunking import DocumentText, chunk_document
from shopops.support.index import KnowledgeIndex

MANUAL = {
    "Product Defect": {
        "description": "refunds and returns",
        "subflows": {
            "Initiate Refund": {
                "actions": [
                    {
                        "type": "interaction",
                        "button": "Pull up Account",
                        "text": "Ask for the full name or Account ID and use [Pull up Account].",
                        "subtext": [],
                    },
                    {
                        "type": "interaction",
                        "button": "Record Reason",
                        "text": "Refund method in [Record Reason] - valid options are",
                        "subtext": [
                            "Gift card - ask for their address.",
                            "Credit card - refund to the card on file.",
                        ],
                    },
                    {
                        "type": "interaction",
                        "button": "Offer Refund",
                        "text": "Dollar amount - enter it without the dollar sign",
                        "subtext": ["If the customer does not know, the default amount is $50"],
                    },
                ],
                "instructions": [
                    "Start by asking for the refund reason.",
                    "As always, wrap up by asking if the customer needs anything else.",
                ],
            },
        },
    },
    "Order Issue": {
        "description": "get status of an order or change an order",
        "subflows": {
            "Status Payment Method": {
                "actions": [
                    {"type": "interaction", "button": "Update Order", "text": "x", "subtext": []},
                    {
                        "type": "communication",
                        "button": "N/A",
                        "text": "Explain in natural language.",
                        "subtext": [],
                    },
                ],
            },
            "Empty": {"actions": []},
        },
    },
}

EXPECTED = """# Product Defect

Refunds and returns.

## Initiate Refund

Start by asking for the refund reason.

- Ask for the full name or Account ID and use [Pull up Account].
- Refund method in [Record Reason] - valid options are
  - Gift card - ask for their address.
  - Credit card - refund to the card on file.
- Offer Refund: Dollar amount - enter it without the dollar sign
  - If the customer does not know, the default amount is $50

As always, wrap up by asking if the customer needs anything else.

# Order Issue

Get status of an order or change an order.

## Status Payment Method

- Update Order
- Explain in natural language."""


def documents(db: Database) -> dict[str, KnowledgeDocument]:
    with db.session() as s:
        return {d.source_key: d for d in s.scalars(select(KnowledgeDocument))}


def test_shape_detection() -> None:
    assert is_policy_manual(MANUAL)
    assert not is_policy_manual({}) and not is_policy_manual({"questions": []})
    assert not is_policy_manual({"Flow": {"description": "no subflows"}}) and not is_policy_manual([MANUAL])


def test_manual_becomes_markdown_with_flows_subflows_steps_and_notes() -> None:
    content, errors = policy_manual_markdown(MANUAL)
    assert errors == [] and content == EXPECTED


def test_import_stores_a_policy_document_that_chunks_per_subflow(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "agent_guidelines.json"
    path.write_text(json.dumps(MANUAL), encoding="utf-8")
    report = import_file(db, "knowledge", path)
    assert report.created == 1 and report.formats == ["manual"]
    doc = documents(db)["agent_guidelines.json"]
    assert (doc.kind, doc.format, doc.title, doc.language) == ("manual", "manual", "Agent guidelines", "en")
    assert doc.content == EXPECTED
    passages = chunk_document(DocumentText(doc.source_key, doc.title, doc.content, doc.kind))
    assert [p.heading for p in passages] == [
        "Product Defect",
        "Product Defect › Initiate Refund",
        "Order Issue",
        "Order Issue › Status Payment Method",
    ]
    assert import_file(db, "knowledge", path).unchanged == 1


def test_bad_subflows_are_reported_and_unknown_json_is_still_refused(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "manual.json"
    bad.write_text(json.dumps({"Flow": {"subflows": {"A": "not an object", "B": {"actions": "x"}}}}))
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "knowledge", bad)
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "subflows.A"), (1, "subflows.B.actions")]
    other = tmp_path / "settings.json"
    other.write_text(json.dumps({"theme": "dark", "flows": {"a": 1}}))
    with pytest.raises(InputError, match="not an FAQ or a policy manual"):
        import_file(db, "knowledge", other)


def test_the_shared_abcd_guidelines_import_and_retrieve(db: Database, shared_data: Path) -> None:
    path = shared_data / "support" / "abcd_guidelines.json"
    report = import_file(db, "knowledge", path)
    assert report.created == 1 and report.rejected == 0
    doc = documents(db)["abcd_guidelines.json"]
    assert doc.kind == "manual" and doc.format == "manual"
    flows = json.loads(path.read_text(encoding="utf-8"))
    assert doc.content.count("\n# ") + 1 == len(flows) == 10
    assert doc.content.count("\n## ") == sum(len(f["subflows"]) for f in flows.values()) == 55
    assert "## Initiate Refund" in doc.content and "[Pull up Account]" in doc.content
    index = KnowledgeIndex.from_documents(
        [DocumentText(doc.source_key, doc.title, doc.content, doc.kind, doc.language)], HashEmbedder()
    )
    assert all(len(p.text) <= 700 for p in index.passages)
    top = index.search("I want to change the payment method on my order", k=1)[0]
    assert top.passage.heading == "Order Issue › Status Payment Method"
    assert index.search("refund to a gift card", k=1)[0].passage.heading == "Product Defect › Initiate Refund"
