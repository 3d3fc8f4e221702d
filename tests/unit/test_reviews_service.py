"""Review intelligence over the store: incremental analysis, summaries from the store, alerts through
the crisis workflow (idempotent), RFM profiles from orders, and reply drafts whose wording is checked.
Runs on SQLite and PostgreSQL, with the shipped classifiers and the fake LLM."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from shopops.context import AppContext
from shopops.errors import InputError, NotFoundError
from shopops.reviews.insights import customer_profiles, detect_review_alerts, review_summary, review_trends
from shopops.reviews.replies import REPLY_KIND, draft_replies, fixed_reply
from shopops.reviews.service import analyze_reviews, coverage, load_analyzed
from shopops.store import models
from shopops.workflow.alerts import list_alerts, set_alert_status
from shopops.workflow.drafts import get_draft

MONDAY = dt.datetime(2026, 9, 7, 10, 0)  # a Monday; 10 weeks of reviews follow
LEAK_EN = "The lid leaks all over my bag, water everywhere."
GOOD_EN = "Great bottle, keeps drinks cold all day. Love it."
GOOD_ZH = "质量很好，保温效果不错，很喜欢。"


def add_product(ctx: AppContext, handle: str = "steel-bottle", category: str = "Kitchen > Bottles") -> int:
    with ctx.db.session() as session:
        product = models.Product(handle=handle, title="Steel Bottle", category=category)
        session.add(product)
        session.flush()
        return product.id


def add_reviews(ctx: AppContext, product_id: int, rows: list[tuple[str, int, str, dt.datetime]]) -> None:
    """rows: (body, rating, language, reviewed_at)."""
    with ctx.db.session() as session:
        start = session.query(models.Review).count()
        for n, (body, rating, language, when) in enumerate(rows, start=start + 1):
            session.add(
                models.Review(
                    external_id=f"R{n}",
                    product_id=product_id,
                    rating=rating,
                    body=body,
                    language=language,
                    reviewed_at=when,
                )
            )


def weekly_reviews(leaky_last_week: int) -> list[tuple[str, int, str, dt.datetime]]:
    """9 calm weeks (60 reviews, 2 about a leak) and a last week with ``leaky_last_week`` of 60."""
    rows = []
    for week in range(10):
        leaks = leaky_last_week if week == 9 else 2
        for i in range(60):
            when = MONDAY + dt.timedelta(weeks=week, hours=i)
            rows.append((LEAK_EN, 1, "en", when) if i < leaks else (GOOD_EN, 5, "en", when))
    return rows


def test_analysis_is_incremental_and_reads_sentiment_and_aspects(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    add_reviews(
        ctx, product_id, [(LEAK_EN, 1, "en", MONDAY), (GOOD_EN, 5, "en", MONDAY), (GOOD_ZH, 5, "zh", MONDAY)]
    )
    seen: list[tuple[int, int]] = []
    first = analyze_reviews(ctx, on_progress=lambda done, total: seen.append((done, total)))
    assert (first.total, first.analyzed, first.unchanged) == (3, 3, 0)
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    again = analyze_reviews(ctx)
    assert (again.analyzed, again.unchanged) == (0, 3)
    assert coverage(ctx) == (3, 3)
    by_body = {r.body: r for r in load_analyzed(ctx)}
    assert by_body[LEAK_EN].sentiment == "negative" and by_body[GOOD_EN].sentiment == "positive"
    assert by_body[GOOD_ZH].sentiment == "positive" and by_body[GOOD_ZH].language == "zh"
    leak = by_body[LEAK_EN].aspects
    assert leak and all(m.polarity == "negative" for m in leak)
    assert all(LEAK_EN[m.start : m.end] == m.term for m in leak)
    with ctx.db.session() as session:  # an edited review is read again, the others are not
        session.query(models.Review).filter_by(body=GOOD_EN).one().body = "Broke after a week. Awful."
    edited = analyze_reviews(ctx)
    assert (edited.analyzed, edited.unchanged) == (1, 2)
    assert {r.body: r.sentiment for r in load_analyzed(ctx)}["Broke after a week. Awful."] == "negative"


def test_bad_scope_is_a_clear_error(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="product 999"):
        analyze_reviews(ctx, product_id=999)
    with pytest.raises(InputError, match="method"):
        analyze_reviews(ctx, method="magic")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="en or zh"):
        review_summary(ctx, language="fr")


def test_summary_and_trends_from_the_store(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=2))
    analyze_reviews(ctx)
    summary, narrative = review_summary(ctx, product_id=product_id)
    assert narrative is None and summary.total_reviews == 600
    negative = summary.sentiment["negative"]
    assert (negative.count, negative.denominator) == (20, 600)
    trends = review_trends(ctx, product_id=product_id, weeks=10)
    assert [w.reviews for w in trends.weeks] == [60] * 10


def test_a_rising_complaint_raises_one_alert_and_rerunning_does_not_duplicate_it(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=15))
    analyze_reviews(ctx)
    raised = detect_review_alerts(ctx, actor="manager@test.example")
    scopes = {(a.subject_type, a.subject_id) for a in raised}
    assert ("product", str(product_id)) in scopes and ("store", "") in scopes
    alert = next(a for a in raised if a.subject_type == "product")
    assert alert.kind == "review.aspect_rise" and "15 of 60" in alert.title
    assert alert.evidence["recent"]["count"] == 15 and alert.evidence["p_adjusted"] < 0.01
    again = detect_review_alerts(ctx, actor="manager@test.example")
    assert sorted(a.id for a in again) == sorted(a.id for a in raised)
    set_alert_status(ctx.db, alert.id, "resolved", actor="manager@test.example")
    detect_review_alerts(ctx, actor="manager@test.example")
    assert alert.id not in {a.id for a in list_alerts(ctx.db, status="open")}


def test_calm_weeks_raise_no_alert(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=3))
    analyze_reviews(ctx)
    assert detect_review_alerts(ctx, actor="manager@test.example") == []


def test_customer_profiles_join_orders_and_reviews(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    with ctx.db.session() as session:
        for n, (orders, total) in enumerate([(6, "80.00"), (1, "15.00")], start=1):
            customer = models.Customer(external_id=f"C{n}", name=f"Customer {n}")
            session.add(customer)
            session.flush()
            for k in range(orders):
                session.add(
                    models.Order(
                        order_number=f"O{n}-{k}",
                        customer_id=customer.id,
                        total=Decimal(total),
                        placed_at=MONDAY - dt.timedelta(days=3 + 20 * k * (n == 2)),
                    )
                )
            session.add(
                models.Review(
                    external_id=f"RC{n}",
                    product_id=product_id,
                    customer_id=customer.id,
                    rating=1 + 4 * (n == 1),
                    body=GOOD_EN if n == 1 else LEAK_EN,
                    language="en",
                    reviewed_at=MONDAY,
                )
            )
    analyze_reviews(ctx)
    segments = {s.segment: s for s in customer_profiles(ctx, as_of=MONDAY.date())}
    assert sum(s.customers for s in segments.values()) == 2
    assert sum(s.reviews for s in segments.values()) == 2


def test_reply_drafts_land_in_the_queue_and_bad_wording_is_replaced(ctx: AppContext) -> None:
    product_id = add_product(ctx)
    add_reviews(
        ctx,
        product_id,
        [(LEAK_EN, 1, "en", MONDAY), (GOOD_EN, 5, "en", MONDAY), ("盖子漏水，很失望。", 1, "zh", MONDAY)],
    )
    analyze_reviews(ctx)
    fake = ctx.llm.backend  # the logged wrapper around the fake backend
    fake.add_script(
        json.dumps({"reply": "Sorry! We will refund you and send a 20% coupon."}),
        json.dumps({"reply": "Thank you for your review. We are sorry the lid leaked; please contact us."}),
    )
    drafts = draft_replies(ctx, load_analyzed(ctx), actor="agent@test.example")
    assert len(drafts) == 2  # only the negative reviews
    by_language = {d.language: d for d in drafts}
    zh, en = by_language["zh"], by_language["en"]
    assert {zh.replaced, en.replaced} == {True, False}
    replaced = zh if zh.replaced else en
    assert any(f.rule == "promise_not_allowed" for f in replaced.flags)
    assert "refund" not in replaced.text and "20" not in replaced.text
    view = get_draft(ctx.db, drafts[0].draft_id)
    assert view.kind == REPLY_KIND and view.subject_type == "review" and view.status == "draft"
    assert draft_replies(ctx, load_analyzed(ctx), actor="agent@test.example") == []  # one per review


def test_fixed_reply_speaks_the_reviewers_language_and_words() -> None:
    from shopops.reviews.types import AnalyzedReview, AspectMention

    review = AnalyzedReview(
        review_id=1,
        body="盖子漏水",
        language="zh",
        sentiment="negative",
        p_positive=0.1,
        product_title="保温杯",
        aspects=[AspectMention(aspect="leakage", term="漏水", polarity="negative", start=2, end=4)],
    )
    text = fixed_reply(review)
    assert "漏水" in text and "保温杯" in text and "refund" not in text


def test_a_reply_that_does_not_apologise_or_names_a_foreign_title_is_not_used() -> None:
    from shopops.reviews.replies import check_reply
    from shopops.reviews.types import AnalyzedReview

    review = AnalyzedReview(
        review_id=7,
        body="发货太慢，问客服也没人回复。",
        language="zh",
        sentiment="negative",
        p_positive=0.1,
        product_title="Bamboo Box",
    )
    glad = "感谢您的评价。我们非常高兴地发现发货速度慢。"  # the 0.5B model's wording in the demo
    assert [f.rule for f in check_reply(glad, review)] == ["no_apology"]
    assert check_reply("感谢您的评价，发货慢给您带来不便，我们深表歉意。", review) == []
    assert "Bamboo Box" in fixed_reply(review)  # a Latin-script name reads fine in a Chinese reply
    english = review.model_copy(
        update={"language": "en", "body": "Too small.", "product_title": "竹制收纳盒"}
    )
    assert "our product" in fixed_reply(english) and "竹制" not in fixed_reply(english)
