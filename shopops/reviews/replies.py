"""Reply drafts to negative reviews, in the reviewer's language, into the review queue.

The model words the reply; code decides what it may say. A reply that promises something only a
person can grant (a refund, a replacement, a coupon), states a number the review does not, or
comes back in another language is replaced by a fixed reply naming the complaints in the
reviewer's own words, and the replacement is recorded as a (non-blocking) flag on the draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pydantic import BaseModel, Field

from shopops.context import AppContext
from shopops.copy.types import Flag
from shopops.langid import detect_language
from shopops.llm.base import Message
from shopops.reviews.types import AnalyzedReview
from shopops.structured import generate_with_result
from shopops.support.messages import language_name
from shopops.workflow.drafts import add_ai_draft, open_drafts_for

REPLY_KIND = "review.reply"
AI_AUTHOR = "ai:review.reply"
MAX_REPLY = 800
PROMISE = re.compile(
    r"\b(refund\w*|replace(?:ment|d)?|coupon|discount|voucher|compensat\w*|free of charge|money back)\b"
    r"|退款|退货|换货|补偿|优惠券|折扣|赔偿|免费",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
APOLOGY = re.compile(r"\b(sorry|apolog\w*|regret\w*)\b|抱歉|歉意|对不起|不好意思", re.IGNORECASE)
FIXED: dict[str, str] = {
    "en": "Thank you for taking the time to review {product}. We are sorry about {issues}. "
    "Please contact our support team so we can look into it and make it right.",
    "zh": "感谢您对{product}的评价。{issues}给您带来了不好的体验，我们深表歉意。"
    "请联系我们的客服，我们会尽快为您核实处理。",
}
ISSUE_JOIN = {"en": " and ", "zh": "、"}
NO_ISSUE = {"en": "your experience", "zh": "这次购物"}


class ReviewReplyOutput(BaseModel):
    reply: str = Field(min_length=1, max_length=MAX_REPLY)


@dataclass(frozen=True)
class ReplyDraft:
    review_id: int
    text: str
    language: str
    replaced: bool  # the model's wording was replaced by the fixed reply
    flags: list[Flag]
    draft_id: int | None = None
    generation_id: int | None = None


def is_negative(review: AnalyzedReview) -> bool:
    """Worth a public answer: read as negative or mixed, or rated one or two stars."""
    return review.sentiment in ("negative", "mixed") or (review.rating is not None and review.rating <= 2)


def complaints(review: AnalyzedReview) -> list[str]:
    """The reviewer's own words for what they complain about, in order of appearance, once each."""
    seen: dict[str, None] = {}
    for mention in sorted(review.aspects, key=lambda m: m.start):
        if mention.polarity == "negative":
            seen.setdefault(mention.term, None)
    return list(seen)


def fixed_reply(review: AnalyzedReview) -> str:
    language = review.language if review.language in FIXED else "en"
    issues = complaints(review)
    named = ISSUE_JOIN[language].join(issues[:3]) if issues else NO_ISSUE[language]
    if language == "en" and issues:
        named = f"the problems with {named}"
    title = review.product_title
    same_language = title and detect_language(title) in ("", language)
    product = title if same_language else ("该商品" if language == "zh" else "our product")
    return FIXED[language].format(product=product, issues=named)


def _messages(review: AnalyzedReview) -> list[Message]:
    language = review.language or detect_language(review.body) or "en"
    issues = complaints(review)
    system = (
        "You write the store's public reply to a customer's product review. "
        f"Write in {language_name(language)}, 2-3 short sentences: thank the customer, acknowledge the "
        "specific problems they describe, apologise, and invite them to contact customer support. "
        "Do not promise refunds, replacements, discounts, coupons or compensation; a person decides "
        "those. Do not state facts or numbers that are not in the review."
    )
    user = (
        f"Product: {review.product_title or 'unknown'}\n"
        f"Rating: {review.rating if review.rating is not None else 'none'} of 5\n"
        f"Complaints: {', '.join(issues) or 'see the review'}\n"
        f"Review: {review.title}\n{review.body}"
    )
    return [Message("system", system), Message("user", user)]


def check_reply(text: str, review: AnalyzedReview) -> list[Flag]:
    """What is wrong with a worded reply (empty when it may go to the queue as written)."""
    flags: list[Flag] = []
    promise = PROMISE.search(text)
    if promise:
        flags.append(
            Flag(
                kind="contradicted",
                rule="promise_not_allowed",
                claim=promise.group(0),
                blocking=False,
                message=f"the reply promised '{promise.group(0)}'; only a person can grant that",
            )
        )
    source = f"{review.title} {review.body} {review.product_title}"
    invented = [n for n in NUMBER.findall(text) if n not in source]
    if invented:
        flags.append(
            Flag(
                kind="unsupported",
                rule="unsupported_number",
                claim=invented[0],
                blocking=False,
                message=f"the reply states {', '.join(invented)}, which the review does not",
            )
        )
    if not APOLOGY.search(text):
        flags.append(
            Flag(
                kind="contradicted",
                rule="no_apology",
                blocking=False,
                message="the reply to a complaint does not apologise (it may even welcome the problem)",
            )
        )
    expected = review.language or detect_language(review.body)
    written = detect_language(text)
    if expected and written and written != expected:
        flags.append(
            Flag(
                kind="language",
                rule="wrong_language",
                claim=written,
                blocking=False,
                message=f"the reply came back in '{written}', the review is in '{expected}'",
            )
        )
    return flags


def word_reply(ctx: AppContext, review: AnalyzedReview, *, max_tokens: int = 160) -> ReplyDraft:
    """The model's reply when it passes :func:`check_reply`, else the fixed reply with the flags."""
    generated = generate_with_result(
        ctx.llm, _messages(review), ReviewReplyOutput, task="review.reply", max_tokens=max_tokens
    )
    text = generated.output.reply.strip()
    flags = check_reply(text, review)
    language = review.language or detect_language(review.body) or "en"
    generation_id = generated.result.generation_id
    if flags:
        return ReplyDraft(review.review_id, fixed_reply(review), language, True, flags, None, generation_id)
    return ReplyDraft(review.review_id, text, language, False, [], None, generation_id)


def draft_replies(
    ctx: AppContext, reviews: Sequence[AnalyzedReview], *, actor: str, limit: int = 20
) -> list[ReplyDraft]:
    """Word replies to the negative reviews that have none waiting or approved, newest first."""
    negative = [r for r in reviews if is_negative(r)]
    negative.sort(key=lambda r: (r.reviewed_at is not None, r.reviewed_at, r.review_id), reverse=True)
    done = open_drafts_for(ctx.db, REPLY_KIND, "review", [r.review_id for r in negative])
    out = []
    for review in [r for r in negative if r.review_id not in done][:limit]:
        reply = word_reply(ctx, review)
        out.append(_store(ctx, review, reply, actor))
    return out


def _store(ctx: AppContext, review: AnalyzedReview, reply: ReplyDraft, actor: str) -> ReplyDraft:
    with ctx.db.session() as session:
        row = add_ai_draft(
            session,
            kind=REPLY_KIND,
            subject_type="review",
            subject_id=str(review.review_id),
            content={
                "text": reply.text,
                "language": reply.language,
                "review": {
                    "id": review.review_id,
                    "external_id": review.external_id,
                    "rating": review.rating,
                    "body": review.body[:1000],
                },
                "complaints": complaints(review),
                "replaced": reply.replaced,
            },
            checks={"flags": [f.model_dump() for f in reply.flags]},
            author=AI_AUTHOR,
            actor=actor,
            generation_id=reply.generation_id,
        )
        return replace(reply, draft_id=row.id)
