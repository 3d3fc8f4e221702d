"""Sentiment by the LLM under a JSON schema: slower than the fast classifier, for where accuracy matters.

One review per call: the packaged 0.5B model keeps one judgement straight, but with several reviews
in one reply it drifts between them. The output is a closed label and a confidence, enforced by the
schema (:func:`shopops.structured.generate` validates and re-asks); p(positive) is derived from
them in code:

- positive: ``0.5 + confidence / 2``; negative: ``0.5 - confidence / 2``;
- neutral and mixed: 0.5 (they name no side).

The label is the model's, except that a positive or negative judgement whose p lies inside the
neutral band (a confidence of at most ``2 * neutral_band``) reads as ``neutral``, as it would for
the fast classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from shopops.langid import detect_language
from shopops.llm.base import LLMBackend, Message
from shopops.reviews.types import Sentiment, SentimentScore
from shopops.structured import generate

TASK = "review_sentiment"
MAX_REVIEW_CHARS = 2000  # a longer review is cut: the verdict is rarely in its tail, the cost is
SYSTEM = (
    "You classify the sentiment of one customer review of a product, shop or delivery. "
    "Answer with the review's overall sentiment towards what was bought: "
    "positive (satisfied, praises), negative (dissatisfied, complains), "
    "mixed (clearly praises one thing and clearly complains about another), "
    "or neutral (no opinion, only facts or questions). "
    "confidence is how sure you are, from 0 to 1. The review may be in any language."
)


class SentimentJudgement(BaseModel):
    """What the model must return for one review."""

    sentiment: Literal["positive", "negative", "mixed", "neutral"]
    confidence: float = Field(ge=0.0, le=1.0)


def p_positive_of(judgement: SentimentJudgement) -> float:
    """p(positive) implied by a judgement (see the module docstring)."""
    if judgement.sentiment == "positive":
        return 0.5 + judgement.confidence / 2
    if judgement.sentiment == "negative":
        return 0.5 - judgement.confidence / 2
    return 0.5


def label_of(judgement: SentimentJudgement, p_positive: float, neutral_band: float) -> Sentiment:
    if judgement.sentiment in ("positive", "negative") and abs(p_positive - 0.5) <= neutral_band:
        return "neutral"
    return judgement.sentiment


def classify_one(llm: LLMBackend, text: str, *, max_tokens: int = 64) -> SentimentJudgement:
    """Ask the model for one review's judgement (schema-constrained, re-asked when invalid)."""
    messages = [
        Message("system", SYSTEM),
        Message("user", f"Review:\n{text[:MAX_REVIEW_CHARS]}"),
    ]
    return generate(llm, messages, SentimentJudgement, task=TASK, max_tokens=max_tokens, temperature=0.0)


def classify_with_llm(
    llm: LLMBackend,
    texts: Sequence[str],
    languages: Sequence[str] | None = None,
    *,
    neutral_band: float = 0.15,
) -> list[SentimentScore]:
    """Score each text with the LLM; raises :class:`shopops.errors.StructuredOutputError` when the
    model gives no valid judgement after its re-asks."""
    scores = []
    for index, text in enumerate(texts):
        judgement = classify_one(llm, text)
        p = p_positive_of(judgement)
        language = languages[index] if languages is not None else detect_language(text)
        scores.append(
            SentimentScore(
                label=label_of(judgement, p, neutral_band), p_positive=p, method="llm", language=language
            )
        )
    return scores
