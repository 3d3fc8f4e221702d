"""The /forecasts and /alerts pages through a signed-in browser session (TestClient): every role
sees them, the run button forecasts and redirects, SKU cards chart the interval band and show the
plan's numbers, alerts show their evidence (and a weekly chart for review alerts), the status
buttons and "Draft a plan" work for the roles that may use them and are refused to the others."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_forecast_service import add_steady_sku
from test_web_pages import PASSWORD, csrf_of, sign_in

from shopops.api.app import create_app
from shopops.auth.accounts import list_users
from shopops.auth.roles import ROLE_PERMISSIONS, Permission, Role
from shopops.config import Settings
from shopops.context import AppContext
from shopops.forecast.plans import PLAN_KIND
from shopops.forecast.service import load_latest
from shopops.web.pages_forecasts import evidence_rows, show_value
from shopops.workflow.alerts import AlertCandidate, get_alert, list_alerts, raise_alerts
from shopops.workflow.drafts import get_draft

ALERT_ID = re.compile(r'data-testid="alert" data-alert="(\d+)"')


@pytest.fixture
def web(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0, "api_rate_limit": 0}))
    with TestClient(app) as client:
        yield client, app.state.ctx


def as_role(client: TestClient, ctx: AppContext, role: str) -> str:
    """Sign out whoever was signed in and sign in as ``role`` (made on first use); the CSRF token."""
    client.cookies.clear()
    if not any(user.email == f"{role}@web.example" for user in list_users(ctx.db)):
        return sign_in(client, ctx, role)
    signed = client.post("/login", data={"email": f"{role}@web.example", "password": PASSWORD})
    return csrf_of(signed.text)


def run_as_manager(client: TestClient, ctx: AppContext) -> str:
    token = as_role(client, ctx, "manager")
    ran = client.post("/forecasts/run", data={"csrf_token": token}, follow_redirects=False)
    assert ran.status_code == 303 and ran.headers["location"].startswith("/forecasts?done=")
    return token


def test_pages_render_for_every_role_before_and_after_a_run(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    add_steady_sku(ctx)
    for role in Role:
        as_role(client, ctx, role.value)
        page = client.get("/forecasts")
        assert page.status_code == 200, (role, page.text[:300])
        assert 'data-testid="no-run"' in page.text and 'data-testid="stock-table"' in page.text
        may_run = Permission.DRAFTS_EDIT in ROLE_PERMISSIONS[role]
        assert ('data-testid="run-forecasts"' in page.text) is may_run, role
        alerts = client.get("/alerts")
        assert alerts.status_code == 200 and 'data-testid="empty"' in alerts.text
        assert 'href="/alerts" data-testid="nav-alerts" aria-current="page"' in alerts.text

    run_as_manager(client, ctx)
    run = load_latest(ctx)
    assert run is not None and run.alert_ids
    (series,) = run.series
    assert series.plan is not None
    for role in Role:
        client.cookies.clear()
        client.post(
            "/login", data={"email": f"{role.value}@web.example", "password": "correct-horse-battery"}
        )
        page = client.get("/forecasts").text
        assert 'data-testid="sku-card" data-sku="STEADY"' in page, role
        assert "<polygon" in page  # the interval band
        assert f'data-testid="models-chosen"><code>{series.model}</code> × 1' in page
        order = re.search(r'data-testid="plan-order">([^<]+)<', page)
        assert order and float(order.group(1)) == series.plan["order_quantity"]
        assert 'data-testid="sku-alert"' in page  # the stock-out risk, linked to /alerts
        listed = client.get("/alerts").text
        assert 'data-kind="stock.out_risk"' in listed and 'data-key="order_quantity"' in listed
        can_assign = Permission.WORK_ASSIGN in ROLE_PERMISSIONS[role]
        assert ('data-testid="alert-acknowledged"' in listed) is can_assign, role
        can_plan = Permission.DRAFTS_EDIT in ROLE_PERMISSIONS[role]
        assert ('data-testid="draft-plan"' in listed) is can_plan, role
    chinese = client.get("/alerts?lang=zh").text
    assert "依据" in chinese and "标记已解决" not in chinese and 'lang="zh-CN"' in chinese


def test_run_without_sales_shows_the_error_and_analysts_are_refused(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    token = as_role(client, ctx, "analyst")
    refused = client.post("/forecasts/run", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403 and 'data-testid="needed-roles"' in refused.text
    token = as_role(client, ctx, "manager")
    assert client.post("/forecasts/run", follow_redirects=False).status_code == 403  # no CSRF token
    ran = client.post("/forecasts/run", data={"csrf_token": token})
    assert ran.status_code == 200 and ran.url.path == "/forecasts"
    assert 'data-testid="forecast-error"' in ran.text and "no sales history" in ran.text
    assert load_latest(ctx) is None


def test_status_buttons_filters_and_refusals(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    add_steady_sku(ctx)
    run_as_manager(client, ctx)
    (alert,) = list_alerts(ctx.db, kind_prefix="stock.")
    token = as_role(client, ctx, "operator")  # edits drafts, may not assign work
    denied = client.post(f"/alerts/{alert.id}/status", data={"csrf_token": token, "status": "resolved"})
    assert denied.status_code == 403 and get_alert(ctx.db, alert.id).status == "open"

    token = as_role(client, ctx, "agent")
    acked = client.post(
        f"/alerts/{alert.id}/status",
        data={"csrf_token": token, "status": "acknowledged", "back_status": "open", "back_kind": "stock"},
        follow_redirects=False,
    )
    assert acked.status_code == 303
    assert acked.headers["location"] == "/alerts?status=open&kind=stock&done=acknowledged"
    assert get_alert(ctx.db, alert.id).status == "acknowledged"
    still_open = client.get(acked.headers["location"]).text
    assert 'data-testid="alerts-done"' in still_open and "Acknowledged" in still_open
    assert str(alert.id) not in ALERT_ID.findall(still_open)
    acknowledged = client.get("/alerts?status=acknowledged").text
    assert ALERT_ID.findall(acknowledged) == [str(alert.id)]
    assert 'data-testid="alert-resolved"' in acknowledged and 'data-testid="alert-open"' in acknowledged
    assert ALERT_ID.findall(client.get("/alerts?status=acknowledged&kind=review").text) == []

    bad = client.post(f"/alerts/{alert.id}/status", data={"csrf_token": token, "status": "gone"})
    assert bad.status_code == 200 and 'data-testid="alerts-error"' in bad.text
    missing = client.post("/alerts/999999/status", data={"csrf_token": token, "status": "resolved"})
    assert missing.status_code == 404
    resolved = client.post(f"/alerts/{alert.id}/status", data={"csrf_token": token, "status": "resolved"})
    assert resolved.status_code == 200 and get_alert(ctx.db, alert.id).status == "resolved"
    page = client.get("/alerts?status=resolved").text
    assert 'data-testid="draft-plan"' not in page  # no plan for a resolved alert


def test_draft_a_plan_lands_in_the_queue_and_is_linked_from_the_alert(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    add_steady_sku(ctx)
    run_as_manager(client, ctx)
    (alert,) = list_alerts(ctx.db, kind_prefix="stock.")
    token = as_role(client, ctx, "analyst")
    assert client.post(f"/alerts/{alert.id}/plan", data={"csrf_token": token}).status_code == 403

    token = as_role(client, ctx, "operator")
    ctx.llm.backend.add_script(  # type: ignore[attr-defined]
        json.dumps(
            {"summary": "Reorder now.", "steps": [{"action": "reorder", "text": "Order 12345 units."}]}
        )
    )
    drafted = client.post(f"/alerts/{alert.id}/plan", data={"csrf_token": token}, follow_redirects=False)
    assert drafted.status_code == 303
    draft_id = int(drafted.headers["location"].removeprefix("/queue/"))
    draft = get_draft(ctx.db, draft_id)
    assert draft.kind == PLAN_KIND and (draft.subject_type, draft.subject_id) == ("alert", str(alert.id))
    assert "12345" not in draft.content["text"]  # the invented number was removed by the check
    queue_page = client.get(drafted.headers["location"])
    assert queue_page.status_code == 200 and 'data-testid="draft-text"' in queue_page.text
    listed = client.get("/alerts").text
    assert f'href="/queue/{draft_id}" data-testid="plan-draft"' in listed
    assert 'data-testid="draft-plan"' not in listed
    assert client.post("/alerts/999999/plan", data={"csrf_token": token}).status_code == 404


def review_alert(ctx: AppContext) -> int:
    weeks = [dt.date(2026, 9, 7) + dt.timedelta(weeks=n) for n in range(10)]
    series = [
        {
            "week_start": w.isoformat(),
            "reviews": 20,
            "negative": 9 if n == 9 else 1,
            "share": 0.45 if n == 9 else 0.05,
        }
        for n, w in enumerate(weeks)
    ]
    window = {"start": "2026-11-09", "end": "2026-11-15", "weeks": 1, "count": 9, "total": 20, "share": 0.45}
    baseline = {
        "start": "2026-09-07",
        "end": "2026-11-08",
        "weeks": 9,
        "count": 9,
        "total": 180,
        "share": 0.05,
    }
    evidence = {
        "scope": "store", "scope_id": "", "aspect": "lid", "recent": window, "baseline": baseline,
        "ratio": 9.0, "p_value": 0.000012, "p_adjusted": 0.00004, "dispersion": 1.0,
        "aspects_tested": 4, "severity": "high", "series": series,
    }  # fmt: skip
    candidate = AlertCandidate(
        kind="review.aspect_rise", severity="high", subject_type="store", title="lid complaints rising",
        evidence=evidence, dedupe_key="review.aspect_rise:store:lid:2026-W46",
    )  # fmt: skip
    (view,) = raise_alerts(ctx.db, [candidate], actor="test")
    return view.id


def test_review_alert_shows_its_weekly_chart_and_window_counts(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    alert_id = review_alert(ctx)
    as_role(client, ctx, "analyst")
    page = client.get("/alerts?kind=review").text
    assert ALERT_ID.findall(page) == [str(alert_id)]
    chart = re.search(rf'<svg[^>]*data-testid="alert-chart-{alert_id}".*?</svg>', page, re.S)
    assert chart and "<polyline" in chart.group(0) and "baseline" in chart.group(0)
    assert 'data-key="recent.count"' in page and 'data-key="baseline.total"' in page
    assert 'data-key="series"' not in page and "1.20e-05" in page
    assert ALERT_ID.findall(client.get("/alerts?kind=stock").text) == []


def test_evidence_rows_flatten_windows_and_format_numbers() -> None:
    rows = evidence_rows(
        {"sku": "A", "skus": ["A"], "on_hand": 12.0, "days_of_cover": 2.0912, "overstock": False,
         "stockout_date": None, "recent": {"count": 9, "share": 0.45}, "series": [{"x": 1}],
         "levels": [80, 95]}
    )  # fmt: skip
    assert rows == [
        ("sku", "A"), ("on_hand", "12"), ("days_of_cover", "2.09"), ("overstock", "false"),
        ("stockout_date", "—"), ("recent.count", "9"), ("recent.share", "0.45"), ("levels", "80, 95"),
    ]  # fmt: skip
    assert show_value(0.0) == "0" and show_value(0.004) == "4.00e-03" and show_value(3979.93) == "3979.93"
