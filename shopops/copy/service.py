"""The copy studio's capability functions: write checked copy, store it as drafts for review.

:func:`generate_copy` is pure (an LLM and facts in, checked results out; no database), so batch
jobs, evaluation and benchmarks call it directly. For each variant it generates under the kind's
bounded schema, renders text and HTML in code, and runs the claim checker. When the checker finds
blocking flags (an invented material, a contradicted capacity, a banned term, a refusal, a prompt
echo) it *regenerates*, telling the model what it wrote and why that is not allowed, up to
``max_regenerations`` times, and keeps the attempt with the fewest blocking flags. Flags that
survive stay on the draft and block its approval (see :mod:`shopops.workflow.drafts`).

:func:`write_copy` is the store-backed adapter the CLI and API call: facts, voice and compliance
rules from the store, results saved as ``copy.<kind>`` drafts in the review queue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.copy.compliance import ComplianceRuleSpec, load_rules, validate_rule
from shopops.copy.facts import facts_from_product, get_product
from shopops.copy.prompts import (
    MAX_TOKENS,
    build_messages,
    feedback_messages,
    output_model,
    render,
    render_fields,
)
from shopops.copy.repair import remove_ungrounded
from shopops.copy.types import CopyChecks, CopyKind, CopyRequest, CopyResult, ProductFacts, VoiceProfile
from shopops.copy.voice import get_voice
from shopops.errors import InputError, NotFoundError, StructuredOutputError
from shopops.llm.base import LLMBackend, Message
from shopops.store.models import ComplianceRule, Draft
from shopops.structured import generate_with_result

if TYPE_CHECKING:
    from shopops.context import AppContext

BASE_SEED = 42
VARIANT_SEED_STEP = 1000  # seeds of different variants never meet across re-asks and regenerations
REGENERATION_SEED_STEP = 100


def task_name(kind: CopyKind | str) -> str:
    return f"copy.{CopyKind(kind).value}"


def _blocking_count(checks: CopyChecks) -> int:
    return sum(flag.blocking for flag in checks.flags)


def generate_variant(
    llm: LLMBackend,
    facts: ProductFacts,
    request: CopyRequest,
    *,
    voice: VoiceProfile,
    variant: int = 0,
    rules: Sequence[ComplianceRuleSpec] | None = None,
    max_regenerations: int = 2,
    max_tokens: int | None = None,
    max_attempts: int = 3,
) -> CopyResult:
    """One checked variant, regenerating with the checker's flags fed back while any block."""
    from shopops.copy.checker import check_copy

    kind = CopyKind(request.kind)
    messages = build_messages(facts, request, voice)
    # The instructions, not the facts: copy may legitimately repeat the merchant's own wording.
    prompt_texts = [m.content for m in messages if m.role == "system"]
    conversation: list[Message] = list(messages)
    temperature = 0.3 if request.variants == 1 else 0.7
    best: CopyResult | None = None
    for attempt in range(max_regenerations + 1):
        try:
            generated = generate_with_result(
                llm,
                conversation,
                output_model(kind),
                task=task_name(kind),
                max_tokens=max_tokens or MAX_TOKENS[kind],
                max_attempts=max_attempts,
                temperature=temperature,
                seed=BASE_SEED + variant * VARIANT_SEED_STEP + attempt * REGENERATION_SEED_STEP,
            )
        except StructuredOutputError:
            if best is None:
                raise
            break  # a failed regeneration keeps the best checked attempt so far
        text, fields, page = render(kind, generated.output)
        checks = check_copy(
            text,
            facts,
            language=request.language,
            rules=rules,
            marketplace=request.marketplace,
            country=request.country,
            prompt_texts=prompt_texts,
        )
        result = CopyResult(
            kind=kind,
            language=request.language,
            text=text,
            fields=fields,
            html=page,
            checks=checks,
            generation_id=generated.result.generation_id,
        )
        if best is None or _blocking_count(checks) < _blocking_count(best.checks):
            best = result
        if not checks.blocking or attempt == max_regenerations:
            break
        conversation += feedback_messages(generated.result.text, checks.flags, request)
    assert best is not None
    best.checks.regenerations = attempt
    if best.checks.blocking:
        best = _repaired(best, facts, request, rules=rules, prompt_texts=prompt_texts)
    return best


def _repaired(
    result: CopyResult,
    facts: ProductFacts,
    request: CopyRequest,
    *,
    rules: Sequence[ComplianceRuleSpec] | None,
    prompt_texts: Sequence[str],
) -> CopyResult:
    """The result with sentences carrying ungrounded claims removed, when that leaves copy with
    fewer blocking flags; otherwise the result unchanged (its flags keep blocking approval)."""
    from shopops.copy.checker import check_copy

    fields, removed = remove_ungrounded(result.fields, result.checks.flags)
    if not removed:
        return result
    text, fields, page = render_fields(result.kind, fields)
    if not text.strip():
        return result
    checks = check_copy(
        text,
        facts,
        language=request.language,
        rules=rules,
        marketplace=request.marketplace,
        country=request.country,
        prompt_texts=prompt_texts,
    )
    if _blocking_count(checks) >= _blocking_count(result.checks):
        return result
    checks.regenerations, checks.removed = result.checks.regenerations, removed
    return result.model_copy(update={"text": text, "fields": fields, "html": page, "checks": checks})


