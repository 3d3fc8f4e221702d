"""SWOT-style strategy drafts: claims computed from trends and competitor prices, worded, then checked.

The claims and the rules that make them are in :mod:`shopops.reports.strategy_claims`.
:func:`word_claims` asks the model, under a JSON schema, to reword every claim (by its number) and
to write a one-line summary (whose only numbers may be the counts per section and the window). Each
sentence is read against *its own claim's* facts with the plan checker
(:func:`shopops.forecast.plan_check.check_sentence`: numbers, percentages, dates) and for its
direction (a claim about a fall must not say "grew"); a sentence that fails is removed. A claim whose
wording is left without a computed number keeps the code's wording instead, and wording for a claim
number the code did not compute is dropped. :func:`draft_strategy` stores the result as a
``report.strategy`` draft in the review queue, with every claim's facts and the trends behind them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shopops.context import AppContext
from shopops.copy.types import Flag
from shopops.errors import InputError
from shopops.forecast.plan_check import check_sentence, numbers_in, sentences
from shopops.llm.base import LLMBackend, Message
from shopops.reports.competitors import PriceComparison, compare_prices, import_competitor_prices, load_import
from shopops.reports.strategy_claims import GROWTH_PCT as GROWTH_PCT
from shopops.reports.strategy_claims import HIGH_NEGATIVE_PCT as HIGH_NEGATIVE_PCT
from shopops.reports.strategy_claims import LOOKAHEAD_MONTHS as LOOKAHEAD_MONTHS
from shopops.reports.strategy_claims import LOW_NEGATIVE_PCT as LOW_NEGATIVE_PCT
from shopops.reports.strategy_claims import MAX_CLAIMS as MAX_CLAIMS
from shopops.reports.strategy_claims import MAX_PER_SECTION as MAX_PER_SECTION
from shopops.reports.strategy_claims import MIN_REVIEWS as MIN_REVIEWS
from shopops.reports.strategy_claims import MIN_SHARE_PCT as MIN_SHARE_PCT
from shopops.reports.strategy_claims import MONEY_FACTS as MONEY_FACTS
from shopops.reports.strategy_claims import NEGATIVE_RISE_PTS as NEGATIVE_RISE_PTS
from shopops.reports.strategy_claims import PEAK_INDEX as PEAK_INDEX
from shopops.reports.strategy_claims import SECTIONS as SECTIONS
from shopops.reports.strategy_claims import SHARE_SHIFT_PTS as SHARE_SHIFT_PTS
from shopops.reports.strategy_claims import SLOW_INDEX as SLOW_INDEX
from shopops.reports.strategy_claims import Claim as Claim
from shopops.reports.strategy_claims import ClaimFacts as ClaimFacts
from shopops.reports.strategy_claims import Direction as Direction
from shopops.reports.strategy_claims import Section as Section
from shopops.reports.strategy_claims import Value as Value
from shopops.reports.strategy_claims import fmt as fmt
from shopops.reports.strategy_claims import strategy_claims as strategy_claims
from shopops.reports.trends import DEFAULT_WINDOW_DAYS, TrendsReport, market_trends
from shopops.structured import generate_with_result
from shopops.workflow.drafts import DraftView, add_ai_draft

STRATEGY_KIND = "report.strategy"
AI_AUTHOR = "ai:report.strategy"
SECTION_TITLES = dict(zip(SECTIONS, ("Strengths", "Weaknesses", "Opportunities", "Threats"), strict=True))

_UP = re.compile(r"\b(grew|grows?|growing|rose|rises?|rising|increas\w*|gain\w*|higher|climb\w*|up)\b", re.I)
_DOWN = re.compile(
    r"\b(fell|fall\w*|drop\w*|declin\w*|decreas\w*|lower|shr[aiu]nk\w*|lost|los[ei]\w*|down)\b", re.I
)


# -- wording and checking --------------------------------------------------------------------------


class ClaimWording(BaseModel):
    id: int = Field(ge=1, le=MAX_CLAIMS)
    text: str = Field(min_length=1, max_length=300)


class StrategyOutput(BaseModel):  # claims first: a small model that runs long loses the summary, not them
    claims: list[ClaimWording] = Field(min_length=1, max_length=MAX_CLAIMS)
    summary: str = Field(min_length=1, max_length=240)


@dataclass(frozen=True)
class Problem:
    rule: str  # unsupported_number | unsupported_percent | unsupported_date | wrong_direction
    claim: str
    sentence: str


def _scrub(sentence: str, facts: ClaimFacts) -> str:
    """The sentence without its names (a category called "Down Jackets" says nothing of direction)."""
    for name in sorted(facts.identifiers(), key=len, reverse=True):
        sentence = sentence.replace(name, " ") if name else sentence
    return sentence


def _contradicts(sentence: str, direction: Direction) -> bool:
    up, down = bool(_UP.search(sentence)), bool(_DOWN.search(sentence))
    return (direction == "up" and down and not up) or (direction == "down" and up and not down)


def check_text(text: str, facts: ClaimFacts, direction: Direction = "") -> tuple[str, list[Problem]]:
    """``text`` without its sentences that state a number not in ``facts`` or the wrong direction."""
    kept: list[str] = []
    problems: list[Problem] = []
    for sentence in sentences(text):
        found = [Problem(p.kind, p.claim, sentence) for p in check_sentence(sentence, facts)]  # type: ignore[arg-type]
        if _contradicts(_scrub(sentence, facts), direction):
            found.append(Problem("wrong_direction", f"not {direction}", sentence))
        if found:
            problems += found
        else:
            kept.append(sentence)
    return "".join(kept).strip(), problems


@dataclass
class WordedClaims:
    summary: str
    claims: list[dict[str, Any]]  # see Claim.as_dict
    flags: list[Flag] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    numbers_checked: int = 0
    generation_id: int | None = None


def _flag(rule: str, claim: str, message: str) -> Flag:
    return Flag(
        kind="unsupported", rule=f"strategy.{rule}", claim=claim[:300], message=message, blocking=False
    )


def summary_facts(claims: list[Claim], trends: TrendsReport) -> dict[str, Value]:
    """What the summary may state: the counts per section, the window and its end, and the claims'
    names. Not the claims' numbers: a one-line summary that quotes them tends to attach them to the
    wrong subject (a share read as growth), which a number check cannot see."""
    facts: dict[str, Value] = {
        f"{section}_count": float(sum(c.section == section for c in claims)) for section in SECTIONS
    }
    facts.update(window_days=float(trends.window_days), as_of_date=trends.as_of.isoformat())
    for i, claim in enumerate(claims, start=1):
        facts.update({f"c{i}.{k}": v for k, v in claim.facts.items() if isinstance(v, str)})
    return facts


SUMMARY_TEMPLATE = (
    "Strengths: {strength_count}; weaknesses: {weakness_count}; opportunities: {opportunity_count}; "
    "threats: {threat_count}; from the {window_days} days of sales to {as_of_date}."
)


def _messages(claims: list[Claim], trends: TrendsReport) -> list[Message]:
    system = (
        "You rewrite the claims of a SWOT strategy draft for the managers of an online store. For each "
        "numbered claim write one or two plain sentences that keep its meaning and every number exactly "
        "as written in it; add no other numbers, dates, prices or causes. Then write a one-sentence "
        "summary of the whole picture, without numbers."
    )
    listed = "\n".join(f"{i}. ({c.section}) {c.render()}" for i, c in enumerate(claims, start=1))
    scope = trends.scope or "the whole store"
    user = f"Scope: {scope}; the {trends.window_days} days to {trends.as_of.isoformat()}.\nClaims:\n{listed}"
    return [Message("system", system), Message("user", user)]


def word_claims(
    llm: LLMBackend, claims: list[Claim], trends: TrendsReport, *, max_tokens: int = 900
) -> WordedClaims:
    """The model's wording of ``claims``, each sentence checked against its claim's facts (see the module)."""
    generated = generate_with_result(
        llm, _messages(claims, trends), StrategyOutput, task=STRATEGY_KIND, max_tokens=max_tokens
    )
    out = generated.output
    worded = WordedClaims(summary="", claims=[], generation_id=generated.result.generation_id)
    by_id: dict[int, str] = {}
    for item in out.claims:
        if item.id > len(claims) or item.id in by_id:
            what = "no computed claim has this number" if item.id > len(claims) else "a second wording"
            worded.flags.append(_flag("claim_not_computed", item.text, f"claim {item.id}: {what}; dropped"))
            worded.removed.append(item.text.strip())
            continue
        by_id[item.id] = item.text.strip()
    for i, claim in enumerate(claims, start=1):
        facts = ClaimFacts(claim.facts)
        words = by_id.get(i, "")
        worded.numbers_checked += numbers_in(words, facts)  # type: ignore[arg-type]
        text, problems = check_text(words, facts, claim.direction)
        for p in problems:
            message = f"claim {i} ({claim.section}): {p.claim} is not in its facts; sentence removed"
            worded.flags.append(_flag(p.rule, p.claim, message))
        worded.removed += sorted({p.sentence.strip() for p in problems})
        source = "model"
        if not text or not numbers_in(text, facts):  # type: ignore[arg-type]
            if words and not problems:
                message = f"claim {i} ({claim.section}): states none of its numbers; code wording used"
                worded.flags.append(_flag("no_number", words, message))
            text, source = claim.render(), "code"
        left = check_text(text, facts, claim.direction)[1]
        if left:  # cannot happen with the templates; a guard so no unchecked number is stored
            raise AssertionError(f"strategy claim failed its own check: {left}")
        worded.claims.append(claim.as_dict(text, source))
    facts = ClaimFacts(summary_facts(claims, trends))
    summary, problems = check_text(out.summary.strip(), facts)
    for p in problems:
        worded.flags.append(_flag(p.rule, p.claim, f"summary: {p.claim} is not supported; sentence removed"))
    worded.removed += sorted({p.sentence.strip() for p in problems})
    worded.summary = summary or SUMMARY_TEMPLATE.format(
        **{k: fmt(k, v) for k, v in facts.facts.items() if "." not in k}
    )
    return worded


# -- the draft -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrategyDraft:
    draft_id: int
    summary: str
    text: str
    claims: list[dict[str, Any]]
    flags: list[Flag]
    removed: list[str]
    numbers_checked: int
    trends: TrendsReport
    prices: PriceComparison | None


def _price_summary(prices: PriceComparison | None, gaps: int = 20) -> dict[str, Any] | None:
    """The comparison for the draft: its counts and the widest gaps (not every observation)."""
    if prices is None:
        return None
    return {
        **prices.model_dump(mode="json", exclude={"gaps"}),
        "gaps": [g.model_dump(mode="json") for g in prices.gaps[:gaps]],
    }


def render_markdown(trends: TrendsReport, summary: str, claims: list[dict[str, Any]]) -> str:
    title = f"# Strategy draft: {trends.scope or 'whole store'}, {trends.window_days} days to {trends.as_of}"
    lines = [title, "", summary]
    for section in SECTIONS:
        mine = [c for c in claims if c["section"] == section]
        if mine:
            lines += ["", f"## {SECTION_TITLES[section]}", *(f"- {c['text']}" for c in mine)]
    return "\n".join(lines)


def draft_strategy(
    ctx: AppContext,
    *,
    actor: str,
    category: str | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    competitors_file: Path | None = None,
    use_stored_competitors: bool = True,
    max_tokens: int = 900,
) -> StrategyDraft:
    """Compute trends (and price gaps), word and check the claims, store a ``report.strategy`` draft.

    ``competitors_file`` is imported first (all or nothing); without it the newest stored import
    is compared, unless ``use_stored_competitors`` is off."""
    trends = market_trends(ctx.db, category=category, window_days=window_days)
    imported = None
    if competitors_file is not None:
        imported = import_competitor_prices(ctx, competitors_file, actor=actor)
    elif use_stored_competitors:
        imported = load_import(ctx)
    prices = compare_prices(ctx.db, imported, category=category) if imported else None
    claims = strategy_claims(trends, prices)
    if not claims:
        where = f"in {trends.scope}" if trends.scope else "in the store"
        raise InputError(
            f"no sales {where} to draw a strategy from",
            hint="import orders or sales first (`shopops import orders FILE`), or choose another --category",
        )
    worded = word_claims(ctx.llm, claims, trends, max_tokens=max_tokens)
    text = render_markdown(trends, worded.summary, worded.claims)
    with ctx.db.session() as session:
        row = add_ai_draft(
            session,
            kind=STRATEGY_KIND,
            subject_type="report",
            subject_id=f"strategy:{trends.scope or 'store'}"[:100],
            content={
                "text": text,
                "summary": worded.summary,
                "claims": worded.claims,
                "scope": {
                    "category": trends.scope,
                    "window_days": trends.window_days,
                    "as_of": trends.as_of.isoformat(),
                },
                "trends": trends.model_dump(mode="json"),
                "competitors": _price_summary(prices),
            },
            checks={
                "flags": [f.model_dump() for f in worded.flags],
                "numbers_checked": worded.numbers_checked,
                "removed": worded.removed,
            },
            author=AI_AUTHOR,
            actor=actor,
            generation_id=worded.generation_id,
        )
        draft_id = row.id
    w = worded
    return StrategyDraft(
        draft_id, w.summary, text, w.claims, w.flags, w.removed, w.numbers_checked, trends, prices
    )


def regenerate_strategy(ctx: AppContext, draft: DraftView, _note: str) -> list[int]:
    """A new draft for the same scope and window (a review queue regenerator for ``report.strategy``)."""
    scope = draft.content.get("scope") or {}
    window = int(scope.get("window_days") or DEFAULT_WINDOW_DAYS)
    uses_prices = draft.content.get("competitors") is not None
    again = draft_strategy(
        ctx, actor=AI_AUTHOR, category=scope.get("category") or None, window_days=window,
        use_stored_competitors=uses_prices,
    )  # fmt: skip
    return [again.draft_id]
