"""Faithful review summaries: counts, shares and quotes computed in code, sentences rendered from them.

Every number a merchant sees comes from here (principle 1); an LLM may only rephrase it, and
:mod:`shopops.reviews.summary_check` verifies what it wrote against this summary.

Counting rules (stated once, used everywhere):

* a review counts **once per aspect**: ``mentions`` is the number of reviews in scope that mention
  the aspect, however often the review repeats it;
* a review counts once per polarity it expresses about the aspect, so a review that praises and
  criticises the price counts in both ``positive`` and ``negative`` (the polarity counts may add up
  to more than ``mentions``);
* every share names its denominator: ``of_reviews`` divides by all reviews in scope,
  ``of_mentions`` by the reviews that mention the aspect;
* shares are shown as whole percents rounded half up (``19.5%`` → ``20%``), except ``<1%`` for a
  non-zero share that would round to 0 and ``>99%`` for a share below 1 that would round to 100;
* rankings (top praised, top complained) order by count, highest first, ties by aspect name, so a
  complaint from 900 reviews is never listed below, or dropped in favour of, one from 16.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from shopops.reviews.types import POLARITIES, SENTIMENTS, AnalyzedReview, AspectMention, Polarity
from shopops.store.models import UtcDateTime

Language = Literal["en", "zh"]
ClaimKind = Literal["sentiment", "aspect", "rating"]
ROUNDING_RULE = "whole percent, half up; '<1%' for 0 < share < 0.5%; '>99%' for 99.5% <= share < 100%"
EXCERPT_WIDTH = 60


def percent_of(count: int, denominator: int) -> int:
    """``count / denominator`` as a whole percent, rounded half up in exact integer arithmetic."""
    if denominator <= 0:
        return 0
    return (200 * count + denominator) // (2 * denominator)


def share_label(count: int, denominator: int) -> str:
    """The share as shown to people: ``19%``, ``<1%`` or ``>99%`` (see the module docstring)."""
    pct = percent_of(count, denominator)
    if pct == 0 and count > 0:
        return "<1%"
    if pct == 100 and count < denominator:
        return ">99%"
    return f"{pct}%"


class CountShare(BaseModel):
    """A count with its denominator; ``share`` is exact, ``percent`` and ``label`` are what is shown."""

    count: int
    denominator: int
    share: float
    percent: int
    label: str


def count_share(count: int, denominator: int) -> CountShare:
    share = count / denominator if denominator else 0.0
    return CountShare(
        count=count,
        denominator=denominator,
        share=share,
        percent=percent_of(count, denominator),
        label=share_label(count, denominator),
    )


class Quote(BaseModel):
    """A representative review: its id and a short excerpt around the words that name the aspect."""

    review_id: int
    polarity: Polarity
    term: str
    excerpt: str
    confidence: float
    reviewed_at: UtcDateTime | None = None  # the store keeps naive UTC; the API says so ("Z")


class PolarityCount(BaseModel):
    count: int
    of_reviews: CountShare  # denominator: all reviews in scope
    of_mentions: CountShare  # denominator: reviews in scope that mention the aspect


class AspectStats(BaseModel):
    aspect: str
    terms: list[str]  # the words reviews used for it, most frequent first (at most 10)
    mentions: CountShare  # reviews mentioning the aspect, of all reviews in scope
    positive: PolarityCount
    negative: PolarityCount
    neutral: PolarityCount
    quotes: list[Quote]

    def polarity(self, polarity: Polarity) -> PolarityCount:
        return {"positive": self.positive, "negative": self.negative, "neutral": self.neutral}[polarity]


class RankedAspect(BaseModel):
    rank: int
    aspect: str
    polarity: Polarity
    count: int
    of_reviews: CountShare
    of_mentions: CountShare
    quotes: list[Quote]


class Claim(BaseModel):
    """The structured fact behind one rendered sentence."""

    kind: ClaimKind
    subject: str  # the sentiment label, the aspect name, or "rating"
    polarity: str | None = None
    count: int
    denominator: int
    base: Literal["reviews", "mentions"] = "reviews"
    share: float
    percent: int
    label: str
    value: float | None = None  # the average rating, for kind "rating"


class Statement(BaseModel):
    text: str
    language: Language
    claim: Claim


class ReviewSummary(BaseModel):
    scope: str  # "product", "category", "store", a segment …
    scope_id: str
    language: Language = "en"
    total_reviews: int
    sentiment: dict[str, CountShare]  # every label in SENTIMENTS, of all reviews
    rated_reviews: int
    average_rating: float | None = None
    rating_distribution: dict[int, int] = Field(default_factory=dict)
    aspects: list[AspectStats]  # every aspect mentioned, most mentioned first
    top_praised: list[RankedAspect]
    top_complained: list[RankedAspect]
    statements: list[Statement]
    min_mentions: int
    rounding: str = ROUNDING_RULE

    def aspect(self, name: str) -> AspectStats | None:
        return next((a for a in self.aspects if a.aspect == name), None)


def _naive_utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.min
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def excerpt(text: str, start: int, end: int, width: int = EXCERPT_WIDTH) -> str:
    """Up to ``width`` characters either side of ``text[start:end]``, cut at spaces when there are any."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    if lo > 0 and (space := text.find(" ", lo, start)) != -1:
        lo = space + 1
    if hi < len(text) and (space := text.rfind(" ", end, hi)) != -1:
        hi = space
    return ("…" if lo > 0 else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def _locate(review: AnalyzedReview, mention: AspectMention) -> tuple[int, int] | None:
    """Where the mention's term is in the body: its offsets when they hold, else the first match."""
    body = review.body
    if 0 <= mention.start < mention.end <= len(body) and (
        body[mention.start : mention.end].casefold() == mention.term.casefold()
    ):
        return mention.start, mention.end
    found = body.casefold().find(mention.term.casefold()) if mention.term else -1
    return (found, found + len(mention.term)) if found >= 0 else None


def _quote(review: AnalyzedReview, mention: AspectMention) -> Quote:
    where = _locate(review, mention)
    text = excerpt(review.body, *where) if where else excerpt(review.body, 0, 0, 2 * EXCERPT_WIDTH)
    return Quote(
        review_id=review.review_id,
        polarity=mention.polarity,
        term=mention.term,
        excerpt=text,
        confidence=mention.confidence,
        reviewed_at=review.reviewed_at,
    )


def pick_quotes(
    pairs: Sequence[tuple[AnalyzedReview, AspectMention]], polarity: Polarity, limit: int = 2
) -> list[Quote]:
    """Representative quotes, deterministically: term found in the body, highest confidence, most
    recent, lowest review id — one quote per review."""
    best: dict[int, tuple[AnalyzedReview, AspectMention]] = {}
    for review, mention in pairs:
        if mention.polarity != polarity:
            continue
        held = best.get(review.review_id)
        if held is None or mention.confidence > held[1].confidence:
            best[review.review_id] = (review, mention)
    ordered = sorted(
        best.values(),
        key=lambda rm: (
            _locate(rm[0], rm[1]) is None,
            -rm[1].confidence,
            -_naive_utc(rm[0].reviewed_at).timestamp() if rm[0].reviewed_at else float("inf"),
            rm[0].review_id,
        ),
    )
    return [_quote(review, mention) for review, mention in ordered[:limit]]


def _aspect_stats(
    name: str, pairs: list[tuple[AnalyzedReview, AspectMention]], total: int, quotes: int
) -> AspectStats:
    by_polarity: dict[Polarity, set[int]] = {p: set() for p in POLARITIES}
    for review, mention in pairs:
        by_polarity[mention.polarity].add(review.review_id)
    mentions = len({review.review_id for review, _ in pairs})
    terms = Counter(m.term.strip() for _, m in pairs if m.term.strip())
    polarity = {
        p: PolarityCount(
            count=len(ids),
            of_reviews=count_share(len(ids), total),
            of_mentions=count_share(len(ids), mentions),
        )
        for p, ids in by_polarity.items()
    }
    return AspectStats(
        aspect=name,
        terms=[t for t, _ in sorted(terms.items(), key=lambda tc: (-tc[1], tc[0]))[:10]],
        mentions=count_share(mentions, total),
        positive=polarity["positive"],
        negative=polarity["negative"],
        neutral=polarity["neutral"],
        quotes=[q for p in ("negative", "positive", "neutral") for q in pick_quotes(pairs, p, quotes)],
    )


def rank_aspects(
    aspects: Sequence[AspectStats], polarity: Polarity, *, top_n: int, min_mentions: int
) -> list[RankedAspect]:
    """Aspects with at least ``min_mentions`` reviews of this polarity, by count then name."""
    eligible = [a for a in aspects if a.polarity(polarity).count >= max(1, min_mentions)]
    eligible.sort(key=lambda a: (-a.polarity(polarity).count, a.aspect))
    return [
        RankedAspect(
            rank=rank,
            aspect=a.aspect,
            polarity=polarity,
            count=a.polarity(polarity).count,
            of_reviews=a.polarity(polarity).of_reviews,
            of_mentions=a.polarity(polarity).of_mentions,
            quotes=[q for q in a.quotes if q.polarity == polarity],
        )
        for rank, a in enumerate(eligible[:top_n], start=1)
    ]


def summarize(
    reviews: Sequence[AnalyzedReview],
    *,
    scope: str,
    scope_id: str,
    top_n: int = 5,
    min_mentions: int = 2,
    language: Language = "en",
    quotes_per_aspect: int = 2,
) -> ReviewSummary:
    """Count, share, rank and quote ``reviews`` (all of one scope); render the statements in ``language``."""
    unique = list({r.review_id: r for r in reviews}.values())
    total = len(unique)
    sentiments = Counter(r.sentiment for r in unique)
    ratings = [r.rating for r in unique if r.rating is not None]
    distribution = {star: 0 for star in range(1, 6)} | dict(sorted(Counter(ratings).items()))
    pairs: dict[str, list[tuple[AnalyzedReview, AspectMention]]] = defaultdict(list)
    for review in unique:
        for mention in review.aspects:
            pairs[mention.aspect].append((review, mention))
    aspects = [_aspect_stats(name, found, total, quotes_per_aspect) for name, found in pairs.items()]
    aspects.sort(key=lambda a: (-a.mentions.count, a.aspect))
    summary = ReviewSummary(
        scope=scope,
        scope_id=scope_id,
        language=language,
        total_reviews=total,
        sentiment={s: count_share(sentiments[s], total) for s in SENTIMENTS},
        rated_reviews=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        rating_distribution=distribution,
        aspects=aspects,
        top_praised=rank_aspects(aspects, "positive", top_n=top_n, min_mentions=min_mentions),
        top_complained=rank_aspects(aspects, "negative", top_n=top_n, min_mentions=min_mentions),
        statements=[],
        min_mentions=min_mentions,
    )
    summary.statements = render_statements(summary, language)
    return summary


SENTIMENT_WORDS: dict[Language, dict[str, str]] = {
    "en": {"positive": "Positive", "negative": "Negative", "neutral": "Neutral", "mixed": "Mixed"},
    "zh": {"positive": "正面", "negative": "负面", "neutral": "中性", "mixed": "褒贬不一"},
}


def _fraction(count: int, denominator: int, language: Language) -> str:
    if language == "zh":
        return f"{denominator} 条评价中 {count} 条（{share_label(count, denominator)}）"
    return f"{count} of {denominator} reviews, {share_label(count, denominator)}"


def _claim(
    kind: ClaimKind, subject: str, polarity: str | None, cs: CountShare, value: float | None = None
) -> Claim:
    return Claim(
        kind=kind,
        subject=subject,
        polarity=polarity,
        count=cs.count,
        denominator=cs.denominator,
        share=cs.share,
        percent=cs.percent,
        label=cs.label,
        value=value,
    )


def render_statements(summary: ReviewSummary, language: Language = "en") -> list[Statement]:
    """One sentence per fact: sentiment, rating, each top complaint, each top praise (in that order)."""
    out: list[Statement] = []
    words = SENTIMENT_WORDS[language]
    for label in sorted(SENTIMENTS, key=lambda s: (-summary.sentiment[s].count, SENTIMENTS.index(s))):
        cs = summary.sentiment[label]
        if cs.count == 0:
            continue
        text = (
            f"{words[label]}评价：{_fraction(cs.count, cs.denominator, language)}。"
            if language == "zh"
            else f"{words[label]} sentiment: {_fraction(cs.count, cs.denominator, language)}."
        )
        out.append(Statement(text=text, language=language, claim=_claim("sentiment", label, label, cs)))
    if summary.average_rating is not None:
        cs = count_share(summary.rated_reviews, summary.total_reviews)
        avg, counts = f"{summary.average_rating:.1f}", (cs.count, cs.denominator)
        text = (
            f"平均评分 {avg} 星，有评分的评价：{_fraction(cs.count, cs.denominator, language)}。"
            if language == "zh"
            else f"Average rating {avg} stars; reviews with a rating: {_fraction(*counts, language)}."
        )
        claim = _claim("rating", "rating", None, cs, summary.average_rating)
        out.append(Statement(text=text, language=language, claim=claim))
    for ranked, en_lead, zh_tag in (
        *((r, "Complaints about", "负面") for r in summary.top_complained),
        *((r, "Praise for", "正面") for r in summary.top_praised),
    ):
        fraction = _fraction(ranked.count, ranked.of_reviews.denominator, language)
        text = (
            f"{ranked.aspect}（{zh_tag}）：{fraction}。"
            if language == "zh"
            else f"{en_lead} {ranked.aspect}: {fraction}."
        )
        claim = _claim("aspect", ranked.aspect, ranked.polarity, ranked.of_reviews)
        out.append(Statement(text=text, language=language, claim=claim))
    return out
