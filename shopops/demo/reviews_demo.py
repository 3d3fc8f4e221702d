"""The demo's insight step: analyse the demo reviews, count, test for rises, reply; forecast.

Runs on every ``make demo``: the fast classifier reads all demo reviews (incrementally: a second
run reads none), the store-wide summary states its counts, the alert test runs over the store,
each category and each product, and the two newest negative reviews get reply drafts in the queue
(once: a second run finds them drafted and adds none). Then every SKU is forecast (its stock and
sales alerts join the alerts list; a second run refreshes them instead of raising them again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopops.context import AppContext
from shopops.demo.workspace import email_for
from shopops.forecast.service import ForecastRun, run_forecasts
from shopops.reviews.insights import detect_review_alerts, review_summary
from shopops.reviews.replies import ReplyDraft, draft_replies, is_negative
from shopops.reviews.service import AnalyzeReport, analyze_reviews, load_analyzed
from shopops.reviews.summary import ReviewSummary
from shopops.workflow.alerts import AlertView

DEMO_REPLIES = 2


@dataclass(frozen=True)
class ReviewDemo:
    analysis: AnalyzeReport
    summary: ReviewSummary
    alerts: list[AlertView] = field(default_factory=list)
    replies: list[ReplyDraft] = field(default_factory=list)
    forecast: ForecastRun | None = None  # the store's forecast run, with its stock and sales alerts


def run_review_demo(ctx: AppContext, *, replies: int = DEMO_REPLIES) -> ReviewDemo:
    """Analyse, summarise and test the demo reviews; draft replies to the newest negative ones."""
    actor = email_for("manager")
    analysis = analyze_reviews(ctx)
    summary, _ = review_summary(ctx, language="en")
    alerts = detect_review_alerts(ctx, actor=actor)
    newest = sorted(
        (r for r in load_analyzed(ctx) if is_negative(r)),
        key=lambda r: (r.reviewed_at is not None, r.reviewed_at, r.review_id),
        reverse=True,
    )[:replies]
    drafted = draft_replies(ctx, newest, actor=actor, limit=replies)  # none again on a second run
    forecast = run_forecasts(ctx, actor=actor)
    return ReviewDemo(analysis=analysis, summary=summary, alerts=alerts, replies=drafted, forecast=forecast)
