"""Product recommendations, each with its reason in words and the numbers behind it.

Three kinds (:class:`~shopops.search.types.Recommendation` ``kind``):

* **similar** — :func:`similar_items`: the product's nearest neighbours in embedding space, one per
  product, with the category path and title words they share;
* **complementary** — :func:`complementary_items` (in :mod:`shopops.search.copurchase`, re-exported
  here): bought together in orders more often than chance;
* **alternative** — :func:`alternatives`: for customers who complain about an aspect of product A
  ("leakage"), similar products whose reviews complain about it clearly less, by a one-sided Fisher
  exact test on the analysed reviews (:func:`complaint_stats`).

Nothing here reads a model: the caller supplies neighbours from its vector index, and review
aspects come from ``shopops reviews analyze``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import stats as scipy_stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.reviews.summary import share_label
from shopops.search.copurchase import CoPurchase, complementary_items, load_baskets
from shopops.search.documents import category_parts
from shopops.search.types import Recommendation, SearchDoc
from shopops.store.models import Review, ReviewAnalysis
from shopops.support.tokens import HAN_RUN, SCRIPT_RUN, WORD, normalise, tokenize

__all__ = [
    "AlternativesResult",
    "CoPurchase",
    "ProductComplaints",
    "alternatives",
    "complaint_stats",
    "complementary_items",
    "fewer_complaints_p_value",
    "load_baskets",
    "similar_items",
]

# Added to the cosine of a neighbour in the same top-level category. Small on purpose: it only
# reorders near-ties (a neighbour from another department must be 0.005 closer to rank above).
SAME_CATEGORY_BOOST = 0.005
SHOWN_WORDS = 4  # shared title words named in a reason (evidence lists them all)
ID_CHUNK = 500  # product ids per IN (...) query: well under SQLite's bound-parameter limit


# ---------------------------------------------------------------------------------------- similar


def shared_category(a: str, b: str) -> list[str]:
    """The levels two category paths share from the top (case-insensitive), in ``a``'s spelling."""
    shared = []
    for level_a, level_b in zip(category_parts(a), category_parts(b), strict=False):
        if level_a.casefold() != level_b.casefold():
            break
        shared.append(level_a)
    return shared


def title_words(title: str) -> dict[str, str]:
    """Each token of the title (as :func:`tokenize` makes it) mapped to the word it came from, in
    title order, so "Insulated Bottles" and "insulated bottle" share words shown as people wrote them."""
    words: dict[str, str] = {}
    for run in SCRIPT_RUN.findall(normalise(title)):
        han = HAN_RUN.fullmatch(run) is not None
        for piece in [run] if han else WORD.findall(run):
            for token in tokenize(piece):
                words.setdefault(token, token if han else piece)
    return words


def similar_items(
    docs: Sequence[SearchDoc],
    row: int,
    neighbours: tuple[np.ndarray, np.ndarray],
    *,
    k: int = 5,
) -> list[Recommendation]:
    """The ``k`` products closest to ``docs[row]``, given its embedding neighbours (row indices into
    ``docs`` and their cosines, as a vector index returns them; rows < 0 are padding).

    Each product appears once (at its best cosine) and never the product itself. Score is the
    cosine plus :data:`SAME_CATEGORY_BOOST` when the top-level category matches."""
    if k < 1:
        raise InputError("k must be at least 1")
    if not 0 <= row < len(docs):
        raise InputError(f"row {row} is outside the {len(docs)} indexed products")
    rows = np.asarray(neighbours[0]).ravel()
    cosines = np.asarray(neighbours[1], dtype=float).ravel()
    if rows.shape != cosines.shape:
        raise InputError(f"neighbours give {rows.size} rows but {cosines.size} cosines")
    source = docs[row]
    best: dict[int, tuple[float, SearchDoc]] = {}
    for index, cosine in zip(rows.tolist(), cosines.tolist(), strict=True):
        if not 0 <= index < len(docs) or not math.isfinite(cosine):
            continue
        doc = docs[index]
        if doc.product_id == source.product_id:
            continue
        held = best.get(doc.product_id)
        if held is None or cosine > held[0]:
            best[doc.product_id] = (cosine, doc)
    source_words = title_words(source.title)
    ranked = [_similar(source, source_words, doc, cosine) for cosine, doc in best.values()]
    ranked.sort(key=lambda r: (-r.score, r.product_id))
    return ranked[:k]