def generate_copy(
    llm: LLMBackend,
    facts: ProductFacts,
    request: CopyRequest,
    *,
    voice: VoiceProfile,
    rules: Sequence[ComplianceRuleSpec] | None = None,
    max_regenerations: int = 2,
    max_tokens: int | None = None,
) -> list[CopyResult]:
    """``request.variants`` checked variants of ``request.kind`` for ``facts`` (no database)."""
    return [
        generate_variant(
            llm,
            facts,
            request,
            voice=voice,
            variant=variant,
            rules=rules,
            max_regenerations=max_regenerations,
            max_tokens=max_tokens,
        )
        for variant in range(request.variants)
    ]


def draft_content(result: CopyResult, request: CopyRequest, variant: int) -> dict[str, Any]:
    return {
        "text": result.text,
        "fields": result.fields,
        "html": result.html,
        "language": result.language,
        "variant": variant,
        "request": request.model_dump(mode="json"),
    }


def save_drafts(session: Session, product_id: int, request: CopyRequest, results: list[CopyResult]) -> None:
    """Store each result as a ``copy.<kind>`` draft and set its ``draft_id``."""
    for variant, result in enumerate(results):
        draft = Draft(
            kind=task_name(result.kind),
            subject_type="product",
            subject_id=str(product_id),
            content=draft_content(result, request, variant),
            checks=result.checks.as_json(),
            status="draft",
            author=f"ai:{task_name(result.kind)}",
            generation_id=result.generation_id,
        )
        session.add(draft)
        session.flush()
        result.draft_id = draft.id


def write_copy(ctx: AppContext, request: CopyRequest, *, max_tokens: int | None = None) -> list[CopyResult]:
    """Generate ``request`` for a stored product with the store's voice and compliance rules, and
    save every variant as a draft in the review queue (with its check results)."""
    with ctx.db.session() as session:
        product = get_product(session, request.product)
        product_id, facts = product.id, facts_from_product(product)
        voice = get_voice(session, request.voice)
        rules = load_rules(session)
    # No session is held while the model writes: generations take seconds and log themselves.
    results = generate_copy(
        ctx.llm,
        facts,
        request,
        voice=voice,
        rules=rules,
        max_regenerations=ctx.settings.copy_max_regenerations,
        max_tokens=max_tokens,
    )
    with ctx.db.session() as session:
        save_drafts(session, product_id, request, results)
    return results


# -- the merchant's own compliance rules (rows of ``compliance_rules``) ----------------------------

RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")


def add_rule(
    session: Session,
    rule_id: str,
    pattern: str,
    *,
    regex: bool = False,
    message: str = "",
    marketplace: str = "",
    country: str = "",
    warn_only: bool = False,
) -> ComplianceRule:
    """Add a banned word or phrase (or a regular expression) for copy; refuses a duplicate id.
    An id equal to a built-in rule's replaces that rule for this store."""
    if not RULE_ID.fullmatch(rule_id):
        raise InputError(
            f"invalid rule id {rule_id!r}", hint="use letters, digits and . _ : - (e.g. my.no-cheap)"
        )
    if not pattern.strip():
        raise InputError("the rule's pattern is empty", hint="give the word, phrase or regex to ban")
    country = country.strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise InputError(f"invalid country {country!r}", hint="use a two-letter ISO code such as CN or US")
    if session.scalar(select(ComplianceRule.id).where(ComplianceRule.rule_id == rule_id)) is not None:
        raise InputError(
            f"a compliance rule {rule_id!r} already exists",
            hint="choose another id, or remove it first with `shopops copy rules remove ID`",
        )
    validate_rule(
        ComplianceRuleSpec(
            rule_id, pattern, "regex" if regex else "word", severity="warn" if warn_only else "block"
        )
    )
    rule = ComplianceRule(
        rule_id=rule_id,
        pattern=pattern,
        match="regex" if regex else "word",
        message=message.strip(),
        marketplace=marketplace.strip().lower(),
        country=country,
        severity="warn" if warn_only else "block",
        enabled=True,
    )
    session.add(rule)
    session.flush()
    return rule


def list_rules(session: Session) -> list[ComplianceRule]:
    """The merchant's own rules, by id (the built-in packs come from ``compliance.load_rules``)."""
    return list(session.scalars(select(ComplianceRule).order_by(ComplianceRule.rule_id)))


def remove_rule(session: Session, rule_id: str) -> None:
    rule = session.scalar(select(ComplianceRule).where(ComplianceRule.rule_id == rule_id))
    if rule is None:
        raise NotFoundError(
            f"no compliance rule {rule_id!r} of this store", hint="see `shopops copy rules list`"
        )
    session.delete(rule)


def set_rule_enabled(session: Session, rule_id: str, enabled: bool) -> ComplianceRule:
    """Turn a merchant rule off (kept for the record) or on again."""
    rule = session.scalar(select(ComplianceRule).where(ComplianceRule.rule_id == rule_id))
    if rule is None:
        raise NotFoundError(f"no compliance rule {rule_id!r} of this store", hint="see the rules list")
    rule.enabled = enabled
    session.flush()
    return rule
