"""Recommendations: similar items from embedding neighbours, complementary items from co-purchase
counts, and alternatives that draw fewer complaints. Every number a reason states is checked against
the evidence it carries. Store-backed parts run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from itertools import combinations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.reviews.summary import share_label
from shopops.search.recommend import (
    CoPurchase,
    ProductComplaints,
    alternatives,
    complaint_stats,
    complementary_items,
    fewer_complaints_p_value,
    load_baskets,
    similar_items,
)
from shopops.search.types import Recommendation, SearchDoc
from shopops.store import models
from shopops.store.db import Database

A, B, C, D, E, F = 1, 2, 3, 4, 5, 6
TITLES = {A: "Steel Bottle", B: "Bottle Brush", C: "Gift Bag", D: "Spare Lid", E: "Straw Set", F: "Desk Lamp"}
COMPLEMENT = re.compile(
    r"^Bought together in (\d+) orders: (\S+) of the (\d+) orders with (.+) \(lift (\d+\.\d)\)$"
)
FEWER = re.compile(
    r"^Fewer complaints about (.+): (\d+) of (\d+) reviews \((\S+)\) vs (\d+) of (\d+) \((\S+)\) for (.+)$"
)


def crafted_baskets() -> list[set[int]]:
    """100 orders: A in 40; B in 20 (12 with A); C in 10 (3 with A, below chance); D in 2 (both with
    A); E once with A; F in 5, never with A."""
    baskets: list[set[int]] = [{A} for _ in range(40)] + [set() for _ in range(60)]
    for i in range(12):
        baskets[i].add(B)
    for i in range(40, 48):
        baskets[i].add(B)
    for i in range(12, 15):
        baskets[i].add(C)
    for i in range(48, 55):
        baskets[i].add(C)
    baskets[20].add(D)
    baskets[21].add(D)
    baskets[22].add(E)
    for i in range(55, 60):
        baskets[i].add(F)
    for i in range(60, 100):  # orders of other products keep N at 100
        baskets[i].add(100 + i)
    return baskets


def check_complement_reason(rec: Recommendation) -> None:
    """Each number in the reason is the evidence's, formatted as people see it."""
    match = COMPLEMENT.match(rec.reason)
    assert match, rec.reason
    together, percent, orders_with_a, title_a, lift = match.groups()
    ev = rec.evidence
    assert int(together) == ev["together"] and int(orders_with_a) == ev["orders_with_a"]
    assert percent == share_label(ev["together"], ev["orders_with_a"])
    assert ev["confidence"] == pytest.approx(ev["together"] / ev["orders_with_a"])
    assert ev["lift"] == pytest.approx(
        ev["together"] * ev["orders"] / (ev["orders_with_a"] * ev["orders_with_b"])
    )
    assert lift == f"{ev['lift']:.1f}" and title_a == TITLES[A]


def test_crafted_baskets_give_counts_confidence_lift_and_ranking() -> None:
    stats = CoPurchase.from_baskets(crafted_baskets())
    assert stats.orders == 100
    assert [stats.orders_with(p) for p in (A, B, C, D, E, F)] == [40, 20, 10, 2, 1, 5]
    assert (stats.together(A, B), stats.together(B, A), stats.together(A, F)) == (12, 12, 0)
    assert stats.lift(A, B) == pytest.approx(12 * 100 / (40 * 20))  # 1.5
    recs = complementary_items(stats, A, TITLES)
    # C meets A below chance (3 < 4 expected), E only once, F never: none of them is recommended.
    # D's raw lift (2.5) beats B's (1.5), but 2 orders are thin evidence: the prior ranks B first.
    assert [r.product_id for r in recs] == [B, D]
    assert all(r.kind == "complementary" for r in recs)
    b = recs[0]
    assert b.reason == "Bought together in 12 orders: 30% of the 40 orders with Steel Bottle (lift 1.5)"
    assert (b.evidence["together"], b.evidence["orders_with_a"], b.evidence["orders_with_b"]) == (12, 40, 20)
    assert b.evidence["confidence"] == pytest.approx(0.3) and b.evidence["lift"] == pytest.approx(1.5)
    assert b.score == pytest.approx((12 + 5) / (8 + 5)) and recs[1].evidence["lift"] == pytest.approx(2.5)
    for rec in recs:
        check_complement_reason(rec)


