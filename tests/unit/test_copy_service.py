"""The copy service with scripted fake models: the regeneration loop, drafts in the review queue
(SQLite and PostgreSQL), voice profiles and the merchant's compliance rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from shopops.config import Settings
from shopops.context import AppContext
from shopops.copy.service import add_rule, generate_copy, list_rules, remove_rule, write_copy
from shopops.copy.types import CopyKind, CopyRequest, ProductFacts, VoiceProfile
from shopops.copy.voice import get_voice, list_voices, save_voice, update_voice
from shopops.errors import InputError, NotFoundError
from shopops.llm.fake import FakeLLM
from shopops.store import models
from shopops.store.db import Database

FACTS = ProductFacts(
    id="1",
    title="Bamboo Cutting Board",
    category="Cutting Boards",
    attributes={"material": "Moso bamboo"},
    options={"Size": ["Small", "Large"]},
    price=24.0,
    price_max=40.0,
)
TITLE = CopyRequest(product="bamboo-board", kind=CopyKind.TITLE)
INVENTED = json.dumps({"title": "Stainless Steel Cutting Board"})
CLEAN = json.dumps({"title": "Moso Bamboo Cutting Board"})


def add_board(db: Database) -> int:
    with db.session() as session:
        product = models.Product(
            handle="bamboo-board",
            title="Bamboo Cutting Board",
            category="Home > Kitchen > Cutting Boards",
            attributes={"material": "Moso bamboo"},
            option_names=["Size"],
        )
        product.variants = [
            models.ProductVariant(variant_key=size, option_values=[size], price=Decimal(price))
            for size, price in (("Small", "24.00"), ("Large", "40.00"))
        ]
        session.add(product)
        session.flush()
        return product.id


@pytest.fixture
def strict_ctx(settings: Settings) -> Iterator[AppContext]:
    """A context whose copy is never regenerated: the first draft is the one stored."""
    context = AppContext(settings.model_copy(update={"copy_max_regenerations": 0}))
    yield context
    context.close()


def script(ctx: AppContext, *replies: str) -> FakeLLM:
    fake = ctx.llm.backend  # the logged wrapper around the configured fake backend
    assert isinstance(fake, FakeLLM)
    fake.add_script(*replies)
    return fake


def test_an_invented_material_is_regenerated_away() -> None:
    llm = FakeLLM([INVENTED, CLEAN])
    (result,) = generate_copy(llm, FACTS, TITLE, voice=VoiceProfile(), max_regenerations=2)
    assert result.text == "Moso Bamboo Cutting Board" and result.fields == {"title": result.text}
    assert result.checks.regenerations == 1 and not result.checks.blocking
    assert result.checks.claims_checked >= 1
    first, second = llm.requests
    assert second.messages[:2] == first.messages[:2]  # same prefix: the feedback is appended
    assert second.messages[2].role == "assistant" and second.messages[2].content == INVENTED
    feedback = second.messages[3].content
    assert "Stainless Steel" in feedback or "stainless steel" in feedback.lower()
    assert "only these facts" in feedback
    assert first.seed != second.seed and first.task == "copy.title"


def test_when_every_attempt_blocks_the_best_attempt_is_kept() -> None:
    worse = json.dumps({"title": "Stainless Steel Board, FDA approved"})
    llm = FakeLLM([worse, INVENTED, worse])
    (result,) = generate_copy(llm, FACTS, TITLE, voice=VoiceProfile(), max_regenerations=2)
    assert len(llm.requests) == 3 and result.checks.regenerations == 2
    assert result.text == "Stainless Steel Cutting Board" and result.checks.blocking
    assert any("steel" in flag.claim.lower() for flag in result.checks.flags if flag.blocking)


def test_a_refusal_is_flagged_and_regenerated() -> None:
    refusal = json.dumps({"title": "Sorry, I cannot fulfill this request."})
    llm = FakeLLM([refusal, CLEAN])
    (result,) = generate_copy(llm, FACTS, TITLE, voice=VoiceProfile(), max_regenerations=1)
    assert result.text == "Moso Bamboo Cutting Board" and result.checks.regenerations == 1
    assert "refusal" in llm.requests[1].messages[-1].content


def test_a_failed_regeneration_keeps_the_checked_draft() -> None:
    llm = FakeLLM([INVENTED, "not json", "{", "[]"])
    (result,) = generate_copy(llm, FACTS, TITLE, voice=VoiceProfile(), max_regenerations=2)
    assert result.text == "Stainless Steel Cutting Board" and result.checks.blocking
    assert len(llm.requests) == 4  # one draft, then three invalid replies to one regeneration


def test_variants_use_different_seeds_and_no_regeneration_when_clean() -> None:
    llm = FakeLLM([CLEAN, json.dumps({"title": "Bamboo Board, Small or Large"}), CLEAN])
    request = TITLE.model_copy(update={"variants": 3})
    results = generate_copy(llm, FACTS, request, voice=VoiceProfile())
    assert len(results) == 3 and len(llm.requests) == 3
    assert len({r.seed for r in llm.requests}) == 3 and all(r.temperature > 0.5 for r in llm.requests)
    assert all(r.checks.regenerations == 0 and not r.checks.blocking for r in results)


def test_write_copy_stores_checked_drafts(ctx: AppContext) -> None:
    product_id = add_board(ctx.db)
    script(ctx, CLEAN, json.dumps({"title": "Bamboo Board in Small and Large"}))
    request = TITLE.model_copy(update={"variants": 2})
    results = write_copy(ctx, request)
    assert [r.draft_id is not None for r in results] == [True, True]
    with ctx.db.session() as session:
        drafts = list(session.scalars(select(models.Draft).order_by(models.Draft.id)))
        logged = {row.id: row for row in session.scalars(select(models.GenerationLog))}
    assert [d.id for d in drafts] == [r.draft_id for r in results]
    for variant, (draft, result) in enumerate(zip(drafts, results, strict=True)):
        assert (draft.kind, draft.subject_type, draft.subject_id) == (
            "copy.title",
            "product",
            str(product_id),
        )
        assert (draft.status, draft.author) == ("draft", "ai:copy.title")
        assert draft.content["text"] == result.text and draft.content["variant"] == variant
        assert draft.content["language"] == "en" and draft.content["request"]["product"] == "bamboo-board"
        assert set(draft.content) == {"text", "fields", "html", "language", "variant", "request"}
        assert draft.checks == result.checks.as_json() and draft.checks["blocking"] is False
        assert draft.generation_id in logged and logged[draft.generation_id].task == "copy.title"


def test_without_regenerations_a_blocking_draft_lands_with_its_flags(strict_ctx: AppContext) -> None:
    add_board(strict_ctx.db)
    fake = script(strict_ctx, INVENTED)
    (result,) = write_copy(strict_ctx, TITLE)
    assert len(fake.requests) == 1 and result.checks.regenerations == 0
    with strict_ctx.db.session() as session:
        draft = session.get(models.Draft, result.draft_id)
        assert draft is not None and draft.checks["blocking"] is True
        assert any("steel" in flag["claim"].lower() for flag in draft.checks["flags"])


def test_the_merchants_rule_fires_in_write_copy(strict_ctx: AppContext) -> None:
    add_board(strict_ctx.db)
    with strict_ctx.db.session() as session:
        add_rule(session, "store.no-chopping", "chopping board", message="we say cutting board")
    script(strict_ctx, json.dumps({"title": "Bamboo Chopping Board"}))
    (result,) = write_copy(strict_ctx, TITLE)
    (flag,) = [f for f in result.checks.flags if f.kind == "compliance"]
    assert flag.rule == "store.no-chopping" and flag.blocking and "we say cutting board" in flag.message


def test_write_copy_for_an_unknown_product_or_voice(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        write_copy(ctx, TITLE.model_copy(update={"product": "nope"}))
    add_board(ctx.db)
    with pytest.raises(NotFoundError, match="no voice profile named 'brand'"):
        write_copy(ctx, TITLE.model_copy(update={"voice": "brand"}))


def test_voice_profiles(db: Database) -> None:
    with db.session() as session:
        assert get_voice(session) == VoiceProfile() and list_voices(session) == []
        save_voice(session, VoiceProfile(name="calm", tone="calm"))
        save_voice(session, VoiceProfile(name="loud", tone="LOUD", words_to_avoid=["cheap"]))
    with db.session() as session:
        assert get_voice(session).name == "calm"  # the first saved is the default
        assert get_voice(session, "loud").words_to_avoid == ["cheap"]
        update_voice(session, "loud", words_to_use=["bold"], default=True)
    with db.session() as session:
        default = get_voice(session)
        assert (default.name, default.tone, default.words_to_use) == ("loud", "LOUD", ["bold"])
        assert [(v.name, d) for v, d in list_voices(session)] == [("loud", True), ("calm", False)]
        update_voice(session, tone="louder")  # no name: the default voice
        assert get_voice(session, "loud").tone == "louder"
        with pytest.raises(NotFoundError, match="saved: loud, calm"):
            get_voice(session, "quiet")
        with pytest.raises(InputError, match="examples: List should have at most 3 items"):
            update_voice(session, "calm", examples=["a", "b", "c", "d"])


def test_merchant_rules(db: Database) -> None:
    with db.session() as session:
        rule = add_rule(
            session, "store.no-cheap", "cheap", marketplace="Amazon", country="us", warn_only=True
        )
        assert (rule.match, rule.marketplace, rule.country, rule.severity) == ("word", "amazon", "US", "warn")
        add_rule(session, "store.sizes", r"\bXXL\b", regex=True)
    with db.session() as session:
        assert [r.rule_id for r in list_rules(session)] == ["store.no-cheap", "store.sizes"]
        with pytest.raises(InputError, match="already exists"):
            add_rule(session, "store.sizes", "x")
        with pytest.raises(InputError, match="invalid regular expression"):
            add_rule(session, "store.bad", "([", regex=True)
        with pytest.raises(InputError, match="invalid rule id"):
            add_rule(session, "bad id", "x")
        with pytest.raises(InputError, match="country"):
            add_rule(session, "store.c", "x", country="USA")
        remove_rule(session, "store.sizes")
        with pytest.raises(NotFoundError):
            remove_rule(session, "store.sizes")
    with db.session() as session:
        assert [r.rule_id for r in list_rules(session)] == ["store.no-cheap"]
