"""RFM segments from orders (scores and segments computed by hand below) and what each segment
praises and complains about."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from shopops.reviews.profiles import (
    SEGMENTS,
    UNKNOWN,
    OrderRecord,
    quintile_scores,
    rfm_segments,
    segment_for,
    segment_voice,
)
from shopops.reviews.types import AnalyzedReview, AspectMention

AS_OF = dt.date(2026, 3, 1)


def _order(customer: int, days_ago: int, total: str) -> OrderRecord:
    placed = dt.datetime.combine(AS_OF - dt.timedelta(days=days_ago), dt.time(15, 30))
    return OrderRecord(customer_id=customer, placed_at=placed, total=Decimal(total))


ORDERS = [
    _order(1, 2, "10"),
    _order(1, -4, "999"),  # after as_of: ignored
    _order(2, 10, "30"),
    _order(2, 59, "20"),
    _order(3, 30, "100"),
    _order(3, 60, "60"),
    _order(3, 90, "40"),
    *(_order(4, days, "100") for days in (200, 250, 300, 350, 400)),
    _order(5, 400, "5"),
]


def test_rfm_hand_computed() -> None:
    rfm = rfm_segments(ORDERS, as_of=AS_OF)
    # recency days 2, 10, 30, 200, 400 -> mid-rank percentiles .9 .7 .5 .3 .1 -> R 5 4 3 2 1
    # orders 1, 2, 3, 5, 1 -> customers 1 and 5 tie at percentile .2 -> F 2 3 4 5 2
    # spent 10, 50, 200, 500, 5 -> M 2 3 4 5 1; FM = mean of F and M, half up -> 2 3 4 5 2
    expected = {
        1: (2, 1, Decimal("10"), 5, 2, 2, 2, "New"),  # recent, a single order
        2: (10, 2, Decimal("50"), 4, 3, 3, 3, "Potential loyalists"),
        3: (30, 3, Decimal("200"), 3, 4, 4, 4, "Loyal"),
        4: (200, 5, Decimal("500"), 2, 5, 5, 5, "Can't lose them"),
        5: (400, 1, Decimal("5"), 1, 2, 1, 2, "Lost"),
    }
    assert sorted(rfm) == [1, 2, 3, 4, 5]
    for customer, (days, orders, spent, r, f, m, fm, segment) in expected.items():
        got = rfm[customer]
        assert (got.recency_days, got.frequency, got.monetary) == (days, orders, spent)
        assert (got.r, got.f, got.m, got.fm, got.segment) == (r, f, m, fm, segment)
    assert rfm[1].last_order == AS_OF - dt.timedelta(days=2)


def test_order_of_input_does_not_matter() -> None:
    shuffled = list(ORDERS)
    random.Random(3).shuffle(shuffled)
    assert rfm_segments(shuffled, as_of=AS_OF) == rfm_segments(ORDERS, as_of=AS_OF)


def test_quintiles_with_ties_and_few_customers() -> None:
    assert quintile_scores({7: 3}, higher_is_better=True) == {7: 3}  # one customer: the middle
    assert quintile_scores({1: 5, 2: 9}, higher_is_better=True) == {1: 2, 2: 4}  # percentiles .25 .75
    ten = {c: c for c in range(1, 11)}
    assert list(quintile_scores(ten, higher_is_better=True).values()) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(quintile_scores(ten, higher_is_better=False).values()) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    tied = quintile_scores({1: 1, 2: 1, 3: 1, 4: 2}, higher_is_better=True)  # (0 + 3/2)/4 = .375 -> 2
    assert tied == {1: 2, 2: 2, 3: 2, 4: 5}
    assert rfm_segments([], as_of=AS_OF) == {}


def test_segment_table() -> None:
    assert segment_for(5, 5, 4) == "Champions" and segment_for(4, 4, 2) == "Champions"
    assert segment_for(5, 1, 2) == "New" and segment_for(4, 5, 1) == "New"
    assert segment_for(3, 3, 2) == "Loyal" and segment_for(3, 2, 2) == "Hibernating"
    assert segment_for(2, 3, 3) == "At risk" and segment_for(1, 5, 9) == "Can't lose them"
    assert segment_for(1, 2, 1) == "Lost" and segment_for(2, 1, 1) == "Hibernating"
    every = {segment_for(r, fm, n) for r in range(1, 6) for fm in range(1, 6) for n in (1, 2)}
    assert every == set(SEGMENTS)


def _review(
    review_id: int, customer: int | None, sentiment: str, aspects: list[tuple[str, str]]
) -> AnalyzedReview:
    return AnalyzedReview(
        review_id=review_id,
        customer_id=customer,
        body=" ".join(a for a, _ in aspects) or "ok",
        sentiment=sentiment,  # type: ignore[arg-type]
        p_positive=0.5,
        aspects=[AspectMention(aspect=a, term=a, polarity=p) for a, p in aspects],  # type: ignore[arg-type]
    )


def test_segment_voice_joins_reviews_to_segments() -> None:
    rfm = rfm_segments(ORDERS, as_of=AS_OF)
    reviews = [
        _review(1, 1, "positive", [("price", "positive")]),
        _review(2, 3, "negative", [("leak", "negative")]),
        _review(3, 3, "mixed", [("leak", "negative"), ("price", "positive")]),
        _review(4, 3, "negative", [("leak", "negative"), ("lid", "negative")]),
        _review(5, None, "neutral", []),
        _review(6, 99, "negative", [("smell", "negative")]),  # no counted orders
    ]
    profiles = segment_voice(rfm, reviews)
    assert [p.segment for p in profiles] == [*SEGMENTS, UNKNOWN]
    by_name = {p.segment: p for p in profiles}
    loyal = by_name["Loyal"]
    assert (loyal.customers, loyal.reviewers, loyal.reviews) == (1, 1, 3)
    assert loyal.sentiment["negative"].count == 2 and loyal.sentiment["negative"].label == "67%"
    assert loyal.sentiment["mixed"].count == 1 and loyal.sentiment["positive"].count == 0
    assert [(a.aspect, a.count) for a in loyal.top_complained] == [("leak", 3), ("lid", 1)]
    assert [(a.aspect, a.count) for a in loyal.top_praised] == [("price", 1)]
    assert loyal.top_complained[0].of_reviews.label == "100%"
    new = by_name["New"]
    assert (new.customers, new.reviews, new.top_praised[0].aspect) == (1, 1, "price")
    champions = by_name["Champions"]
    assert (champions.customers, champions.reviews, champions.top_complained) == (0, 0, [])
    assert champions.sentiment["positive"].share == 0.0
    unknown = by_name[UNKNOWN]
    assert (unknown.customers, unknown.reviewers, unknown.reviews) == (0, 0, 2)
    assert [(a.aspect, a.count) for a in unknown.top_complained] == [("smell", 1)]
    assert sum(p.reviews for p in profiles) == len(reviews)


def test_unknown_segment_only_when_it_has_reviews() -> None:
    rfm = rfm_segments(ORDERS, as_of=AS_OF)
    profiles = segment_voice(rfm, [_review(1, 2, "positive", [])])
    assert UNKNOWN not in {p.segment for p in profiles}
    assert {p.segment: p.reviews for p in profiles}["Potential loyalists"] == 1


@pytest.mark.parametrize("placed", [dt.date(2026, 2, 27), dt.datetime(2026, 2, 27, 23, 59)])
def test_dates_and_datetimes_both_work(placed: dt.date) -> None:
    rfm = rfm_segments([OrderRecord(customer_id=1, placed_at=placed, total=Decimal("9.5"))], as_of=AS_OF)
    assert (rfm[1].recency_days, rfm[1].frequency, rfm[1].monetary) == (2, 1, Decimal("9.5"))
