"""Simulating the demo store's history: customers, orders, returns, stock and reviews.

Deterministic: everything comes from one ``random.Random(seed)`` and a fixed calendar that ends on
:data:`END_DATE` (not "today"), so the same seed gives the same store on any machine and any day.

Demand: orders arrive as a Poisson process whose daily rate has a rising trend, a weekly pattern
(weekends busier), per-category seasons, and promotions (Black Friday week, a spring garden sale, a
summer sale). One SKU had a stock-out last summer (censored demand, ``in_stock = false``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field

from shopops.demo.catalog import PRODUCTS, ProductSpec
from shopops.demo.texts import (
    COUNTRIES,
    FIRST_NAMES_EN,
    GIVEN_ZH,
    LAST_NAMES_EN,
    SURNAMES_ZH,
    SURNAMES_ZH_PINYIN,
)

END_DATE = dt.date(2026, 10, 31)
HISTORY_DAYS = 548  # about 18 months
START_DATE = END_DATE - dt.timedelta(days=HISTORY_DAYS - 1)
N_CUSTOMERS = 150
ORDERS_PER_DAY = 2.45  # average before trend, season and promotions; gives about 1,500 orders
WEEKDAY_FACTOR = (0.85, 0.9, 0.95, 1.0, 1.1, 1.3, 1.2)  # Monday .. Sunday
SEASON_PEAK_MONTH = {"spring": 4, "summer": 7, "winter": 12}
STOCKOUT_SKU = "LL-BTL-750-SAGE"
STOCKOUT_DAYS = (dt.date(2026, 7, 6), dt.date(2026, 7, 21))  # inclusive
TRANSIT_DAYS = {
    "US": (3, 6),
    "CA": (5, 9),
    "GB": (5, 10),
    "DE": (5, 10),
    "AU": (6, 11),
    "SG": (5, 9),
    "CN": (6, 11),
}


@dataclass(frozen=True)
class Promotion:
    name: str
    first: dt.date
    last: dt.date
    discount: float
    demand: float
    categories: tuple[str, ...] = ()  # product_type filter on category paths; empty = store-wide

    def covers(self, day: dt.date, spec: ProductSpec) -> bool:
        in_scope = not self.categories or any(c in spec.category for c in self.categories)
        return self.first <= day <= self.last and in_scope


PROMOTIONS = (
    Promotion("Black Friday", dt.date(2025, 11, 28), dt.date(2025, 12, 1), 0.20, 2.5),
    Promotion(
        "Spring garden sale", dt.date(2026, 4, 10), dt.date(2026, 4, 19), 0.15, 1.6, ("Lawn & Garden",)
    ),
    Promotion("Summer sale", dt.date(2026, 7, 1), dt.date(2026, 7, 7), 0.15, 1.5, ("Outdoor Recreation",)),
)


@dataclass(frozen=True)
class Variant:
    spec: ProductSpec
    sku: str
    option_values: tuple[str, ...]
    price: float
    compare_at: float | None
    grams: int
    barcode: str


@dataclass
class Customer:
    external_id: str
    name: str
    email: str
    phone: str
    country: str
    language: str
    carrier: str
    weight: float  # how often they order


@dataclass
class Line:
    variant: Variant
    quantity: int
    unit_price: float
    on_promotion: bool
    returned_quantity: int = 0


@dataclass
class Order:
    number: str
    customer: Customer
    placed_at: dt.datetime
    status: str = "delivered"
    financial_status: str = "paid"
    shipped_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    tracking_number: str = ""
    lines: list[Line] = field(default_factory=list)


def ean13(rng: random.Random) -> str:
    """A barcode in the GS1 "restricted circulation" range (prefix 200), so it names no real product."""
    digits = "200" + "".join(str(rng.randrange(10)) for _ in range(9))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def build_variants(rng: random.Random) -> list[Variant]:
    variants: list[Variant] = []
    for spec in PRODUCTS:
        if not spec.options:
            variants.append(
                Variant(spec, f"LL-{spec.code}", (), spec.price, spec.compare_at, spec.grams, ean13(rng))
            )
            continue
        indexed = [list(enumerate(option.values)) for option in spec.options]
        for combo in itertools.product(*indexed):
            price, grams, codes, values = spec.price, spec.grams, [spec.code], []
            for option, (i, value) in zip(spec.options, combo, strict=True):
                price += option.price_steps[i] if option.price_steps else 0.0
                grams += option.grams_steps[i] if option.grams_steps else 0
                codes.append(option.codes[i])
                values.append(value)
            compare = None if spec.compare_at is None else spec.compare_at + (price - spec.price)
            sku = "LL-" + "-".join(codes)
            variants.append(Variant(spec, sku, tuple(values), price, compare, grams, ean13(rng)))
    return variants


def build_customers(rng: random.Random) -> list[Customer]:
    countries = [c[0] for c in COUNTRIES]
    shares = [c[1] for c in COUNTRIES]
    info = {c[0]: c for c in COUNTRIES}
    customers = []
    for n in range(1, N_CUSTOMERS + 1):
        country = rng.choices(countries, shares)[0]
        _, _, language, carrier = info[country]
        if language == "zh":
            s = rng.randrange(len(SURNAMES_ZH))
            given, given_pinyin = rng.choice(GIVEN_ZH)
            name = SURNAMES_ZH[s] + given
            email = f"{given_pinyin}.{SURNAMES_ZH_PINYIN[s]}{n}@example.com"
        else:
            first, last = rng.choice(FIRST_NAMES_EN), rng.choice(LAST_NAMES_EN)
            name = f"{first} {last}"
            email = f"{first.lower()}.{last.lower()}{n}@example.com"
        phone = f"+1 555-01{rng.randrange(100):02d}" if country in ("US", "CA") and rng.random() < 0.7 else ""
        weight = rng.paretovariate(1.6)  # a few loyal customers order often
        customers.append(Customer(f"C{n:04d}", name, email, phone, country, language, carrier, weight))
    return customers


def _season(spec: ProductSpec, day: dt.date) -> float:
    peak = SEASON_PEAK_MONTH.get(spec.season)
    if peak is None:
        return 1.0
    angle = 2 * math.pi * ((day.month - peak) + (day.day - 15) / 30) / 12
    return 1.0 + 0.9 * math.cos(angle)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _fulfil(rng: random.Random, order: Order) -> None:
    """Ship and deliver the order as far as the calendar allows; cancel about 2% of them."""
    if rng.random() < 0.02:
        order.status, order.financial_status = "cancelled", "refunded"
        return
    processing = dt.timedelta(days=rng.choice((0, 1, 1, 2)), hours=rng.randrange(2, 8))
    shipped = order.placed_at + processing
    if shipped.date() > END_DATE:
        order.status = "open"
        return
    order.shipped_at = shipped
    order.tracking_number = f"{order.customer.carrier[:2].upper()}{rng.randrange(10**11, 10**12)}"
    low, high = TRANSIT_DAYS[order.customer.country]
    delivered = shipped + dt.timedelta(days=rng.randint(low, high) + (rng.random() < 0.05) * 7, hours=3)
    if delivered.date() > END_DATE:
        order.status = "fulfilled"
        return
    order.delivered_at = delivered
    for line in order.lines:
        spec = line.variant.spec
        if spec.final_sale:
            continue
        chance = 0.04 + (0.07 if spec.weak_aspect == "size" else 0.0) + (0.03 if spec.quality < 4.0 else 0.0)
        if rng.random() < chance:
            line.returned_quantity = line.quantity
    if all(line.returned_quantity == line.quantity for line in order.lines):
        order.financial_status = "refunded"


def build_orders(rng: random.Random, variants: list[Variant], customers: list[Customer]) -> list[Order]:
    by_spec: dict[str, list[Variant]] = {}
    for variant in variants:
        by_spec.setdefault(variant.spec.handle, []).append(variant)
    weights = [c.weight for c in customers]
    orders: list[Order] = []
    for offset in range(HISTORY_DAYS):
        day = START_DATE + dt.timedelta(days=offset)
        trend = 0.75 + 0.5 * offset / HISTORY_DAYS
        promo_lift = max(
            (p.demand for p in PROMOTIONS if p.first <= day <= p.last and not p.categories), default=1.0
        )
        rate = ORDERS_PER_DAY * trend * WEEKDAY_FACTOR[day.weekday()] * promo_lift
        product_weights = [
            spec.popularity
            * _season(spec, day)
            * max([p.demand for p in PROMOTIONS if p.categories and p.covers(day, spec)], default=1.0)
            for spec in PRODUCTS
        ]
        for _ in range(_poisson(rng, rate)):
            customer = rng.choices(customers, weights)[0]
            placed = dt.datetime.combine(
                day, dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60))
            )
            order = Order(f"LL-{1001 + len(orders)}", customer, placed)
            n_lines = rng.choices((1, 2, 3), (0.78, 0.17, 0.05))[0]
            for index in dict.fromkeys(rng.choices(range(len(PRODUCTS)), product_weights, k=n_lines)):
                spec = PRODUCTS[index]
                variant = rng.choice(by_spec[spec.handle])
                if variant.sku == STOCKOUT_SKU and STOCKOUT_DAYS[0] <= day <= STOCKOUT_DAYS[1]:
                    continue  # sold out: this demand is lost, which is what in_stock = false records
                promo = next((p for p in PROMOTIONS if p.covers(day, spec)), None)
                price = round(variant.price * (1 - promo.discount), 2) if promo else variant.price
                quantity = rng.choices((1, 2, 3, 4), (0.82, 0.13, 0.03, 0.02))[0]
                order.lines.append(Line(variant, quantity, price, promo is not None))
            if not order.lines:
                continue
            _fulfil(rng, order)
            orders.append(order)
    return orders
