"""The development catalog and query sets bench/search.py measures on (../shared/data/catalog).

Products: the rows of ``amazon_india_dev.csv`` deduplicated by ``product_id`` (882 products): title,
category path, the "about this product" text as the description, the discounted price.

Queries, two kinds, both held apart from what is indexed:
- *review queries*: reviews are never indexed. The CSV joins a product's reviews with commas; each
  comma-separated piece of ``review_content`` of 6 to 25 words is a candidate, and one per product is
  drawn (seed 0). The product reviewed is the one relevant answer. Many reviews say little about
  what the product is ("good product, works fine"), so every method scores low on them; they
  measure how well a method reads a shopper's own words.
- *title queries*: what a shopper types: the title cut at its first ``|``, ``(``, ``,`` or ``-``,
  the first word (usually the brand) dropped, 2 to 5 of the next words kept, lower-cased; one word of
  5+ letters in every third query gets a seeded typo (a swapped, dropped or doubled letter). The
  product titled is the one relevant answer (other products may fit as well: a strict measure).

The 100,000-product catalog is generated from the same products: each copy's title is the dev
title's head (to the first ``|``, ``(`` or ``,``, at most 12 words, as most shops title products)
with an invented brand, a colour, a pack size and a model number; the full dev title and "about"
text go into its description. No two texts are equal, so the embedder reads every one.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CATALOG = SHARED / "catalog" / "amazon_india_dev.csv"
_CUT = re.compile(r"[|(,\-–]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'&+.]*")


@dataclass(frozen=True)
class DevProduct:
    product_id: str
    title: str
    category: str
    description: str
    price: float | None
    reviews: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    id: str
    kind: str  # review | title
    text: str
    relevant: str  # product_id


def _price(raw: str) -> float | None:
    digits = re.sub(r"[^0-9.]", "", raw or "")
    return float(digits) if digits else None


def load_products(path: Path = CATALOG) -> list[DevProduct]:
    products: dict[str, DevProduct] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["product_id"] in products:
                continue
            products[row["product_id"]] = DevProduct(
                product_id=row["product_id"],
                title=row["product_name"].strip(),
                category=row["category"].strip(),
                description=row["about_product"].replace("|", " ").strip(),
                price=_price(row["discounted_price"]),
                reviews=tuple(part.strip() for part in row["review_content"].split(",") if part.strip()),
            )
    return list(products.values())


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def title_query(title: str, rng: random.Random, typo: bool) -> str | None:
    head = _CUT.split(title, maxsplit=1)[0]
    words = [w.lower() for w in _WORD.findall(head)][1:]
    if len(words) < 2:
        return None
    words = words[: rng.randint(2, 5)]
    if typo:
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            words[i] = _typo(words[i], rng)
    return " ".join(words)


def build_queries(products: list[DevProduct], seed: int = 0) -> list[Query]:
    rng = random.Random(seed)
    queries: list[Query] = []
    for product in products:
        pieces = [p for p in product.reviews if 6 <= len(p.split()) <= 25]
        if pieces:
            queries.append(Query(f"r-{product.product_id}", "review", rng.choice(pieces), product.product_id))
    for n, product in enumerate(products):
        text = title_query(product.title, rng, typo=n % 3 == 0)
        if text:
            queries.append(Query(f"t-{product.product_id}", "title", text, product.product_id))
    return queries


BRANDS = ("Aurora", "Kestrel", "Zenith", "Nimbus", "Orchid", "Vertex", "Saffron", "Monsoon", "Tundra")
BRANDS += ("Lumen", "Cobalt", "Juniper", "Ember", "Harbor", "Quartz", "Sable", "Willow", "Falcon", "Indigo")
COLOURS = ("Black", "White", "Blue", "Red", "Grey", "Green", "Silver", "Rose Gold", "Navy", "Beige")


def short_title(title: str, max_words: int = 12) -> str:
    """The title's head, as most shops write titles: up to the first ``|``, ``(`` or ``,``, at most
    ``max_words`` words (Amazon India's titles run to 40+ tokens of compatibility lists)."""
    head = re.split(r"[|(,]", title, maxsplit=1)[0].strip()
    return " ".join(head.split()[:max_words]) or title[:80]


def generated_catalog(products: list[DevProduct], n: int, seed: int = 0) -> list[dict[str, object]]:
    """``n`` distinct product records made from the dev products (see the module docstring)."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for i in range(n):
        base = products[i % len(products)]
        brand, colour = rng.choice(BRANDS), rng.choice(COLOURS)
        pack = rng.choice((1, 1, 1, 2, 3, 4, 6))
        model = f"{brand[:2].upper()}-{rng.randint(100, 9999)}"
        head = short_title(base.title)
        rest = head.split(" ", 1)[1] if " " in head else head
        title = f"{brand} {rest}, {colour}, Pack of {pack} ({model})"
        price = round((base.price or 499.0) * pack * rng.uniform(0.8, 1.25), 2)
        out.append(
            {
                "handle": f"gen-{i:06d}",
                "title": title[:500],
                "category": base.category,
                "description": f"{base.title}. {brand} {model} in {colour.lower()}. {base.description}",
                "price": price,
                "stock": rng.choice((0, 3, 12, 40, 150)),
            }
        )
    return out
