"""Evidence for a reply: how confident retrieval is, the passage's own sentences, citations.

Confidence maps retrieval onto 0..1 — how much of the question the best passages cover and how
close they are in meaning — because the embedding model's raw cosines cluster high (e5 puts
unrelated texts at ~0.8). The extractive answer quotes the store's own sentences: always safe to
show a customer, and the fallback whenever a model's wording fails a check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shopops.support.tokens import content_tokens
from shopops.support.types import Citation, Hit

# Cosine similarity of unrelated and of matching texts differ per embedding model (e5 clusters at
# 0.8-0.93); the span maps a cosine onto 0..1 for the confidence.
COSINE_SPANS: dict[str, tuple[float, float]] = {"multilingual-e5-small-q4": (0.80, 0.92)}
DEFAULT_COSINE_SPAN = (0.30, 0.80)
QUOTE_CHARS = 200
RETRIEVAL_WEIGHT = 0.6  # verify style: the rest is the model's verdict; see answer_confidence


def cosine_confidence(cosine: float, model: str) -> float:
    low, high = COSINE_SPANS.get(model, DEFAULT_COSINE_SPAN)
    return min(1.0, max(0.0, (cosine - low) / (high - low)))


def retrieval_confidence(hits: Sequence[Hit], model: str) -> float:
    """0..1 from the best hit: how much of the question it covers, and how close it is in meaning."""
    if not hits:
        return 0.0
    best = max(0.5 * h.coverage + 0.5 * cosine_confidence(h.cosine, model) for h in hits[:2])
    return round(best, 3)


def answer_confidence(retrieval: float, answerable: bool, *, has_facts: bool = False) -> float:
    """Retrieval's evidence and the model's own verdict on whether the passages answer the question.

    Neither alone is enough: retrieval finds the nearest passage even for questions the knowledge
    base cannot answer, and a small model says "answerable" too readily. Facts from the store's own
    records (an order and a policy decision) are trusted as they are."""
    if has_facts:
        return max(0.85, retrieval)
    return RETRIEVAL_WEIGHT * retrieval + (1 - RETRIEVAL_WEIGHT) * (1.0 if answerable else 0.0)


def extractive_answer(question: str, hit: Hit, max_sentences: int = 2) -> str:
    """The passage's own sentences that share most words with the question (used when the model's
    wording fails a check: the store's text is always safe to quote)."""
    body = hit.passage.text
    if hit.passage.heading and body.startswith(hit.passage.heading):
        body = body[len(hit.passage.heading) :]
    body = re.sub(r"^#+\s.*$", "", body, flags=re.M)
    body = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", body, flags=re.M)  # list markers
    body = re.sub(r"(\*\*|__|`)", "", body)  # emphasis and code marks
    body = " ".join(body.split())
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|(?<=[。！？])", body) if s.strip()]
    if len(sentences) <= max_sentences:
        return " ".join(sentences)
    wanted = content_tokens(question)
    ranked = sorted(range(len(sentences)), key=lambda i: -len(wanted & content_tokens(sentences[i])))
    keep = sorted(ranked[:max_sentences])
    return " ".join(sentences[i] for i in keep)


def citations_for(hits: Sequence[Hit], numbers: Sequence[int]) -> list[Citation]:
    chosen = [hits[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(hits)] or list(hits[:1])
    return [
        Citation(
            passage_id=h.passage.id,
            title=h.passage.heading or h.passage.title,
            quote=h.passage.text[:QUOTE_CHARS],
        )
        for h in chosen
    ]
