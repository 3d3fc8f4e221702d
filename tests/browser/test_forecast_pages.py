"""The forecasts and alerts pages in headless chromium, over the demo store: a manager runs the
forecasts, reads the run's facts and a SKU card whose chart draws the interval band (an SVG polygon)
next to the plan's numbers, opens /alerts, reads a stock alert's evidence (checked against the
store), drafts a response plan and lands on the draft in the review queue; back on /alerts the
alert links to that draft. Both pages are also checked at a phone's width (375 px).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shopops.forecast.plans import PLAN_KIND
from shopops.forecast.service import load_latest
from shopops.workflow.alerts import get_alert
from shopops.workflow.drafts import get_draft

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

from test_support_inbox import sign_in


def fits_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})


def test_manager_runs_forecasts_reads_an_alert_and_drafts_a_plan(page: Any, live: LiveServer) -> None:
    sign_in(page, live, "manager")
    page.goto(f"{live.url}/forecasts")
    page.get_by_test_id("run-forecasts").click()
    page.get_by_test_id("forecast-done").wait_for()
    run = load_latest(live.ctx)
    assert run is not None and run.series
    facts = page.get_by_test_id("run-facts")
    assert facts.get_attribute("data-horizon") == str(run.horizon)
    assert facts.get_attribute("data-freq") == run.freq
    for model in run.models_chosen:
        assert model in page.get_by_test_id("models-chosen").inner_text()

    cards = page.get_by_test_id("sku-card")
    assert cards.count() >= 1
    card = cards.first
    sku = card.get_attribute("data-sku")
    series = run.get(sku)
    assert series is not None and card.get_attribute("data-model") == series.model
    chart = card.locator(f'svg[data-testid="forecast-{sku}"]')
    assert chart.locator("polygon").count() == 1  # the interval band
    assert chart.locator("polyline[stroke-dasharray]").count() >= 1  # the forecast, dashed
    if series.plan:
        shown = float(card.get_by_test_id("plan-order").inner_text())
        assert shown == round(float(series.plan["order_quantity"]), 2)
    assert page.get_by_test_id("stock-row").count() >= 1  # stock health stays on the page
    fits_a_phone(page)

    page.get_by_test_id("nav-alerts").click()
    page.wait_for_url("**/alerts")
    page.goto(f"{live.url}/alerts?kind=stock")
    alert = page.locator('[data-testid="alert"]:has([data-testid="draft-plan"])').first
    alert_id = int(alert.get_attribute("data-alert"))
    stored = get_alert(live.ctx.db, alert_id)
    assert stored.kind.startswith("stock.")
    assert alert.get_by_test_id("alert-title").inner_text() == stored.title
    on_hand = alert.locator('[data-testid="evidence-row"][data-key="on_hand"] td')
    assert float(on_hand.inner_text()) == round(float(stored.evidence["on_hand"]), 2)
    assert alert.get_by_test_id("alert-severity").is_visible()
    fits_a_phone(page)

    alert.get_by_test_id("draft-plan").click()
    page.wait_for_url("**/queue/*")
    draft_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    draft = get_draft(live.ctx.db, draft_id)
    assert draft.kind == PLAN_KIND and draft.subject_id == str(alert_id)
    assert stored.subject_id in page.get_by_test_id("draft-text").inner_text()
    assert page.get_by_text(PLAN_KIND).first.is_visible()

    page.goto(f"{live.url}/alerts?kind=stock")
    link = page.locator(f'[data-alert="{alert_id}"] [data-testid="plan-draft"]')
    assert link.get_attribute("href") == f"/queue/{draft_id}"
