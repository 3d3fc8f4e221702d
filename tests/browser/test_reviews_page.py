"""The reviews page in headless chromium: a manager analyses the demo store's reviews, reads the
counted summary (every statement's count checked against the store), sees the weekly charts and
customer segments, tests for rising complaints and sees the alert a seeded leak problem raised
store-wide (one product's own baseline is too thin to test); an agent drafts a reply to a negative
review and lands on it in the review queue. Also checked at 375 px.

The seeded problem: 30 one-star "the lid leaks" reviews of one demo product in the demo store's last
week, on top of its ordinary reviews — a rise no normal week shows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shopops.reviews.service import load_analyzed
from shopops.store import models

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

from test_support_inbox import sign_in

LEAK = "The lid leaks, water all over my bag."


def seed_leaks(live: LiveServer) -> int:
    """30 leak complaints about one product in the last week of the demo store's reviews."""
    with live.ctx.db.session() as session:
        last = session.query(models.Review).order_by(models.Review.reviewed_at.desc()).first()
        assert last is not None and last.reviewed_at is not None and last.product_id is not None
        for n in range(30):
            session.add(
                models.Review(
                    external_id=f"LEAK-{n}",
                    product_id=last.product_id,
                    rating=1,
                    body=LEAK,
                    language="en",
                    reviewed_at=last.reviewed_at - dt.timedelta(hours=2 * n),
                )
            )
        return last.product_id


def test_manager_reads_counts_charts_and_alerts_then_an_agent_drafts_a_reply(
    page: Any, live: LiveServer
) -> None:
    product_id = seed_leaks(live)
    sign_in(page, live, "manager")
    page.goto(f"{live.url}/reviews")
    page.get_by_test_id("analyze").click()
    page.get_by_test_id("reviews-done").wait_for()
    coverage = page.get_by_test_id("coverage")
    assert coverage.get_attribute("data-analysed") == coverage.get_attribute("data-total")

    reviews = load_analyzed(live.ctx)
    total = len(reviews)
    assert page.get_by_test_id("review-summary").get_attribute("data-total") == str(total)
    negative = sum(r.sentiment == "negative" for r in reviews)
    statements = page.get_by_test_id("summary-statement")
    assert statements.count() >= 2
    for i in range(statements.count()):
        assert statements.nth(i).get_attribute("data-denominator") == str(total)
    counts = [int(statements.nth(i).get_attribute("data-count")) for i in range(statements.count())]
    assert negative in counts  # the negative-sentiment statement states the store's own count
    complaints = page.get_by_test_id("complaint")
    for i in range(complaints.count()):
        aspect = complaints.nth(i).get_attribute("data-aspect")
        expected = sum(
            any(m.aspect == aspect and m.polarity == "negative" for m in r.aspects) for r in reviews
        )
        assert complaints.nth(i).get_attribute("data-count") == str(expected)
    assert "<desc>" in page.get_by_test_id("sentiment-chart").inner_html()
    assert page.get_by_test_id("segment").count() >= 2

    page.get_by_test_id("detect-alerts").click()
    page.get_by_test_id("review-alerts").wait_for()
    alert_text = page.get_by_test_id("review-alerts").inner_text()
    assert "30 of" in alert_text or "31 of" in alert_text or "32 of" in alert_text

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live, "agent")
    page.goto(f"{live.url}/reviews?product={product_id}&rating=1")
    page.get_by_test_id("draft-reply").first.click()
    page.wait_for_url("**/queue/*")
    assert "review.reply" in page.content() or "Reply" in page.content()