def test_min_together_k_and_titles_bound_what_is_recommended() -> None:
    stats = CoPurchase.from_baskets(crafted_baskets())
    assert E in [r.product_id for r in complementary_items(stats, A, TITLES, min_together=1)]
    assert [r.product_id for r in complementary_items(stats, A, TITLES, min_together=3)] == [B]
    assert [r.product_id for r in complementary_items(stats, A, TITLES, k=1)] == [B]
    without_b = {p: t for p, t in TITLES.items() if p != B}  # e.g. B archived: the caller leaves it out
    assert [r.product_id for r in complementary_items(stats, A, without_b)] == [D]
    assert complementary_items(stats, F, TITLES) == []  # F's orders hold nothing else
    assert complementary_items(stats, 999, TITLES) == []  # never ordered
    with pytest.raises(InputError, match="k must"):
        complementary_items(stats, A, TITLES, k=0)


def test_no_self_recommendation_and_repeats_count_once() -> None:
    stats = CoPurchase.from_baskets([[A, A, B], [A, B], [B, A, A], [C], [], [D, D]])
    assert stats.orders == 5 and stats.orders_with(A) == 3 and stats.together(A, B) == 3
    assert stats.together(A, A) == 0 and stats.together(D, D) == 0
    recs = complementary_items(stats, A, TITLES, min_together=1)
    assert [r.product_id for r in recs] == [B]
    check_complement_reason(recs[0])
    assert "lift 1.7" in recs[0].reason  # 3 * 5 / (3 * 3)


def test_counts_match_brute_force_and_huge_baskets_are_left_out() -> None:
    rng = random.Random(7)
    baskets = [frozenset(rng.sample(range(30), rng.randint(1, 5))) for _ in range(800)]
    stats = CoPurchase.from_baskets([*baskets, frozenset(range(1000, 1300))], max_items=200)
    assert stats.orders == 800 and stats.skipped == 1 and stats.orders_with(1000) == 0
    for a, b in combinations(range(30), 2):
        assert stats.together(a, b) == sum(1 for x in baskets if a in x and b in x)
    assert all(stats.orders_with(p) == sum(p in x for x in baskets) for p in range(30))


def add_order(
    session: Session,
    number: str,
    lines: list[tuple[int | None, int, int]],
    status: str = "delivered",
    paid: str = "paid",
) -> None:
    """lines: (product_id, quantity, returned_quantity)."""
    order = models.Order(
        order_number=number,
        status=status,
        financial_status=paid,
        total=Decimal("10.00"),
        placed_at=dt.datetime(2026, 9, 1, 12, 0),
    )
    order.lines = [
        models.OrderLine(product_id=pid, quantity=qty, returned_quantity=back, unit_price=Decimal("5.00"))
        for pid, qty, back in lines
    ]
    session.add(order)


def add_products(session: Session, count: int) -> list[int]:
    products = [models.Product(handle=f"p{i}", title=f"Product {i}") for i in range(count)]
    session.add_all(products)
    session.flush()
    return [p.id for p in products]


def test_load_baskets_leaves_out_orders_that_did_not_stick(db: Database) -> None:
    with db.session() as session:
        a, b, c = add_products(session, 3)
        add_order(session, "1001", [(a, 1, 0), (b, 2, 0), (None, 1, 0)])  # custom line: no product
        add_order(session, "1002", [(a, 1, 0), (b, 1, 0)], status="cancelled")
        add_order(session, "1003", [(a, 1, 0), (c, 1, 0)], paid="refunded")
        add_order(session, "1004", [(a, 1, 0), (c, 2, 2)])  # C came back in full
        add_order(session, "1005", [(b, 3, 1), (c, 1, 0)], paid="partially_refunded")
        add_order(session, "1006", [(c, 1, 0)], status="Cancelled")
    with db.session() as session:
        baskets = load_baskets(session)
    assert baskets == [frozenset({a, b}), frozenset({a}), frozenset({b, c})]
    stats = CoPurchase.from_baskets(baskets)
    assert (stats.orders, stats.together(a, b), stats.together(a, c)) == (3, 1, 0)


# ------------------------------------------------------------------------------------------ similar


def doc(pid: int, title: str, category: str) -> SearchDoc:
    return SearchDoc(product_id=pid, handle=f"h{pid}", title=title, category=category)


DOCS = [
    doc(10, "Insulated Steel Water Bottle", "Kitchen > Drinkware"),
    doc(11, "Insulated bottles sleeve", "kitchen > drinkware"),
    doc(12, "Insulated Lunch Bag", "Outdoor > Bags"),
    doc(13, "Ceramic Mug", "Kitchen > Mugs"),
    doc(14, "Desk Lamp", "Office"),
    doc(10, "Insulated Steel Water Bottle", "Kitchen > Drinkware"),  # a second row of the source
]


