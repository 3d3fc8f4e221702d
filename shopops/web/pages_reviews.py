"""``/reviews``: review intelligence in the workspace.

The page shows, for the store or one product: the counted summary (every sentence a count "N of
M reviews, P%" and quotes linked to the review they come from), weekly sentiment and negative-
aspect shares as charts, open aspect-rise alerts with their evidence, customer segments and what
each says, and the reviews themselves with their sentiment and aspects. People who may, analyse
new reviews, test for rises and draft a reply to a negative review (it goes to the review queue).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from shopops.api.security import editor, reader, support_agent
from shopops.auth.accounts import Principal
from shopops.charts import Bar, Series, bar_chart, line_chart
from shopops.errors import InputError
from shopops.reviews.insights import customer_profiles, detect_review_alerts, review_summary, review_trends
from shopops.reviews.replies import REPLY_KIND, draft_replies
from shopops.reviews.service import analyze_reviews, coverage, load_analyzed
from shopops.reviews.summary import ReviewSummary
from shopops.reviews.trends import WeeklyTrends
from shopops.store.models import ReviewAnalysis
from shopops.web.queries import list_reviews, product_choices
from shopops.web.render import PER_PAGE, RowId, context_of, page_offset, pager, render
from shopops.workflow.alerts import list_alerts
from shopops.workflow.drafts import open_drafts_for

router = APIRouter(include_in_schema=False)
TREND_WEEKS = 16
CHART_ASPECTS = 3
POLARITY_ORDER = ("negative", "neutral", "positive")
POLARITY_COLORS = ("#dc2626", "#9ca3af", "#16a34a")


def _optional_int(value: str, low: int, high: int) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def sentiment_chart(trends: WeeklyTrends, title: str, names: dict[str, str]) -> str:
    labels = [w.iso_week.split("-")[-1] for w in trends.weeks]
    series = [
        Series(
            names[label],
            [w.sentiment_share.get(label, 0.0) if w.reviews else None for w in trends.weeks],
            color=color,
        )
        for label, color in (("positive", "#16a34a"), ("negative", "#dc2626"))
    ]
    return line_chart(title, labels, series, percent=True, test_id="sentiment-chart")


def aspect_trend_chart(trends: WeeklyTrends, summary: ReviewSummary, title: str) -> str | None:
    aspects = [r.aspect for r in summary.top_complained[:CHART_ASPECTS]]
    if not aspects or not trends.weeks:
        return None
    labels = [w.iso_week.split("-")[-1] for w in trends.weeks]
    series = [
        Series(a, [w.negative_share.get(a, 0.0) if w.reviews else None for w in trends.weeks])
        for a in aspects
    ]
    return line_chart(title, labels, series, percent=True, test_id="aspect-chart")


def aspect_bars(summary: ReviewSummary, title: str, names: dict[str, str]) -> str | None:
    top = summary.aspects[:8]
    if not top:
        return None
    bars = [
        Bar(a.aspect, {names[p]: a.polarity(p).count for p in POLARITY_ORDER})
        for a in top  # type: ignore[arg-type]
    ]
    return bar_chart(
        title,
        bars,
        part_order=[names[p] for p in POLARITY_ORDER],
        colors=POLARITY_COLORS,
        test_id="aspect-bars",
    )


def _analyses(request: Request, review_ids: list[int]) -> dict[int, ReviewAnalysis]:
    with context_of(request).db.session() as session:
        rows = session.query(ReviewAnalysis).filter(ReviewAnalysis.review_id.in_(review_ids)).all()
        session.expunge_all()
    return {row.review_id: row for row in rows}


def _reply_drafts(request: Request, review_ids: list[int]) -> dict[int, int]:
    """review id -> its waiting or approved reply draft's id."""
    return open_drafts_for(context_of(request).db, REPLY_KIND, "review", review_ids)


