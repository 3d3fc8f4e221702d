"""Customer profiles: RFM segments from orders, joined with what each segment praises and complains about.

The service feeds plain :class:`OrderRecord` rows (customer, when, how much) for the orders that
count as purchases — it should leave out cancelled and fully refunded orders — and the analysed
reviews; everything here is arithmetic on those.

Scores. Recency (days since the last order, fewer is better), frequency (orders) and monetary
(total spent) each get a quintile score 1–5 by mid-rank: a customer's percentile is
``(customers strictly worse + half of those tied) / customers`` and the score is
``1 + floor(5 × percentile)``, capped at 5. Tied customers always get the same score, the result does
not depend on input order, and it works for any number of customers (one customer scores 3).

Segments, read from the recency score R and FM = the mean of the frequency and monetary scores
rounded half up; first, a recent customer (R ≥ 4) with a single order is **New**; otherwise:

====  =============  =============  ===========  ===========  ===============
R     FM 1           FM 2           FM 3         FM 4         FM 5
====  =============  =============  ===========  ===========  ===============
5, 4  New            Potential      Potential    Champions    Champions
3     Hibernating    Hibernating    Loyal        Loyal        Loyal
2     Hibernating    Hibernating    At risk      At risk      Can't lose them
1     Lost           Lost           At risk      At risk      Can't lose them
====  =============  =============  ===========  ===========  ===============

(Potential = Potential loyalists.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel

from shopops.reviews.summary import CountShare, RankedAspect, summarize
from shopops.reviews.types import AnalyzedReview

SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal",
    "Potential loyalists",
    "New",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
)
UNKNOWN = "unknown"  # reviews with no customer, or from a customer with no counted orders

_GRID: dict[int, tuple[str, str, str, str, str]] = {  # recency score -> segment by FM score 1..5
    5: ("New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),
    4: ("New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),
    3: ("Hibernating", "Hibernating", "Loyal", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),
    1: ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),
}


class OrderRecord(BaseModel):
    """One counted purchase; the service builds these from ``Order`` rows."""

    customer_id: int
    placed_at: dt.datetime | dt.date
    total: Decimal


class CustomerRFM(BaseModel):
    customer_id: int
    last_order: dt.date
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    fm: int
    segment: str


class SegmentProfile(BaseModel):
    segment: str
    customers: int  # customers in the segment (0 for "unknown")
    reviewers: int  # of them, how many wrote at least one review
    reviews: int
    sentiment: dict[str, CountShare]  # of the segment's reviews
    top_praised: list[RankedAspect]
    top_complained: list[RankedAspect]


def _day(moment: dt.datetime | dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def quintile_scores(values: Mapping[int, int | Decimal], *, higher_is_better: bool) -> dict[int, int]:
    """Mid-rank quintile score 1–5 for each key (see the module docstring)."""
    n = len(values)
    scores: dict[int, int] = {}
    for key, value in values.items():
        if higher_is_better:
            worse = sum(1 for other in values.values() if other < value)
        else:
            worse = sum(1 for other in values.values() if other > value)
        tied = sum(1 for other in values.values() if other == value)
        # percentile = (worse + tied / 2) / n; score = 1 + floor(5 * percentile), in integers
        scores[key] = min(5, 1 + (5 * (2 * worse + tied)) // (2 * n))
    return scores


def segment_for(r: int, fm: int, frequency: int) -> str:
    """The named segment for a recency score, FM score and order count (the table above)."""
    if r >= 4 and frequency == 1:
        return "New"
    return _GRID[r][fm - 1]


def rfm_segments(orders: Sequence[OrderRecord], *, as_of: dt.date) -> dict[int, CustomerRFM]:
    """Recency, frequency and monetary value per customer as of ``as_of`` (later orders ignored),
    their quintile scores and the named segment."""
    last: dict[int, dt.date] = {}
    count: dict[int, int] = defaultdict(int)
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for order in orders:
        day = _day(order.placed_at)
        if day > as_of:
            continue
        last[order.customer_id] = max(day, last.get(order.customer_id, day))
        count[order.customer_id] += 1
        spent[order.customer_id] += order.total
    recency = {c: (as_of - day).days for c, day in last.items()}
    r = quintile_scores(recency, higher_is_better=False)
    f = quintile_scores(count, higher_is_better=True)
    m = quintile_scores(spent, higher_is_better=True)
    out: dict[int, CustomerRFM] = {}
    for customer in sorted(last):
        fm = (f[customer] + m[customer] + 1) // 2
        out[customer] = CustomerRFM(
            customer_id=customer,
            last_order=last[customer],
            recency_days=recency[customer],
            frequency=count[customer],
            monetary=spent[customer],
            r=r[customer],
            f=f[customer],
            m=m[customer],
            fm=fm,
            segment=segment_for(r[customer], fm, count[customer]),
        )
    return out


def segment_voice(
    rfm: dict[int, CustomerRFM],
    reviews: Sequence[AnalyzedReview],
    *,
    top_n: int = 5,
    min_mentions: int = 1,
) -> list[SegmentProfile]:
    """Per segment (in :data:`SEGMENTS` order, then "unknown" when it has reviews): customers,
    reviews, sentiment shares and the most praised and complained-about aspects with counts.

    Reviews join to customers by ``customer_id``; a review with no customer, or from a customer
    with no counted orders, goes to "unknown". Counts follow :func:`shopops.reviews.summary.summarize`."""
    by_segment: dict[str, list[AnalyzedReview]] = defaultdict(list)
    for review in {r.review_id: r for r in reviews}.values():
        held = rfm.get(review.customer_id) if review.customer_id is not None else None
        by_segment[held.segment if held else UNKNOWN].append(review)
    members: dict[str, set[int]] = defaultdict(set)
    for customer in rfm.values():
        members[customer.segment].add(customer.customer_id)
    profiles: list[SegmentProfile] = []
    for segment in (*SEGMENTS, UNKNOWN):
        found = by_segment.get(segment, [])
        if segment == UNKNOWN and not found:
            continue
        summary = summarize(found, scope="segment", scope_id=segment, top_n=top_n, min_mentions=min_mentions)
        profiles.append(
            SegmentProfile(
                segment=segment,
                customers=len(members[segment]),
                reviewers=len({r.customer_id for r in found if r.customer_id in members[segment]}),
                reviews=summary.total_reviews,
                sentiment=summary.sentiment,
                top_praised=summary.top_praised,
                top_complained=summary.top_complained,
            )
        )
    return profiles
