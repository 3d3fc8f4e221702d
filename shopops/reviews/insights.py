"""Review insights over the store: summaries, weekly trends, aspect-rise alerts, customer profiles.

Thin glue between :mod:`shopops.reviews.service` (analysed reviews from the store) and the pure
functions of ``summary``, ``trends`` and ``profiles``; alerts go through the crisis workflow
(:mod:`shopops.workflow.alerts`). The CLI, API and pages call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from shopops.context import AppContext
from shopops.errors import InputError
from shopops.reviews.profiles import OrderRecord, SegmentProfile, rfm_segments, segment_voice
from shopops.reviews.service import load_analyzed
from shopops.reviews.summary import Language, ReviewSummary, share_label, summarize
from shopops.reviews.summary_check import narrate
from shopops.reviews.trends import AspectRise, WeeklyTrends, detect_aspect_rises, weekly_series
from shopops.reviews.types import AnalyzedReview
from shopops.store.models import Order
from shopops.workflow.alerts import AlertCandidate, AlertView, raise_alerts, week_key

ALERT_KIND = "review.aspect_rise"
LANGUAGES: tuple[str, ...] = ("en", "zh")


def _language(value: str) -> Language:
    if value not in LANGUAGES:
        raise InputError(f"summaries are written in en or zh, not {value!r}", hint="pass --lang en or zh")
    return value  # type: ignore[return-value]


def scope_of(product_id: int | None, category: str | None) -> tuple[str, str]:
    if product_id is not None:
        return "product", str(product_id)
    if category:
        return "category", category
    return "store", ""


def review_summary(
    ctx: AppContext,
    *,
    product_id: int | None = None,
    category: str | None = None,
    language: str = "en",
    top_n: int = 5,
    narrative: bool = False,
    reviews: Sequence[AnalyzedReview] | None = None,
) -> tuple[ReviewSummary, str | None]:
    """The counted summary of a product, a category or the whole store, and optionally the
    model's narrative of it (every number in it checked against the counts; see ``narrate``).
    ``reviews``: that scope's analysed reviews when the caller already loaded them."""
    lang = _language(language)
    if reviews is None:
        reviews = load_analyzed(ctx, product_id=product_id, category=category)
    scope, scope_id = scope_of(product_id, category)
    summary = summarize(reviews, scope=scope, scope_id=scope_id, top_n=top_n, language=lang)
    text = narrate(ctx.llm, summary, lang) if narrative and summary.total_reviews else None
    return summary, text


def review_trends(
    ctx: AppContext,
    *,
    product_id: int | None = None,
    category: str | None = None,
    weeks: int | None = 26,
    reviews: Sequence[AnalyzedReview] | None = None,
) -> WeeklyTrends:
    """Weekly review counts, sentiment shares and negative-aspect shares (zero-filled weeks)."""
    if weeks is not None and not 1 <= weeks <= 520:
        raise InputError("weeks must be between 1 and 520")
    if reviews is None:
        reviews = load_analyzed(ctx, product_id=product_id, category=category)
    scope, scope_id = scope_of(product_id, category)
    return weekly_series(reviews, weeks=weeks, scope=scope, scope_id=scope_id)


def _groups(reviews: Sequence[AnalyzedReview]) -> dict[tuple[str, str], list[AnalyzedReview]]:
    groups: dict[tuple[str, str], list[AnalyzedReview]] = defaultdict(list)
    for review in reviews:
        groups[("store", "")].append(review)
        if review.product_id is not None:
            groups[("product", str(review.product_id))].append(review)
        if review.category:
            groups[("category", review.category)].append(review)
    return groups


def _candidate(scope: str, scope_id: str, name: str, rise: AspectRise) -> AlertCandidate:
    where = {"store": "all reviews", "product": name or f"product {scope_id}", "category": scope_id}[scope]
    recent, base = rise.recent, rise.baseline
    title = (
        f"'{rise.aspect}' complaints up in {where}: {recent.count} of {recent.total} reviews "
        f"({share_label(recent.count, recent.total)}) vs {share_label(base.count, base.total)} "
        f"in the {base.weeks} weeks before"
    )
    return AlertCandidate(
        kind=ALERT_KIND,
        severity=rise.severity,
        subject_type=scope,
        subject_id=scope_id,
        title=title[:500],
        evidence=rise.model_dump(mode="json"),
        dedupe_key=f"{ALERT_KIND}:{scope}:{scope_id}:{rise.aspect}:{week_key(rise.week_start)}"[:255],
    )


def detect_review_alerts(ctx: AppContext, *, actor: str) -> list[AlertView]:
    """Test every negative aspect of the store, each category and each product for a rise beyond
    normal variation (see :func:`shopops.reviews.trends.detect_aspect_rises`) and raise alerts."""
    settings = ctx.settings
    reviews = load_analyzed(ctx)
    titles = {str(r.product_id): r.product_title for r in reviews if r.product_id is not None}
    candidates = []
    for (scope, scope_id), group in sorted(_groups(reviews).items()):
        for rise in detect_aspect_rises(
            group,
            p_value=settings.review_alert_p_value,
            min_mentions=settings.review_alert_min_mentions,
            scope=scope,
            scope_id=scope_id,
        ):
            candidates.append(_candidate(scope, scope_id, titles.get(scope_id, ""), rise))
    return raise_alerts(ctx.db, candidates, actor=actor)


def customer_profiles(
    ctx: AppContext, *, as_of: dt.date | None = None, reviews: Sequence[AnalyzedReview] | None = None
) -> list[SegmentProfile]:
    """RFM segments from the store's orders, with what each segment praises and complains about
    (``reviews``: the store's analysed reviews when the caller already loaded them)."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Order.customer_id, Order.placed_at, Order.total).where(
                Order.customer_id.is_not(None),
                Order.status != "cancelled",
                Order.financial_status != "refunded",
            )
        ).all()
    orders = [OrderRecord(customer_id=c, placed_at=p, total=t) for c, p, t in rows]
    if not orders:
        return []
    as_of = as_of or max(o.placed_at for o in orders).date()
    return segment_voice(
        rfm_segments(orders, as_of=as_of), load_analyzed(ctx) if reviews is None else reviews
    )