def test_similar_items_dedupe_skip_self_and_carry_shared_words() -> None:
    rows = np.array([0, 5, 1, 1, 2, 3, 4, -1])
    cosines = np.array([1.0, 0.99, 0.85, 0.90, 0.903, 0.80, 0.71, np.nan])
    recs = similar_items(DOCS, 0, (rows, cosines), k=5)
    assert [r.product_id for r in recs] == [11, 12, 13, 14]  # 11 once, at its best cosine
    sleeve, bag, mug, lamp = recs
    # 0.900 + boost (same department) outranks 0.903 from another department: a near-tie broken
    assert sleeve.score == pytest.approx(0.905) and bag.score == pytest.approx(0.903)
    assert sleeve.reason == "Similar: same category (Kitchen > Drinkware); shares 'insulated', 'bottle'"
    assert sleeve.evidence["shared_words"] == ["insulated", "bottle"] and sleeve.evidence["cosine"] == 0.90
    assert bag.reason == "Similar: shares 'insulated'" and bag.evidence["category_boost"] == 0.0
    assert mug.reason == "Similar: same category (Kitchen)" and mug.evidence["shared_category"] == "Kitchen"
    assert lamp.reason == "Similar in description (cosine 0.71)"
    assert lamp.reason.endswith(f"(cosine {lamp.evidence['cosine']:.2f})")
    assert all(r.kind == "similar" for r in recs)
    assert [r.product_id for r in similar_items(DOCS, 0, (rows[None, :], cosines[None, :]), k=2)] == [11, 12]


def test_chinese_titles_share_whole_words() -> None:
    docs = [doc(1, "不锈钢保温杯 500ml", "厨房 > 水杯"), doc(2, "不锈钢保温杯套", "厨房 > 水杯")]
    (rec,) = similar_items(docs, 0, (np.array([1]), np.array([0.8])))
    assert rec.reason == "Similar: same category (厨房 > 水杯); shares '不锈钢', '保温杯'"


def test_similar_items_reject_bad_input() -> None:
    with pytest.raises(InputError, match="row 9"):
        similar_items(DOCS, 9, (np.array([1]), np.array([0.9])))
    with pytest.raises(InputError, match="2 rows but 1 cosines"):
        similar_items(DOCS, 0, (np.array([1, 2]), np.array([0.9])))
    assert similar_items(DOCS, 0, (np.array([0, 5]), np.array([1.0, 1.0]))) == []


# ------------------------------------------------------------------------------------ alternatives


def add_analysed_reviews(
    session: Session, product_id: int, total: int, leaks: int, price: int = 0, analysed: bool = True
) -> None:
    """``total`` reviews; the first ``leaks`` complain about leakage, the last ``price`` about price,
    and the others praise leakage (a positive mention is not a complaint)."""
    start = session.query(models.Review).count()
    for i in range(total):
        review = models.Review(external_id=f"R{start + i}", product_id=product_id, body="text")
        session.add(review)
        session.flush()
        if not analysed:
            continue
        aspects = [
            {"aspect": "leakage", "term": "leaks", "polarity": "negative" if i < leaks else "positive"}
        ]
        if i < leaks:  # a review repeating its complaint still counts once
            aspects.append({"aspect": "Leakage", "term": "leaking", "polarity": "negative"})
        if i >= total - price:
            aspects.append({"aspect": "price", "term": "pricey", "polarity": "negative"})
        session.add(
            models.ReviewAnalysis(
                review_id=review.id, text_hash="h", sentiment="mixed", p_positive=0.5, aspects=aspects
            )
        )


@pytest.fixture
def reviewed(db: Database) -> dict[str, int]:
    """The product (15 of 60 leak, 5 price), alternatives, a calm product and an unanalysed one."""
    with db.session() as session:
        ids = dict(
            zip(["main", "good", "bad", "tiny", "calm", "unread"], add_products(session, 6), strict=True)
        )
        add_analysed_reviews(session, ids["main"], 60, leaks=15, price=5)
        add_analysed_reviews(session, ids["good"], 40, leaks=1, price=4)
        add_analysed_reviews(session, ids["bad"], 40, leaks=12)
        add_analysed_reviews(session, ids["tiny"], 3, leaks=0)
        add_analysed_reviews(session, ids["calm"], 10, leaks=0)
        add_analysed_reviews(session, ids["unread"], 8, leaks=0, analysed=False)
    return ids


def candidates_of(ids: dict[str, int], *names: str) -> list[tuple[SearchDoc, float]]:
    return [(doc(ids[n], f"{n.title()} Bottle", "Kitchen"), 0.9 - 0.01 * i) for i, n in enumerate(names)]


def test_complaint_stats_count_reviews_once_per_aspect(db: Database, reviewed: dict[str, int]) -> None:
    with db.session() as session:
        stats = complaint_stats(session, reviewed.values())
    main = stats[reviewed["main"]]
    assert (main.reviews, main.complaints("leakage"), main.complaints("price")) == (60, 15, 5)
    assert main.share("Leakage") == pytest.approx(0.25) and main.top_aspect() == "leakage"
    assert stats[reviewed["unread"]] == ProductComplaints(reviewed["unread"], 0, {})
    assert stats[reviewed["calm"]].top_aspect() is None


