"""Optional query understanding: the LLM turns a long natural-language query into keywords and filters.

"something to keep my drinks cold at the gym under 20" reads to BM25 as a bag of common words; the
model, under a JSON schema, answers ``{"keywords": ["insulated bottle", "cooler"], "max_price": 20}``.
The keywords are added to the BM25 query (the embedding still reads the shopper's own words), and
the filters are applied only when the query itself supports them: a price bound only when that
number is in the query, a category only when it names one of the catalog's categories. Whatever the
model invents beyond that is dropped, so a rewrite can narrow a search only as far as the shopper
asked. It costs one model call (about a second on the local model), which is why it is off by
default and, when on, used only for long queries; bench/search.py measures it on and off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from shopops.errors import BackendError
from shopops.llm.base import LLMBackend, Message
from shopops.search.documents import category_parts
from shopops.search.types import SearchFilters
from shopops.structured import generate

TASK = "search.rewrite"
LONG_QUERY_WORDS = 8
LONG_QUERY_HAN_CHARS = 10
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

SYSTEM = (
    "You turn a shopper's search into what a product search engine needs: 2 to 5 short keyword "
    "phrases naming the kind of product wanted (in the shopper's language), and a price bound or "
    "category only if the shopper states one. Do not guess brands. Reply with JSON only."
)
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "something to keep my drinks cold at the gym, not more than 25 dollars",
        '{"keywords": ["insulated water bottle", "sports bottle", "vacuum flask"], '
        '"min_price": null, "max_price": 25, "category": null}',
    ),
    (
        "我的手机总是没电，出门的时候想随时充电",
        '{"keywords": ["充电宝", "移动电源", "快充"], '
        '"min_price": null, "max_price": null, "category": null}',
    ),
)


class RewriteOutput(BaseModel):
    keywords: list[str] = Field(default_factory=list, max_length=6)
    min_price: float | None = Field(default=None, ge=0)
    max_price: float | None = Field(default=None, ge=0)
    category: str | None = Field(default=None, max_length=120)


@dataclass(frozen=True)
class Rewrite:
    """What a rewrite added to a search, after the checks; ``dropped`` says what was refused."""

    keywords: tuple[str, ...] = ()
    filters: SearchFilters = field(default_factory=SearchFilters)
    dropped: tuple[str, ...] = ()


def is_long(query: str) -> bool:
    """Long enough that a rewrite may pay: 8+ words, or 10+ Chinese characters."""
    return len(query.split()) >= LONG_QUERY_WORDS or len(_HAN.findall(query)) >= LONG_QUERY_HAN_CHARS


def rewrite_messages(query: str) -> list[Message]:
    messages = [Message("system", SYSTEM)]
    for example, answer in EXAMPLES:
        messages.append(Message("user", f"Search: {example}"))
        messages.append(Message("assistant", answer))
    messages.append(Message("user", f"Search: {query}"))
    return messages


def _numbers(text: str) -> set[float]:
    return {float(match.replace(",", "")) for match in _NUMBER.findall(text)}


def _known_category(name: str, categories: Sequence[str]) -> str | None:
    """The catalog category level ``name`` names (any case), or None."""
    wanted = name.strip().casefold()
    for category in categories:
        for level in category_parts(category):
            if level.casefold() == wanted:
                return level
    return None


def check_rewrite(query: str, output: RewriteOutput, categories: Sequence[str]) -> Rewrite:
    """Keep what the query supports; name what was dropped and why."""
    dropped: list[str] = []
    numbers = _numbers(query)
    bounds: dict[str, float | None] = {"min_price": None, "max_price": None}
    for name in bounds:
        value = getattr(output, name)
        if value is None:
            continue
        if value in numbers:
            bounds[name] = value
        else:
            dropped.append(f"{name} {value:g} (not in the query)")
    category = None
    if output.category:
        category = _known_category(output.category, categories)
        if category is None:
            dropped.append(f"category {output.category!r} (not a catalog category)")
    keywords = tuple(dict.fromkeys(k.strip() for k in output.keywords if k.strip() and len(k) <= 80))
    filters = SearchFilters(category=category, min_price=bounds["min_price"], max_price=bounds["max_price"])
    return Rewrite(keywords=keywords, filters=filters, dropped=tuple(dropped))


def rewrite_query(llm: LLMBackend, query: str, categories: Sequence[str]) -> Rewrite:
    """The checked rewrite of ``query``; a model that fails the schema leaves the search as typed."""
    try:
        messages = rewrite_messages(query)
        output = generate(llm, messages, RewriteOutput, task=TASK, max_tokens=96, temperature=0.0)
    except BackendError as exc:  # the search goes on as typed: a rewrite is an optional extra
        return Rewrite(dropped=(f"rewrite failed: {exc}",))
    return check_rewrite(query, output, categories)


def merge_filters(given: SearchFilters | None, rewrite: Rewrite) -> SearchFilters:
    """The caller's filters win; the rewrite fills only what the caller left open."""
    given = given or SearchFilters()
    extra = rewrite.filters
    return SearchFilters(
        category=given.category or extra.category,
        min_price=given.min_price if given.min_price is not None else extra.min_price,
        max_price=given.max_price if given.max_price is not None else extra.max_price,
        in_stock=given.in_stock,
    )
