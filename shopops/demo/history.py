"""What follows from the simulated orders: daily sales per SKU, stock levels, and reviews.

Sales rows are derived from the order lines (cancelled orders excluded), one row per SKU and day
*with* sales; a day without a row means zero units sold while in stock. Stock-out days are written
explicitly with ``units = 0, in_stock = false`` so forecasts can treat them as censored demand.

Inventory is set from recent demand and each product's lead time, with two planted situations: a
best seller about to stock out (:data:`LOW_STOCK_SKU`) and an overstocked line (:data:`OVERSTOCK_SKU`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, replace

from shopops.demo.simulate import END_DATE, STOCKOUT_DAYS, STOCKOUT_SKU, Order, Variant
from shopops.demo.texts import ASPECTS, SURNAMES_ZH, TEMPLATES, TITLES

LOW_STOCK_SKU = "LL-BTL-500-SAGE"
OVERSTOCK_SKU = "LL-PIC-NAV"
N_REVIEWS = 300
RECENT_DAYS = 56


@dataclass(frozen=True)
class SalesRow:
    sku: str
    date: dt.date
    units: int
    revenue: float
    on_promotion: bool
    in_stock: bool


@dataclass(frozen=True)
class StockRow:
    sku: str
    on_hand: int
    on_order: int
    lead_time_days: int


@dataclass(frozen=True)
class ReviewRow:
    external_id: str
    product_handle: str
    rating: int
    title: str
    body: str
    language: str
    author: str
    reviewed_at: dt.datetime
    aspects: tuple[tuple[str, str], ...]  # (aspect, "pos" | "neg"), the ground truth of the body
    customer_external_id: str = ""  # the reviewer, a customer with an order (RFM profiles join on it)


def sales_rows(orders: list[Order]) -> list[SalesRow]:
    units: dict[tuple[str, dt.date], int] = defaultdict(int)
    revenue: dict[tuple[str, dt.date], float] = defaultdict(float)
    promoted: dict[tuple[str, dt.date], bool] = defaultdict(bool)
    for order in orders:
        if order.status == "cancelled":
            continue
        for line in order.lines:
            key = (line.variant.sku, order.placed_at.date())
            units[key] += line.quantity
            revenue[key] += line.quantity * line.unit_price
            promoted[key] |= line.on_promotion
    rows = [
        SalesRow(sku, day, units[sku, day], round(revenue[sku, day], 2), promoted[sku, day], True)
        for sku, day in units
    ]
    day = STOCKOUT_DAYS[0]
    while day <= STOCKOUT_DAYS[1]:
        rows.append(SalesRow(STOCKOUT_SKU, day, 0, 0.0, False, False))
        day += dt.timedelta(days=1)
    return sorted(rows, key=lambda r: (r.sku, r.date))


def stock_rows(rng: random.Random, variants: list[Variant], sales: list[SalesRow]) -> list[StockRow]:
    first_recent = END_DATE - dt.timedelta(days=RECENT_DAYS - 1)
    recent: dict[str, int] = defaultdict(int)
    for row in sales:
        if row.date >= first_recent:
            recent[row.sku] += row.units
    rows = []
    for variant in variants:
        lead = variant.spec.lead_time_days
        daily = recent[variant.sku] / RECENT_DAYS
        if variant.sku == LOW_STOCK_SKU:
            on_hand, on_order = max(2, round(daily * 4)), 0  # about four days left, a 28-day lead time
        elif variant.sku == OVERSTOCK_SKU:
            on_hand, on_order = 420, 0  # well over a year of demand
        else:
            on_hand = round(daily * (lead + 30) * rng.uniform(0.8, 1.4)) + rng.randint(2, 8)
            on_order = round(daily * 30) if rng.random() < 0.3 else 0
        rows.append(StockRow(variant.sku, on_hand, on_order, lead))
    return rows


def _author(name: str, language: str) -> str:
    if language == "zh" and name[:1] in SURNAMES_ZH:
        return name[0] + "**"
    if language == "zh":
        return name.split()[0][:1] + "**"
    first, _, last = name.partition(" ")
    return f"{first} {last[:1]}." if last else first


def _review_language(rng: random.Random, customer_language: str, product_language: str) -> str:
    if product_language == "zh":
        return "zh" if rng.random() < 0.8 else "en"
    return customer_language if rng.random() < 0.9 else ("en" if customer_language == "zh" else "zh")


def _aspects(rng: random.Random, rating: int, weak: str | None, days: int) -> list[tuple[str, str]]:
    count = rng.choices((1, 2, 3), (0.45, 0.4, 0.15))[0]
    chosen = rng.sample(ASPECTS, count)
    if rating <= 3 and weak and weak not in chosen and rng.random() < 0.6:
        chosen[0] = weak
    picked = []
    for aspect in chosen:
        if aspect == "delivery":  # the delivery sentence matches the order's real delivery time
            polarity = "pos" if days <= 7 else "neg"
        elif rating >= 4:
            polarity = "neg" if rating == 4 and aspect == weak and rng.random() < 0.4 else "pos"
        elif rating == 3:
            polarity = "neg" if aspect == weak or rng.random() < 0.5 else "pos"
        else:
            polarity = "pos" if rng.random() < 0.1 else "neg"
        picked.append((aspect, polarity))
    return picked


def review_rows(rng: random.Random, orders: list[Order]) -> list[ReviewRow]:
    """About :data:`N_REVIEWS` reviews, each from a customer who received the product."""
    candidates = [
        (order, line)
        for order in orders
        for line in order.lines
        if order.delivered_at is not None and order.delivered_at.date() + dt.timedelta(days=3) <= END_DATE
    ]
    rows: list[ReviewRow] = []
    for order, line in rng.sample(candidates, min(N_REVIEWS, len(candidates))):
        spec = line.variant.spec
        assert order.delivered_at is not None
        language = _review_language(rng, order.customer.language, spec.language)
        rating = min(5, max(1, round(rng.gauss(spec.quality, 0.95))))
        if line.returned_quantity:
            rating = min(rating, 2)
        days = (order.delivered_at - order.placed_at).days
        aspects = _aspects(rng, rating, spec.weak_aspect, days)
        noun = spec.noun_zh if language == "zh" else spec.noun
        sentences = [rng.choice(TEMPLATES[language][a][p]).format(noun=noun, days=days) for a, p in aspects]
        reviewed = order.delivered_at + dt.timedelta(days=rng.randint(2, 25), hours=rng.randrange(12))
        reviewed = min(reviewed, dt.datetime.combine(END_DATE, dt.time(20, 0)))
        rows.append(
            ReviewRow(
                external_id=f"R{10001 + len(rows)}",
                product_handle=spec.handle,
                rating=rating,
                title=rng.choice(TITLES[language][rating]),
                body=("" if language == "zh" else " ").join(sentences),
                language=language,
                author=_author(order.customer.name, language),
                reviewed_at=reviewed,
                aspects=tuple(aspects),
                customer_external_id=order.customer.external_id,
            )
        )
    rows.sort(key=lambda r: (r.reviewed_at, r.external_id))
    return [replace(row, external_id=f"R{10001 + n}") for n, row in enumerate(rows)]  # ids in date order
