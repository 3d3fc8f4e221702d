"""The review queue on SQLite and PostgreSQL: blocking flags refuse approval until an edit fixes
them or a reason overrides them; every action leaves an audit row."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from shopops.copy.types import CopyChecks, Flag
from shopops.errors import InputError, NotFoundError
from shopops.store import models
from shopops.store.db import Database
from shopops.workflow.drafts import (
    approve_draft,
    audit_trail,
    edit_draft,
    get_draft,
    list_drafts,
    reject_draft,
)

INVENTED = Flag(
    kind="unsupported",
    message="material 'stainless steel' is not in the product record",
    claim="stainless steel",
    field="attributes.material",
)


def add_board(db: Database) -> int:
    with db.session() as session:
        product = models.Product(
            handle="bamboo-board",
            title="Bamboo Cutting Board",
            category="Cutting Boards",
            attributes={"material": "Moso bamboo"},
            option_names=["Size"],
        )
        product.variants = [
            models.ProductVariant(variant_key="s", option_values=["Small"], price=Decimal("24.00"))
        ]
        session.add(product)
        session.flush()
        return product.id


def add_draft(
    db: Database, product_id: int, *, kind: str = "copy.title", text: str, flags: Sequence[Flag] = ()
) -> int:
    checks = CopyChecks(flags=list(flags), claims_checked=2, regenerations=2).as_json()
    content: dict[str, Any] = {
        "text": text,
        "fields": {"title": text},
        "html": "",
        "language": "en",
        "variant": 0,
        "request": {"product": str(product_id), "kind": "title", "language": "en"},
    }
    with db.session() as session:
        draft = models.Draft(
            kind=kind,
            subject_type="product",
            subject_id=str(product_id),
            content=content,
            checks=checks,
            author="ai:copy.title",
        )
        session.add(draft)
        session.flush()
        return draft.id


def test_approval_is_refused_while_flags_block_then_allowed_after_a_fixing_edit(db: Database) -> None:
    product_id = add_board(db)
    draft_id = add_draft(db, product_id, text="Stainless Steel Cutting Board", flags=[INVENTED])
    with pytest.raises(InputError) as refused:
        approve_draft(db, draft_id, "ana@example.com")
    message = str(refused.value)
    assert f"draft {draft_id} cannot be approved: 1 blocking flag(s)" in message
    assert "stainless steel" in message and "attributes.material" in message
    assert "drafts edit" in message and "copy write" in message and "--override" in message
    assert get_draft(db, draft_id).status == "draft"

    edited = edit_draft(db, draft_id, "ana@example.com", text="Moso Bamboo Cutting Board")
    assert edited.content["text"] == "Moso Bamboo Cutting Board"
    assert edited.content["fields"] == {"title": "Moso Bamboo Cutting Board"}
    assert edited.content["edited_by"] == "ana@example.com"
    assert edited.checks["blocking"] is False and edited.checks["claims_checked"] >= 1
    assert edited.checks["regenerations"] == 2  # the generation history is kept

    approved = approve_draft(db, draft_id, "ana@example.com")
    assert approved.status == "approved" and approved.review_note == ""
    trail = audit_trail(db, draft_id)
    assert [row.action for row in trail] == ["draft.edit", "draft.approve"]
    assert all(row.actor == "ana@example.com" and row.entity_type == "draft" for row in trail)
    assert trail[0].before["content"]["text"] == "Stainless Steel Cutting Board"
    assert trail[0].after["content"]["text"] == "Moso Bamboo Cutting Board"
    assert (trail[1].before["status"], trail[1].after["status"]) == ("draft", "approved")

    with pytest.raises(InputError, match="already approved"):
        approve_draft(db, draft_id, "ana@example.com")
    with pytest.raises(InputError, match="already approved"):
        edit_draft(db, draft_id, "ana@example.com", text="Another title")


def test_an_edit_that_keeps_an_invented_claim_still_blocks(db: Database) -> None:
    product_id = add_board(db)
    draft_id = add_draft(db, product_id, text="Bamboo Cutting Board")
    edited = edit_draft(db, draft_id, "ana@example.com", text="Stainless steel cutting board")
    assert edited.checks["blocking"] is True
    assert any("steel" in flag["claim"].lower() for flag in edited.checks["flags"])
    with pytest.raises(InputError, match="blocking"):
        approve_draft(db, draft_id, "ana@example.com")


def test_override_with_a_reason_approves_and_is_recorded(db: Database) -> None:
    product_id = add_board(db)
    draft_id = add_draft(db, product_id, text="Stainless Steel Cutting Board", flags=[INVENTED])
    with db.session() as session:
        session.add(models.User(email="boss@example.com", name="Boss", role="manager"))
    with pytest.raises(InputError):
        approve_draft(db, draft_id, "boss@example.com", override_reason="   ")  # blank is no reason
    approved = approve_draft(
        db, draft_id, "boss@example.com", override_reason="the steel edge band is real; record is stale"
    )
    assert approved.status == "approved" and approved.reviewer_id is not None
    assert approved.review_note == "override: the steel edge band is real; record is stale"
    (row,) = audit_trail(db, draft_id)
    assert row.action == "draft.approve_override" and row.actor == "boss@example.com"
    assert row.after["review_note"].startswith("override:") and row.before["status"] == "draft"


def test_reject_needs_a_reason(db: Database) -> None:
    product_id = add_board(db)
    draft_id = add_draft(db, product_id, text="Bamboo Cutting Board")
    with pytest.raises(InputError, match="reason is required"):
        reject_draft(db, draft_id, "ana@example.com", "  ")
    rejected = reject_draft(db, draft_id, "ana@example.com", "too plain")
    assert rejected.status == "rejected" and rejected.review_note == "too plain"
    assert rejected.reviewer_id is None  # not a known user: the actor string is in the audit row
    assert [r.action for r in audit_trail(db, draft_id)] == ["draft.reject"]
    with pytest.raises(InputError, match="already rejected"):
        approve_draft(db, draft_id, "ana@example.com", override_reason="changed my mind")


def test_list_filters_and_pages(db: Database) -> None:
    product_id = add_board(db)
    ids = [add_draft(db, product_id, text=f"Title {i}") for i in range(5)]
    summary = add_draft(db, product_id, kind="copy.summary", text="A summary")
    other = add_draft(db, product_id + 1000, kind="support.reply", text="Hello")
    reject_draft(db, ids[0], "ana", "no")

    everything = list_drafts(db)
    assert everything.total == 7 and [d.id for d in everything.items][:2] == [other, summary]
    copy = list_drafts(db, kind="copy.")
    assert copy.total == 6 and all(d.kind.startswith("copy.") for d in copy.items)
    assert list_drafts(db, kind="copy.title", status="draft").total == 4
    assert list_drafts(db, status="rejected").items[0].id == ids[0]
    assert list_drafts(db, subject_id=str(product_id + 1000)).items[0].kind == "support.reply"
    assert list_drafts(db, kind="copy%").total == 0  # a prefix, not a LIKE pattern
    page = list_drafts(db, kind="copy.title", limit=2, offset=2)
    assert (page.total, len(page.items), page.limit, page.offset) == (5, 2, 2, 2)
    assert [d.id for d in page.items] == [ids[2], ids[1]]
    with pytest.raises(InputError, match="unknown draft status"):
        list_drafts(db, status="published")
    with pytest.raises(InputError):
        list_drafts(db, limit=0)


def test_non_copy_drafts_are_edited_by_text_without_copy_checks(db: Database) -> None:
    product_id = add_board(db)
    draft_id = add_draft(db, product_id, kind="copy.summary", text="A summary")
    edited = edit_draft(db, draft_id, "ana", text="A better summary")
    assert edited.content["text"] == "A better summary" and edited.checks["claims_checked"] == 2
    with pytest.raises(InputError, match="nothing to change"):
        edit_draft(db, draft_id, "ana")
    with pytest.raises(InputError, match="empty"):
        edit_draft(db, draft_id, "ana", text="  ")
    with pytest.raises(InputError, match="actor"):
        edit_draft(db, draft_id, " ", text="x")


def test_missing_draft_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no draft 999"):
        get_draft(db, 999)
    with pytest.raises(NotFoundError):
        approve_draft(db, 999, "ana")
    with db.session() as session:
        assert session.scalars(select(models.AuditLog)).first() is None
