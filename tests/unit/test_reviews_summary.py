"""Faithful summaries: a crafted set of exactly 200 reviews, every count and share in the summary and
in every rendered sentence (en and zh) checked against counts recomputed here from the records; the
checker; the Amazon case (a 900-review complaint is never ranked below a 16-review one); narration."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from shopops.llm.fake import FakeLLM
from shopops.reviews.summary import percent_of, share_label, summarize
from shopops.reviews.summary_check import (
    check_summary_text,
    narrate,
    omitted_complaints,
    remove_unsupported,
    zh_number,
)
from shopops.reviews.types import POLARITIES, SENTIMENTS, AnalyzedReview, AspectMention

START = dt.datetime(2026, 5, 1, 9, 0)
# (aspect, polarity, term, sentence, review indexes)
PLAN = [
    ("leak", "negative", "leaks", "The lid leaks after a week.", range(120, 161)),  # 41
    ("leak", "negative", "leaking", "Still leaking in my bag.", (130, 131)),  # repeats: still 41 reviews
    ("leak", "neutral", "leak", "No leak so far, hard to say.", range(161, 164)),  # 3
    ("price", "positive", "price", "Great price for what you get.", range(0, 25)),  # 25
    (
        "price",
        "negative",
        "price",
        "The price went up, too expensive.",
        (*range(100, 108), 5),
    ),  # 9, one both ways
    ("lid", "positive", "lid", "The lid feels solid.", range(30, 42)),  # 12
    ("lid", "negative", "lid", "The lid is hard to open.", (170, 171)),  # 2
    ("colour", "positive", "colour", "Lovely colour.", (50,)),  # 1: under min_mentions
]


def _sentiment(i: int) -> str:
    return "positive" if i < 110 else "negative" if i < 160 else "neutral" if i < 185 else "mixed"


def _rating(i: int) -> int | None:
    return None if i % 20 == 19 else 5 - (i * 7 % 5) if i < 110 else 1 + (i % 3)


def crafted() -> list[AnalyzedReview]:
    """Exactly 200 reviews with the counts planned above."""
    reviews = []
    for i in range(200):
        body, mentions = f"Review {i}.", []
        for aspect, polarity, term, sentence, indexes in PLAN:
            if i in indexes:
                start = len(body) + 1 + sentence.index(term)
                body += " " + sentence
                confidence = 0.5 + (i * 13 % 10) / 20
                mentions.append(
                    AspectMention(
                        aspect=aspect,
                        term=term,
                        polarity=polarity,  # type: ignore[arg-type]
                        confidence=confidence,
                        start=start,
                        end=start + len(term),
                    )
                )
        reviews.append(
            AnalyzedReview(
                review_id=5000 + i,
                product_id=1,
                body=body,
                sentiment=_sentiment(i),  # type: ignore[arg-type]
                p_positive=0.5,
                rating=_rating(i),
                reviewed_at=START + dt.timedelta(hours=i),
                aspects=mentions,
            )
        )
    return reviews


def pct(count: int, total: int) -> int:
    """Independent of the code under test: Decimal, half up."""
    return int((Decimal(100 * count) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ids(reviews: list[AnalyzedReview], aspect: str, polarity: str | None = None) -> set[int]:
    return {
        r.review_id
        for r in reviews
        for m in r.aspects
        if m.aspect == aspect and (polarity is None or m.polarity == polarity)
    }


@pytest.fixture(scope="module")
def reviews() -> list[AnalyzedReview]:
    return crafted()


def test_crafted_set_is_as_planned(reviews: list[AnalyzedReview]) -> None:
    assert len(reviews) == 200
    assert len(ids(reviews, "leak", "negative")) == 41 and len(ids(reviews, "price", "positive")) == 25
    assert len(ids(reviews, "price", "negative")) == 9 and len(ids(reviews, "price")) == 33


def test_every_count_and_share_in_the_summary(reviews: list[AnalyzedReview]) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    total = len(reviews)
    assert summary.total_reviews == total == 200
    for label in SENTIMENTS:
        n = sum(r.sentiment == label for r in reviews)
        cs = summary.sentiment[label]
        assert (cs.count, cs.denominator, cs.percent, cs.label) == (
            n,
            total,
            pct(n, total),
            f"{pct(n, total)}%",
        )
        assert cs.share == n / total
    rated = [r.rating for r in reviews if r.rating is not None]
    assert summary.rated_reviews == len(rated) == 190
    assert summary.average_rating == round(sum(rated) / len(rated), 2)
    assert summary.rating_distribution == {s: rated.count(s) for s in range(1, 6)}
    names = sorted({m.aspect for r in reviews for m in r.aspects})
    assert sorted(a.aspect for a in summary.aspects) == names
    for stats in summary.aspects:
        mentioned = ids(reviews, stats.aspect)
        assert stats.mentions.count == len(mentioned) and stats.mentions.denominator == total
        assert stats.mentions.percent == pct(len(mentioned), total)
        for polarity in POLARITIES:
            n = len(ids(reviews, stats.aspect, polarity))
            pc = stats.polarity(polarity)
            assert pc.count == n
            assert (pc.of_reviews.count, pc.of_reviews.denominator, pc.of_reviews.percent) == (
                n,
                total,
                pct(n, total),
            )
            assert (pc.of_mentions.denominator, pc.of_mentions.percent) == (
                len(mentioned),
                pct(n, len(mentioned)),
            )
    leak = summary.aspect("leak")
    assert leak is not None and (leak.negative.count, leak.negative.of_reviews.label) == (
        41,
        "21%",
    )  # 20.5 up
    assert [a.aspect for a in summary.aspects][:2] == ["leak", "price"]  # 44 and 33 reviews


def test_rankings_by_count_with_min_mentions(reviews: list[AnalyzedReview]) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    expected_neg = sorted(
        ((a, len(ids(reviews, a, "negative"))) for a in ("leak", "price", "lid")), key=lambda x: (-x[1], x[0])
    )
    assert [(r.aspect, r.count, r.rank) for r in summary.top_complained] == [
        (a, n, i + 1) for i, (a, n) in enumerate(expected_neg)
    ]
    assert [(r.aspect, r.count) for r in summary.top_praised] == [("price", 25), ("lid", 12)]  # colour: 1 < 2
    assert [r.aspect for r in summarize(reviews, scope="p", scope_id="1", top_n=1).top_complained] == ["leak"]


def test_quotes_are_real_reviews_containing_the_term(reviews: list[AnalyzedReview]) -> None:
    by_id = {r.review_id: r for r in reviews}
    summary = summarize(reviews, scope="product", scope_id="1")
    for stats in summary.aspects:
        for quote in stats.quotes:
            review = by_id[quote.review_id]
            assert quote.term in review.body and quote.term in quote.excerpt
            assert any(m.aspect == stats.aspect and m.polarity == quote.polarity for m in review.aspects)
    leak_neg = summary.top_complained[0].quotes
    candidates = [
        (max(m.confidence for m in r.aspects if m.aspect == "leak" and m.polarity == "negative"), r)
        for r in reviews
        if r.review_id in ids(reviews, "leak", "negative")
    ]
    candidates.sort(key=lambda cr: (-cr[0], -cr[1].reviewed_at.timestamp(), cr[1].review_id))  # type: ignore[union-attr]
    assert [q.review_id for q in leak_neg] == [r.review_id for _, r in candidates[:2]]


STATEMENT = {
    "en": re.compile(r"(\d+) of (\d+) reviews, (<1%|>99%|\d+%)\.$"),
    "zh": re.compile(r"(\d+) 条评价中 (\d+) 条（(<1%|>99%|\d+%)）。$"),
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_rendered_statement_matches_the_records(reviews: list[AnalyzedReview], language: str) -> None:
    summary = summarize(reviews, scope="product", scope_id="1", language=language)  # type: ignore[arg-type]
    assert summary.statements and all(s.language == language for s in summary.statements)
    kinds = [s.claim.kind for s in summary.statements]
    assert kinds.count("sentiment") == 4 and kinds.count("rating") == 1 and kinds.count("aspect") == 5
    for statement in summary.statements:
        match = STATEMENT[language].search(statement.text)
        assert match, statement.text
        a, b, label = match.groups()
        count, denominator = (int(b), int(a)) if language == "zh" else (int(a), int(b))
        claim = statement.claim
        if claim.kind == "sentiment":
            truth = sum(r.sentiment == claim.subject for r in reviews)
            assert claim.subject in statement.text.casefold() or language == "zh"
        elif claim.kind == "rating":
            truth = sum(r.rating is not None for r in reviews)
            rated = [r.rating for r in reviews if r.rating is not None]
            assert f"{sum(rated) / len(rated):.1f}" in statement.text  # type: ignore[arg-type]
        else:
            truth = len(ids(reviews, claim.subject, claim.polarity))
            assert claim.subject in statement.text
        assert (count, denominator) == (truth, len(reviews)) == (claim.count, claim.denominator)
        assert label == f"{pct(truth, len(reviews))}%" == claim.label
        assert check_summary_text(statement.text, summary) == []
    en = summarize(reviews, scope="product", scope_id="1")
    assert "Complaints about leak: 41 of 200 reviews, 21%." in [s.text for s in en.statements]


def test_rounding_rule() -> None:
    assert [percent_of(c, 200) for c in (1, 41, 199, 200)] == [1, 21, 100, 100]  # 0.5 and 99.5 round up
    assert [share_label(c, 1000) for c in (0, 4, 5, 994, 995, 1000)] == [
        "0%",
        "<1%",
        "1%",
        "99%",
        ">99%",
        "100%",
    ]
    assert percent_of(3, 0) == 0 and share_label(0, 0) == "0%"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Complaints about leak: 41 of 200 reviews, 25%.", "wrong_share"),
        ("Complaints about leak: 42 of 200 reviews, 21%.", "unsupported_fraction"),
        ("Most reviews complain about leaks (41 of 200, 21%).", "overstated_majority"),
        ("The majority of buyers report leaks.", "overstated_majority"),
        ("Shoppers raised 17 of 90 problems with shipping.", "unsupported_fraction"),
        ("Leaks came up in 35% of reviews.", "wrong_share"),
        ("63 customers complained about the lid.", "unsupported_count"),
        ("About 19% of buyers are unhappy.", "wrong_share"),
        ("Roughly 12% said so.", "unanchored_share"),
        ("Average rating 4.6 stars.", "unsupported_number"),
        ("leak（负面）：200 条评价中 41 条（25%）。", "wrong_share"),
        ("大多数评价抱怨 leak。", "overstated_majority"),
        ("leak 的负面评价占百分之四十。", "wrong_share"),
        ("Price praise: 41/200.", "unsupported_fraction"),
    ],
)
def test_checker_flags(reviews: list[AnalyzedReview], text: str, kind: str) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    assert kind in [p.kind for p in check_summary_text(text, summary)]


@pytest.mark.parametrize(
    "text",
    [
        "Leaks came up in 21% of reviews.",
        "41 out of 200 reviews complain about leaks (21%), the most common complaint.",
        "Praise for price: 25/200, 13%; 9 of 200 reviews complain about it.",
        "Most reviews that mention price praise it: 25 of 33.",
        "Most reviews are positive, 110 of 200.",
        "leak 的负面评价占百分之二十一。",
        "5-star reviews are common.",
        "Buyers like the lid.",
    ],
)
def test_checker_accepts_supported_text(reviews: list[AnalyzedReview], text: str) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    assert check_summary_text(text, summary) == []


def test_remove_unsupported_keeps_only_supported_sentences(reviews: list[AnalyzedReview]) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    text = "Leaks: 41 of 200 reviews, 21%. Most buyers love the price. The lid gets 12 of 200, 6%. 63 cried."
    assert remove_unsupported(text, summary) == "Leaks: 41 of 200 reviews, 21%. The lid gets 12 of 200, 6%."
    assert zh_number("二十一") == 21 and zh_number("一百") == 100 and zh_number("九") == 9


def test_amazon_case_big_complaint_ranks_first_and_is_never_omitted() -> None:
    reviews = []
    for i in range(3000):
        mentions = []
        if i < 900:
            mentions.append(AspectMention(aspect="battery", term="battery", polarity="negative"))
        if 2000 <= i < 2016:
            mentions.append(AspectMention(aspect="smell", term="smell", polarity="negative", confidence=1.0))
        reviews.append(
            AnalyzedReview(
                review_id=i, body="battery smell", sentiment="positive", p_positive=0.9, aspects=mentions
            )
        )
    summary = summarize(reviews, scope="product", scope_id="9", top_n=1)
    assert [(r.aspect, r.count) for r in summary.top_complained] == [("battery", 900)]
    full = summarize(reviews, scope="product", scope_id="9")
    assert [(r.aspect, r.count) for r in full.top_complained] == [("battery", 900), ("smell", 16)]
    smell_only = "Some buyers dislike the smell: 16 of 3000 reviews, 1%."
    assert check_summary_text(smell_only, full) == []
    assert [r.aspect for r in omitted_complaints(smell_only, full)] == ["battery"]
    llm = FakeLLM([json.dumps({"sentences": [smell_only]})])
    text = narrate(llm, full)
    assert text.startswith(smell_only) and "Complaints about battery: 900 of 3000 reviews, 30%." in text


def test_narrate_drops_unsupported_sentences_and_falls_back(reviews: list[AnalyzedReview]) -> None:
    summary = summarize(reviews, scope="product", scope_id="1")
    good = "Complaints about leak: 41 of 200 reviews, 21%."
    llm = FakeLLM(
        [json.dumps({"sentences": [good, "Most buyers love the price.", "Price: 25 of 200, 40%."]})]
    )
    text = narrate(llm, summary)
    assert text.startswith(good) and "Most buyers" not in text and "40%" not in text
    assert "Complaints about price: 9 of 200 reviews, 5%." in text  # omitted complaints appended
    assert check_summary_text(text, summary) == []
    prompt = llm.requests[0].messages[-1].content
    assert "41 of 200 reviews, 21%" in prompt and "Review 0." not in prompt  # statements, never review text
    bad = FakeLLM([json.dumps({"sentences": ["Most leak.", "99 of 100 hate it."]})])
    fallback = narrate(bad, summary, "en")
    assert fallback == " ".join(s.text for s in summary.statements)
    zh = summarize(reviews, scope="product", scope_id="1", language="zh")
    zh_text = narrate(FakeLLM([json.dumps({"sentences": ["大多数评价抱怨 leak。"]})]), zh, "zh")
    assert zh_text == "".join(s.text for s in zh.statements)
