"""Review intelligence over the store: analyse reviews incrementally and read them back analysed.

``analyze_reviews`` scores every review whose text or analyser changed since it was last read,
in batches committed one by one, so an interrupted run resumes where it stopped and a second run
over an unchanged store does nothing. ``load_analyzed`` returns the records summaries, trends and
profiles are computed from. The CLI, API and pages call these; they hold no logic of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shopops.context import AppContext
from shopops.errors import InputError, NotFoundError
from shopops.langid import detect_language
from shopops.reviews.taxonomy import Taxonomy, load_taxonomy
from shopops.reviews.types import AnalyzedReview, AspectMention, Method, SentimentScore
from shopops.store.models import Product, Review, ReviewAnalysis, utcnow

BATCH_SIZE = 256
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class AnalyzeReport:
    """What one ``analyze_reviews`` run did."""

    total: int  # reviews in scope
    analyzed: int  # read this run
    unchanged: int  # already analysed with the same text and analyser
    seconds: float
    method: str
    model_version: str

    @property
    def reviews_per_second(self) -> float:
        return self.analyzed / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Pending:
    review_id: int
    text: str  # title and body, what sentiment reads
    body: str  # what aspect offsets refer to
    language: str
    category: str
    text_hash: str
    version: str  # the analysers' and the category's taxonomy's: a change re-reads the review


def review_text(title: str, body: str) -> str:
    """The text sentiment reads: the title (often the verdict) then the body."""
    title, body = title.strip(), body.strip()
    if not title:
        return body
    return f"{title}\n{body}" if body else title


def text_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


def analyzer_version(method: Method) -> str:
    """Names the models that read the reviews; a change re-analyses every review."""
    from shopops.reviews.aspect_fusion import CLAUSE_WEIGHT
    from shopops.reviews.aspects import default_aspect_model
    from shopops.reviews.sentiment import default_model

    sentiment = "llm" if method == "llm" else default_model().version
    # aspect polarity also reads the fast sentiment model (clause fusion), whichever method is used
    return f"{sentiment}+{default_aspect_model().version}+{default_model().version}@{CLAUSE_WEIGHT}"


def _scope(product_id: int | None, category: str | None) -> list[object]:
    conditions: list[object] = []
    if product_id is not None:
        conditions.append(Review.product_id == product_id)
    if category:
        conditions.append(Product.category == category)
    return conditions


def _check_product(session: Session, product_id: int | None) -> None:
    if product_id is not None and session.get(Product, product_id) is None:
        raise NotFoundError(
            f"product {product_id} not found", hint="product ids are on the catalog page (/catalog)"
        )


def taxonomy_fingerprint(taxonomy: Taxonomy) -> str:
    """Eight hex digits naming a taxonomy's content: editing it re-reads that category's reviews."""
    return hashlib.sha256(json.dumps(taxonomy.as_dict(), sort_keys=True).encode()).hexdigest()[:8]


def _pending(
    session: Session,
    conditions: list[object],
    analysers: str,
    force: bool,
    taxonomies: dict[str, Taxonomy],
) -> tuple[int, list[_Pending]]:
    """(reviews in scope, those to read); ``taxonomies`` is filled per category for the run."""
    rows = session.execute(
        select(
            Review.id,
            Review.title,
            Review.body,
            Review.language,
            Product.category,
            ReviewAnalysis.text_hash,
            ReviewAnalysis.model_version,
        )
        .outerjoin(Product, Product.id == Review.product_id)
        .outerjoin(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
        .where(*conditions)
        .order_by(Review.id)
    ).all()
    pending = []
    versions: dict[str, str] = {}
    for review_id, title, body, language, category, old_hash, old_version in rows:
        category = category or ""
        if category not in versions:
            taxonomies[category] = load_taxonomy(session, category)
            fingerprint = taxonomy_fingerprint(taxonomies[category])
            versions[category] = f"{analysers}+tx:{fingerprint}"
        version = versions[category]
        digest = text_hash(title or "", body or "")
        if not force and old_hash == digest and old_version == version:
            continue
        text = review_text(title or "", body or "")
        pending.append(
            _Pending(
                review_id=review_id,
                text=text,
                body=body or "",
                language=(language or "").strip().lower()[:2] or detect_language(text),
                category=category,
                text_hash=digest,
                version=version,
            )
        )
    return len(rows), pending


def _score(ctx: AppContext, batch: Sequence[_Pending], method: Method) -> list[SentimentScore]:
    texts = [item.text for item in batch]
    languages = [item.language for item in batch]
    band = ctx.settings.review_neutral_band
    if method == "llm":
        from shopops.reviews.sentiment_llm import classify_with_llm

        return classify_with_llm(ctx.llm, texts, languages, neutral_band=band)
    from shopops.reviews.sentiment import score_texts

    return score_texts(texts, languages, neutral_band=band)


def _aspects(batch: Sequence[_Pending], taxonomies: dict[str, Taxonomy]) -> list[list[AspectMention]]:
    from shopops.reviews.aspects import analyze_batch

    per_review = [taxonomies[item.category] for item in batch]
    return analyze_batch([item.body for item in batch], [item.language for item in batch], per_review)


def analyze_reviews(
    ctx: AppContext,
    *,
    product_id: int | None = None,
    category: str | None = None,
    method: Method | None = None,
    force: bool = False,
    batch_size: int = BATCH_SIZE,
    on_progress: Progress | None = None,
) -> AnalyzeReport:
    """Read sentiment and aspects of every review in scope that changed since it was last read."""
    method = method or ctx.settings.review_sentiment_method
    if method not in ("fast", "llm"):
        raise InputError(f"unknown sentiment method {method!r}", hint="use fast or llm")
    if batch_size < 1:
        raise InputError("batch size must be at least 1")
    version = analyzer_version(method)
    started = time.perf_counter()
    with ctx.db.session() as session:
        _check_product(session, product_id)
        taxonomies: dict[str, Taxonomy] = {}  # per category, read once for the whole run
        total, pending = _pending(session, _scope(product_id, category), version, force, taxonomies)
    done = 0
    if on_progress:
        on_progress(0, len(pending))
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        scores = _score(ctx, batch, method)
        mentions = _aspects(batch, taxonomies)
        with ctx.db.session() as session:  # one transaction per batch: a crash loses one batch at most
            for item, score, found in zip(batch, scores, mentions, strict=True):
                _upsert(session, item, score, found, method)
        done += len(batch)
        if on_progress:
            on_progress(done, len(pending))
    return AnalyzeReport(
        total=total,
        analyzed=done,
        unchanged=total - len(pending),
        seconds=time.perf_counter() - started,
        method=method,
        model_version=version,
    )


def _upsert(
    session: Session,
    item: _Pending,
    score: SentimentScore,
    mentions: list[AspectMention],
    method: str,
) -> None:
    row = session.get(ReviewAnalysis, item.review_id)
    if row is None:
        row = ReviewAnalysis(review_id=item.review_id)
        session.add(row)
    row.text_hash = item.text_hash
    row.language = score.language or item.language
    row.sentiment = score.label
    row.p_positive = float(score.p_positive)
    row.method = method
    row.model_version = item.version
    row.aspects = [m.model_dump() for m in mentions]
    row.analyzed_at = utcnow()


def _analyzed_query(
    conditions: list[object],
) -> Select[tuple[Review, ReviewAnalysis, str | None, str | None]]:
    return (
        select(Review, ReviewAnalysis, Product.title, Product.category)
        .join(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
        .outerjoin(Product, Product.id == Review.product_id)
        .where(*conditions)
        .order_by(Review.id)
    )


def load_analyzed(
    ctx: AppContext,
    *,
    product_id: int | None = None,
    category: str | None = None,
    since: dt.datetime | None = None,
    review_ids: Sequence[int] | None = None,
) -> list[AnalyzedReview]:
    """Analysed reviews in scope (reviews not analysed yet are not included: run analyze first)."""
    conditions = _scope(product_id, category)
    if since is not None:
        conditions.append(Review.reviewed_at >= since)
    if review_ids is not None:
        conditions.append(Review.id.in_(list(review_ids)))
    with ctx.db.session() as session:
        _check_product(session, product_id)
        rows = session.execute(_analyzed_query(conditions)).all()
        return [
            AnalyzedReview(
                review_id=review.id,
                external_id=review.external_id,
                product_id=review.product_id,
                product_title=title or "",
                category=product_category or "",
                customer_id=review.customer_id,
                rating=review.rating,
                language=analysis.language or review.language,
                reviewed_at=review.reviewed_at,
                title=review.title,
                body=review.body,
                sentiment=analysis.sentiment,
                p_positive=analysis.p_positive,
                aspects=[AspectMention.model_validate(a) for a in analysis.aspects],
            )
            for review, analysis, title, product_category in rows
        ]


def coverage(ctx: AppContext, *, product_id: int | None = None) -> tuple[int, int]:
    """(analysed, total) reviews in scope: pages say when an analysis is out of date."""
    conditions = _scope(product_id, None)
    with ctx.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Review).outerjoin(Product).where(*conditions))
        analysed = session.scalar(
            select(func.count())
            .select_from(Review)
            .join(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
            .outerjoin(Product, Product.id == Review.product_id)
            .where(*conditions)
        )
    return int(analysed or 0), int(total or 0)
