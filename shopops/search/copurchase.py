"""Complementary items from what customers bought together: co-purchase counts over order lines.

A *basket* is the set of products of one order. Orders that did not stick are left out (status
``cancelled`` or financial status ``refunded``), and so are lines with no product (custom items,
deleted products) and lines returned in full: they say nothing about what goes together.

For products A and B over ``N`` baskets, with ``n_a``/``n_b`` the baskets holding each and ``n_ab``
the baskets holding both:

* ``confidence = n_ab / n_a`` — of the orders with A, the share that also had B;
* ``lift = n_ab * N / (n_a * n_b)`` — how many times more often they meet than if customers picked
  them independently (``expected = n_a * n_b / N`` baskets);
* ranking uses the lift *shrunk toward 1* by a prior of ``PRIOR_BASKETS`` pseudo-baskets in which
  the pair meets exactly as often as chance says: ``(n_ab + m) / (expected + m)``. Rare pairs with a
  huge raw lift (2 of 2 orders) then rank below a steady pair (30 of 100 orders with lift 3), while
  pairs with plenty of evidence keep close to their raw lift.

A pair qualifies only with ``n_ab >= min_together`` *and* a raw lift above 1: a product that is in
most orders anyway (a gift bag) meets everything at chance level and is not a complement of any one
of them. Products never bought together get nothing; no reason is invented.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.reviews.summary import share_label
from shopops.search.types import Recommendation
from shopops.store.models import Order, OrderLine

PRIOR_BASKETS = 5.0  # pseudo-baskets at chance level added to each pair when ranking (see above)
MAX_BASKET_ITEMS = 200  # larger baskets (bulk/wholesale orders) are left out: they pair everything
EXCLUDED_STATUSES = ("cancelled",)
EXCLUDED_FINANCIAL = ("refunded",)


def load_baskets(session: Session) -> list[frozenset[int]]:
    """The distinct product ids of each order that stuck, in order id order (empty orders omitted)."""
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.product_id.is_not(None),
            func.lower(Order.status).not_in(EXCLUDED_STATUSES),
            func.lower(Order.financial_status).not_in(EXCLUDED_FINANCIAL),
            OrderLine.quantity > func.coalesce(OrderLine.returned_quantity, 0),
        )
        .order_by(OrderLine.order_id)
        .execution_options(yield_per=10_000)
    )
    baskets: dict[int, set[int]] = defaultdict(set)
    for order_id, product_id in rows:
        baskets[order_id].add(product_id)
    return [frozenset(products) for _, products in sorted(baskets.items())]


@dataclass
class CoPurchase:
    """Per-product and per-pair basket counts. ``pairs[a][b]`` (symmetric) is the number of baskets
    holding both; ``skipped`` counts baskets over ``MAX_BASKET_ITEMS`` products, left out entirely."""

    orders: int = 0
    products: Counter[int] = field(default_factory=Counter)
    pairs: dict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    skipped: int = 0

    @classmethod
    def from_baskets(
        cls, baskets: Iterable[Iterable[int]], *, max_items: int = MAX_BASKET_ITEMS
    ) -> CoPurchase:
        """Count every basket once (repeated product ids in one basket count once).

        Work is linear in the number of baskets and quadratic only in basket size, which is small
        in retail (100k orders of 3 products take well under a second)."""
        stats = cls()
        for basket in baskets:
            items = sorted(set(basket))
            if not items:
                continue
            if len(items) > max_items:
                stats.skipped += 1
                continue
            stats.orders += 1
            stats.products.update(items)
            for a, b in combinations(items, 2):
                stats.pairs[a][b] += 1
                stats.pairs[b][a] += 1
        return stats

    def orders_with(self, product_id: int) -> int:
        return self.products.get(product_id, 0)

    def together(self, a: int, b: int) -> int:
        partners = self.pairs.get(a)
        return partners.get(b, 0) if partners else 0

    def lift(self, a: int, b: int) -> float:
        """Raw lift of the pair (0.0 when either product was never bought)."""
        n_a, n_b = self.orders_with(a), self.orders_with(b)
        if not n_a or not n_b:
            return 0.0
        return self.together(a, b) * self.orders / (n_a * n_b)


def shrunk_lift(together: int, expected: float, prior: float = PRIOR_BASKETS) -> float:
    """Lift pulled toward 1 by ``prior`` pseudo-baskets at chance level: (n_ab + m) / (expected + m)."""
    return (together + prior) / (expected + prior)


def complementary_items(
    stats: CoPurchase,
    product_id: int,
    titles: Mapping[int, str],
    *,
    k: int = 5,
    min_together: int = 2,
    prior: float = PRIOR_BASKETS,
) -> list[Recommendation]:
    """Products bought with ``product_id`` more often than chance, best first (see module docstring).

    Only products named in ``titles`` are recommended, so the caller decides what may be shown
    (pass active products only to keep archived ones out). Ties rank by orders together, then id."""
    if k < 1:
        raise InputError("k must be at least 1")
    if min_together < 1:
        raise InputError("min_together must be at least 1", hint="a pair must meet in at least one order")
    orders_with_a = stats.orders_with(product_id)
    partners = stats.pairs.get(product_id)
    if not orders_with_a or not partners:
        return []
    title_a = titles.get(product_id) or f"product {product_id}"
    ranked: list[tuple[float, int, int, Recommendation]] = []
    for other, together in partners.items():
        if other == product_id or together < min_together or other not in titles:
            continue
        orders_with_b = stats.orders_with(other)
        expected = orders_with_a * orders_with_b / stats.orders
        lift = together / expected
        if lift <= 1.0:
            continue
        confidence = together / orders_with_a
        score = shrunk_lift(together, expected, prior)
        reason = (
            f"Bought together in {together} orders: {share_label(together, orders_with_a)} of the "
            f"{orders_with_a} orders with {title_a} (lift {lift:.1f})"
        )
        evidence = {
            "together": together,
            "orders_with_a": orders_with_a,
            "orders_with_b": orders_with_b,
            "orders": stats.orders,
            "confidence": confidence,
            "lift": lift,
            "expected": expected,
            "shrunk_lift": score,
        }
        recommendation = Recommendation(
            product_id=other,
            title=titles[other],
            kind="complementary",
            score=score,
            reason=reason,
            evidence=evidence,
        )
        ranked.append((score, together, other, recommendation))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [item[3] for item in ranked[:k]]