def _similar(
    source: SearchDoc, source_words: dict[str, str], doc: SearchDoc, cosine: float
) -> Recommendation:
    category = shared_category(source.category, doc.category)
    boost = SAME_CATEGORY_BOOST if category else 0.0
    other_words = title_words(doc.title)
    shared = [word for token, word in source_words.items() if token in other_words]
    # jieba's search mode gives "不锈钢" and the "不锈" inside it: name only the longer word
    shared = [word for word in shared if not any(word != other and word in other for other in shared)]
    parts = []
    if category:
        parts.append(f"same category ({' > '.join(category)})")
    if shared:
        parts.append("shares " + ", ".join(f"'{w}'" for w in shared[:SHOWN_WORDS]))
    reason = "Similar: " + "; ".join(parts) if parts else f"Similar in description (cosine {cosine:.2f})"
    return Recommendation(
        product_id=doc.product_id,
        title=doc.title,
        kind="similar",
        score=cosine + boost,
        reason=reason,
        evidence={
            "cosine": cosine,
            "category_boost": boost,
            "shared_category": " > ".join(category),
            "shared_words": shared,
        },
    )


# ----------------------------------------------------------------------------------- complaints


@dataclass(frozen=True)
class ProductComplaints:
    """One product's analysed reviews: ``negative[aspect]`` = reviews with a negative mention of it
    (a review counts once per aspect however often it repeats the complaint)."""

    product_id: int
    reviews: int = 0
    negative: Mapping[str, int] = field(default_factory=dict)

    def complaints(self, aspect: str) -> int:
        return self.negative.get(aspect.strip().casefold(), 0)

    def share(self, aspect: str) -> float:
        return self.complaints(aspect) / self.reviews if self.reviews else 0.0

    def top_aspect(self) -> str | None:
        """The most complained aspect (most reviews; ties by name), None without complaints."""
        ranked = sorted((n, a) for a, n in self.negative.items() if n > 0)
        if not ranked:
            return None
        top = max(n for n, _ in ranked)
        return min(a for n, a in ranked if n == top)


def _negative_aspects(aspects: Iterable[object]) -> set[str]:
    found = set()
    for mention in aspects or ():
        if isinstance(mention, dict) and mention.get("polarity") == "negative" and mention.get("aspect"):
            found.add(str(mention["aspect"]).strip().casefold())
    return found


def complaint_stats(session: Session, product_ids: Iterable[int]) -> dict[int, ProductComplaints]:
    """Per product: analysed reviews and, per aspect, reviews with a negative mention. Every id asked
    for gets an entry (zero reviews when none are analysed: run ``shopops reviews analyze``)."""
    wanted = sorted(set(product_ids))
    reviews: Counter[int] = Counter()
    negative: dict[int, Counter[str]] = {pid: Counter() for pid in wanted}
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        rows = session.execute(
            select(Review.product_id, ReviewAnalysis.aspects)
            .join(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
            .where(Review.product_id.in_(chunk))
        )
        for product_id, aspects in rows:
            reviews[product_id] += 1
            negative[product_id].update(_negative_aspects(aspects))
    return {pid: ProductComplaints(pid, reviews[pid], dict(sorted(negative[pid].items()))) for pid in wanted}


def fewer_complaints_p_value(count: int, total: int, base_count: int, base_total: int) -> float:
    """One-sided Fisher exact p that the candidate's complaint rate (count/total) is below the
    product's (base_count/base_total): given all complaints of both, the candidate's count is
    hypergeometric under "same rate"; p = P(X <= count)."""
    return float(scipy_stats.hypergeom.cdf(count, total + base_total, count + base_count, total))


@dataclass(frozen=True)
class AlternativesResult:
    """Alternatives to a product for one complaint. ``note`` says why ``items`` is empty, if it is."""

    product_id: int
    aspect: str | None
    product_complaints: int
    product_reviews: int
    items: list[Recommendation]
    note: str = ""

    @property
    def product_share(self) -> float:
        return self.product_complaints / self.product_reviews if self.product_reviews else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "aspect": self.aspect,
            "product_complaints": self.product_complaints,
            "product_reviews": self.product_reviews,
            "product_share": self.product_share,
            "items": [item.as_dict() for item in self.items],
            "note": self.note,
        }