@router.get("/reviews")
def reviews(
    request: Request,
    rating: str = Query("", max_length=2),
    product: str = Query("", max_length=20),
    page: int = Query(1, ge=1),
    error: str = Query("", max_length=300),
    done: str = Query("", max_length=300),
    who: Principal = Depends(reader),
) -> Response:
    ctx = context_of(request)
    stars = _optional_int(rating, 1, 5)
    product_id = _optional_int(product, 1, 2**31 - 1)
    found = list_reviews(
        ctx.db, rating=stars, product_id=product_id, limit=PER_PAGE, offset=page_offset(page)
    )
    analysed, total = coverage(ctx, product_id=product_id)
    values = render_values(request, who, product_id)
    ids = [review.id for review, _ in found.items]
    return render(
        request,
        "reviews.html",
        who,
        active="/reviews",
        reviews=found.items,
        analyses=_analyses(request, ids),
        reply_drafts=_reply_drafts(request, ids),
        distribution=found.distribution,
        unrated=found.unrated,
        most=max(found.distribution.values(), default=0),
        pager=pager(request, found.total, page),
        rating=stars,
        product_id=product_id,
        products=product_choices(ctx.db),
        analysed=analysed,
        total_reviews=total,
        error=error,
        done=done,
        **values,
    )


def render_values(request: Request, who: Principal, product_id: int | None) -> dict[str, object]:
    """Summary, charts, alerts and segments of the page's scope (empty until reviews are analysed)."""
    from shopops.web.i18n import translator
    from shopops.web.render import language_of

    ctx = context_of(request)
    lang = language_of(request, who)
    t = translator(lang)
    names = {p: t(f"reviews.polarity.{p}") for p in ("positive", "negative", "neutral", "mixed")}
    analysed = load_analyzed(ctx, product_id=product_id)  # read once for the summary, charts and segments
    summary, _ = review_summary(
        ctx, product_id=product_id, language="zh" if lang == "zh" else "en", reviews=analysed
    )
    trends = review_trends(ctx, product_id=product_id, weeks=TREND_WEEKS, reviews=analysed)
    scope_alerts = list_alerts(ctx.db, kind_prefix="review.", limit=50)
    if product_id is not None:
        scope_alerts = [
            a for a in scope_alerts if (a.subject_type, a.subject_id) == ("product", str(product_id))
        ]
    return {
        "summary": summary,
        "sentiment_svg": sentiment_chart(trends, t("reviews.chart.sentiment"), names)
        if summary.total_reviews
        else None,
        "aspect_svg": aspect_trend_chart(trends, summary, t("reviews.chart.aspects")),
        "bars_svg": aspect_bars(summary, t("reviews.chart.bars"), names),
        "review_alerts": scope_alerts,
        "segments": customer_profiles(ctx, reviews=analysed)
        if product_id is None and summary.total_reviews
        else [],
    }


def _back(product: str, **query: str) -> RedirectResponse:
    params = {"product": product.strip()} if product.strip().isdigit() else {}
    params.update(query)
    return RedirectResponse("/reviews" + ("?" + urlencode(params) if params else ""), status_code=303)


@router.post("/reviews/analyze")
def analyze(
    request: Request, product: str = Form("", max_length=20), who: Principal = Depends(editor)
) -> Response:
    """Analyse the reviews that changed (the fast classifier: a store of thousands takes seconds)."""
    ctx = context_of(request)
    report = analyze_reviews(ctx, product_id=_optional_int(product, 1, 2**31 - 1), method="fast")
    return _back(product, done=f"analysed-{report.analyzed}")


@router.post("/reviews/alerts")
def alerts(
    request: Request, product: str = Form("", max_length=20), who: Principal = Depends(editor)
) -> Response:
    """Test every negative aspect for a rise beyond normal variation."""
    raised = detect_review_alerts(context_of(request), actor=who.email)
    return _back(product, done=f"alerts-{len(raised)}")


@router.post("/reviews/{review_id}/reply")
def reply(request: Request, review_id: RowId, who: Principal = Depends(support_agent)) -> Response:
    """Draft a reply to one negative review; it waits in the review queue."""
    ctx = context_of(request)
    found = load_analyzed(ctx, review_ids=[review_id])
    try:
        if not found:
            raise InputError(f"review {review_id} is not analysed yet", hint="analyse the reviews first")
        drafts = draft_replies(ctx, found, actor=who.email, limit=1)
        if not drafts:
            raise InputError(f"review {review_id} is not negative or already has a reply draft")
    except InputError as exc:
        return _back("", error=exc.message[:200])
    return RedirectResponse(f"/queue/{drafts[0].draft_id}", status_code=303)