def test_alternative_has_clearly_fewer_complaints(db: Database, reviewed: dict[str, int]) -> None:
    with db.session() as session:
        stats = complaint_stats(session, reviewed.values())
    titles = {reviewed["main"]: "Steel Bottle"}
    candidates = candidates_of(reviewed, "main", "bad", "tiny", "good", "good")
    result = alternatives(reviewed["main"], candidates, stats, titles)
    assert (result.aspect, result.product_complaints, result.product_reviews) == ("leakage", 15, 60)
    assert result.product_share == pytest.approx(0.25) and result.note == ""
    # 12 of 40 is not fewer; 0 of 3 is too few reviews to tell; the product itself is never offered
    assert [r.product_id for r in result.items] == [reviewed["good"]]
    rec = result.items[0]
    assert rec.kind == "alternative" and rec.title == "Good Bottle"
    assert (
        rec.reason
        == "Fewer complaints about leakage: 1 of 40 reviews (3%) vs 15 of 60 (25%) for Steel Bottle"
    )
    match = FEWER.match(rec.reason)
    assert match, rec.reason
    aspect, count, total, share, base, base_total, base_share, title = match.groups()
    ev = rec.evidence
    assert (aspect, int(count), int(total)) == (ev["aspect"], ev["complaints"], ev["reviews"])
    assert (int(base), int(base_total)) == (ev["product_complaints"], ev["product_reviews"])
    assert share == share_label(ev["complaints"], ev["reviews"]) and title == titles[reviewed["main"]]
    assert base_share == share_label(ev["product_complaints"], ev["product_reviews"])
    assert ev["similarity"] == pytest.approx(0.87)  # the better of its two candidate rows
    assert rec.score == pytest.approx(0.87 * (1 - 1 / 40)) and ev["p_value"] < 0.01
    fewer_reviews_needed = alternatives(reviewed["main"], candidates, stats, titles, min_reviews=41)
    assert fewer_reviews_needed.items == [] and "at least 41 analysed reviews" in fewer_reviews_needed.note


def test_explicit_aspect_is_honoured(db: Database, reviewed: dict[str, int]) -> None:
    with db.session() as session:
        stats = complaint_stats(session, reviewed.values())
    candidates = candidates_of(reviewed, "good", "bad")
    result = alternatives(reviewed["main"], candidates, stats, {}, aspect=" Price ")
    # on price, "good" (4 of 40) is worse than the product (5 of 60); "bad" (0 of 40) is better
    assert result.aspect == "price" and [r.product_id for r in result.items] == [reviewed["bad"]]
    rec = result.items[0]
    assert rec.reason == (
        f"Fewer complaints about price: 0 of 40 reviews (0%) vs 5 of 60 (8%) for product {reviewed['main']}"
    )
    assert rec.evidence["p_value"] == pytest.approx(fewer_complaints_p_value(0, 40, 5, 60))
    assert rec.evidence["p_value"] < 0.1


def test_no_reviews_or_no_complaint_gives_nothing_and_says_why(
    db: Database, reviewed: dict[str, int]
) -> None:
    with db.session() as session:
        stats = complaint_stats(session, reviewed.values())
    titles = {reviewed["calm"]: "Calm Bottle", reviewed["unread"]: "Unread Bottle"}
    candidates = candidates_of(reviewed, "main", "good", "bad")
    calm = alternatives(reviewed["calm"], candidates, stats, titles)
    assert calm.items == [] and calm.aspect is None and calm.product_share == 0.0
    assert calm.note == "no complaints in the 10 analysed reviews of Calm Bottle"
    calm_leak = alternatives(reviewed["calm"], candidates, stats, titles, aspect="leakage")
    assert calm_leak.note == "no complaints about leakage in the 10 analysed reviews of Calm Bottle"
    unread = alternatives(reviewed["unread"], candidates, stats, titles)
    assert unread.items == [] and "no analysed reviews" in unread.note
    assert unread.as_dict()["note"] == unread.note


def test_fewer_complaints_p_value_is_one_sided_fisher() -> None:
    for count, total, base, base_total in [(1, 40, 15, 60), (12, 40, 15, 60), (0, 3, 15, 60), (0, 40, 5, 60)]:
        table = [[count, total - count], [base, base_total - base]]
        expected = scipy_stats.fisher_exact(table, alternative="less").pvalue
        assert fewer_complaints_p_value(count, total, base, base_total) == pytest.approx(expected)
