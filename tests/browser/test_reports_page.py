"""The reports page in headless chromium, over the demo store: a manager opens /reports from the
navigation, shows the weekly report without the model and reads every KPI card (each number equal
to ``compute_facts(ctx, "weekly")``), sees the charts as SVG and downloads the PDF; then asks
"revenue last week" and a question in Chinese in the ask box (each number equal to SQL written
here), and one the store cannot answer. An analyst may ask; the same account without ``read`` is
refused in the answer area. Both states are also checked at a phone's width (375 px).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from shopops.auth.roles import ROLE_PERMISSIONS, Role
from shopops.reports.facts import compute_facts
from shopops.store import models

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

from test_forecast_pages import fits_a_phone
from test_support_inbox import sign_in

NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def shown_number(text: str) -> float | None:
    """``$1,414.00`` -> 1414.0, ``6.9%`` -> 6.9, ``n/a`` -> None."""
    match = NUMBER.search(text)
    return None if match is None else float(match.group().replace(",", ""))


def last_week_orders(live: LiveServer) -> tuple[float, int]:
    """Revenue and orders of the last complete Monday-to-Sunday week before the store's newest
    order, cancelled orders left out, by SQL written here (not the semantic layer's)."""
    orders = models.Order.__table__
    with live.ctx.db.session() as session:
        newest = session.execute(select(func.max(orders.c.placed_at))).scalar_one()
        this_monday = dt.datetime.combine(newest.date() - dt.timedelta(days=newest.weekday()), dt.time())
        start, end = this_monday - dt.timedelta(days=7), this_monday
        total, count = session.execute(
            select(func.coalesce(func.sum(orders.c.total), 0), func.count()).where(
                orders.c.placed_at >= start, orders.c.placed_at < end, orders.c.status != "cancelled"
            )
        ).one()
    return float(Decimal(total)), int(count)


def ask(page: Any, question: str) -> Any:
    """Ask in the box and wait for htmx to swap the answer in; the answer area."""
    area = page.locator("#ask-answer")
    before = area.inner_html()
    page.get_by_test_id("ask-question").fill(question)
    page.get_by_test_id("ask-submit").click()
    page.wait_for_function("before => document.querySelector('#ask-answer').innerHTML !== before", arg=before)
    return area


def test_manager_reads_the_weekly_report_downloads_the_pdf_and_asks(page: Any, live: LiveServer) -> None:
    sign_in(page, live, "manager")
    page.get_by_test_id("nav-reports").click()
    page.wait_for_url("**/reports")
    page.get_by_test_id("report-kind").select_option("weekly")
    page.get_by_test_id("report-show").click()
    view = page.get_by_test_id("report-view")
    view.wait_for()

    facts = compute_facts(live.ctx, "weekly")
    assert view.get_attribute("data-period") == facts.period.label
    cards = page.get_by_test_id("report-kpi")
    assert cards.count() == len(facts.kpis)
    for i, kpi in enumerate(facts.kpis):
        card = cards.nth(i)
        assert card.get_attribute("data-kpi") == kpi.name
        assert shown_number(card.get_by_test_id("kpi-value").inner_text()) == kpi.value, kpi.name
    assert page.get_by_test_id("report-narrative").locator("p").count() >= 1
    charts = page.locator('[data-testid="report-charts"] figure')
    assert charts.count() >= 3
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg.chart").count() == 1

    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    download = info.value
    assert download.suggested_filename == f"weekly-{facts.period.label}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    revenue, orders = last_week_orders(live)
    answer = ask(page, "revenue last week")
    value = answer.get_by_test_id("ask-value")
    assert float(value.get_attribute("data-value")) == pytest.approx(revenue)
    assert shown_number(value.inner_text()) == pytest.approx(revenue)
    assert answer.get_by_test_id("ask-query-words").inner_text().startswith("metric: revenue")
    assert "FROM orders" in answer.get_by_test_id("ask-sql").text_content()
    assert answer.locator('svg[data-testid="ask-chart"]').count() == 1
    fits_a_phone(page)

    answer = ask(page, "上周订单数")
    assert int(float(answer.get_by_test_id("ask-value").get_attribute("data-value"))) == orders
    assert "上周" in answer.get_by_test_id("ask-sentence").inner_text()

    answer = ask(page, "what will the weather be tomorrow")
    assert "I can answer questions about:" in answer.get_by_test_id("ask-unanswered").inner_text()

    page.get_by_test_id("lang-zh").click()
    page.wait_for_url("**/reports?*lang=zh*")
    assert page.locator("#ask-title").inner_text() == "询问店铺数据"


def test_an_analyst_may_ask_and_a_role_without_read_may_not(
    page: Any, live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(page, live, "analyst")
    page.goto(f"{live.url}/reports")
    answer = ask(page, "orders last week")
    assert float(answer.get_by_test_id("ask-value").get_attribute("data-value")) == last_week_orders(live)[1]
    fits_a_phone(page)

    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, frozenset())  # the server runs in this process
    answer = ask(page, "revenue last week")
    refused = answer.get_by_test_id("error")
    assert refused.get_attribute("data-status") == "403"
    assert answer.get_by_test_id("ask-result").count() == 0
    assert page.request.get(f"{live.url}/reports/ask?q=revenue+last+week").status == 403