def alternatives(
    product_id: int,
    candidates: Sequence[tuple[SearchDoc, float]],
    stats: Mapping[int, ProductComplaints],
    titles: Mapping[int, str],
    *,
    aspect: str | None = None,
    k: int = 5,
    min_reviews: int = 5,
    p_value: float = 0.1,
) -> AlternativesResult:
    """Similar products (``candidates``: doc and similarity) that draw clearly fewer complaints about
    ``aspect`` (default: the product's most complained aspect) than ``product_id`` does.

    A candidate qualifies with at least ``min_reviews`` analysed reviews and a one-sided Fisher exact
    p below ``p_value`` (:func:`fewer_complaints_p_value`) for its complaint share being lower.
    Ranked by similarity x (1 - its complaint share), ties by product id."""
    if k < 1:
        raise InputError("k must be at least 1")
    title = titles.get(product_id) or f"product {product_id}"
    own = stats.get(product_id) or ProductComplaints(product_id)
    chosen = aspect.strip().casefold() if aspect and aspect.strip() else own.top_aspect()
    base_count = own.complaints(chosen) if chosen else 0
    empty = AlternativesResult(product_id, chosen, base_count, own.reviews, [])
    if own.reviews == 0:
        return replace(empty, note=f"{title} has no analysed reviews; run `shopops reviews analyze` first")
    if chosen is None:
        return replace(empty, note=f"no complaints in the {own.reviews} analysed reviews of {title}")
    if base_count == 0:
        return replace(
            empty, note=f"no complaints about {chosen} in the {own.reviews} analysed reviews of {title}"
        )
    base = f"{base_count} of {own.reviews} ({share_label(base_count, own.reviews)})"
    best: dict[int, tuple[float, SearchDoc]] = {}
    for doc, similarity in candidates:
        held = best.get(doc.product_id)
        if doc.product_id != product_id and (held is None or similarity > held[0]):
            best[doc.product_id] = (similarity, doc)
    ranked = []
    for similarity, doc in best.values():
        theirs = stats.get(doc.product_id)
        if theirs is None or theirs.reviews < min_reviews:
            continue
        count = theirs.complaints(chosen)
        p = fewer_complaints_p_value(count, theirs.reviews, base_count, own.reviews)
        if p >= p_value:
            continue
        share = count / theirs.reviews
        reason = (
            f"Fewer complaints about {chosen}: {count} of {theirs.reviews} reviews "
            f"({share_label(count, theirs.reviews)}) vs {base} for {title}"
        )
        evidence = {
            "aspect": chosen,
            "complaints": count,
            "reviews": theirs.reviews,
            "share": share,
            "product_complaints": base_count,
            "product_reviews": own.reviews,
            "product_share": base_count / own.reviews,
            "p_value": p,
            "similarity": similarity,
        }
        score = similarity * (1 - share)
        ranked.append(Recommendation(doc.product_id, doc.title, "alternative", score, reason, evidence))
    ranked.sort(key=lambda r: (-r.score, r.product_id))
    result = AlternativesResult(product_id, chosen, base_count, own.reviews, ranked[:k])
    if not ranked:
        return replace(
            result,
            note=f"none of the {len(best)} similar products has at least {min_reviews} analysed reviews and "
            f"clearly fewer complaints about {chosen} than {title} ({base}; one-sided Fisher p < {p_value})",
        )
    return result
