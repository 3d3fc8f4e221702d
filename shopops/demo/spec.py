"""The types of the demo catalog: a product and its options (see :mod:`shopops.demo.catalog`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    name: str
    values: tuple[str, ...]
    codes: tuple[str, ...]  # SKU suffix per value
    price_steps: tuple[float, ...] = ()  # added to the base price per value (default 0)
    grams_steps: tuple[int, ...] = ()


@dataclass(frozen=True)
class ProductSpec:
    handle: str
    code: str  # SKU stem
    title: str
    category: str  # Shopify Standard Product Taxonomy path
    product_type: str
    noun: str  # what an English review calls it
    noun_zh: str  # what a Chinese review calls it
    price: float
    cost: float
    grams: int
    description: str
    attributes: dict[str, str]
    tags: tuple[str, ...]
    options: tuple[Option, ...] = ()
    language: str = "en"
    compare_at: float | None = None
    popularity: float = 1.0  # relative orders per day
    season: str = "all"  # all | spring | summer | winter
    quality: float = 4.3  # mean star rating the reviews aim at
    weak_aspect: str | None = None  # the aspect its negative reviews mostly complain about
    final_sale: bool = False
    lead_time_days: int = 21
    seo_description: str = field(default="")
