"""The forecast routes through FastAPI's TestClient: run (drafts.edit), the last run and a SKU's SVG
chart (read), and a plan for an alert (drafts.edit, admission-controlled). The router is mounted
here on the app factory's app; the lead registers it in ``shopops/api/app.py``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from test_forecast_service import add_steady_sku

from shopops.api.app import create_app
from shopops.api.routes_forecast import router
from shopops.context import AppContext
from shopops.workflow.alerts import list_alerts

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    app = create_app(context=ctx)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_run_read_chart_and_plan(ctx: AppContext, client: TestClient, auth_headers: Headers) -> None:
    assert client.get("/api/forecasts", headers=auth_headers("analyst")).status_code == 404  # no run yet
    add_steady_sku(ctx)
    assert client.post("/api/forecasts/run", json={}, headers=auth_headers("analyst")).status_code == 403
    ran = client.post("/api/forecasts/run", json={"horizon": 14}, headers=auth_headers("manager"))
    assert ran.status_code == 200, ran.text
    assert ran.json()["horizon"] == 14 and ran.json()["alert_ids"]
    latest = client.get("/api/forecasts", headers=auth_headers("analyst")).json()
    (series,) = latest["series"]
    assert series["sku"] == "STEADY" and len(series["mean"]) == 14 and series["plan"]["order_quantity"] > 0
    chart = client.get("/api/forecasts/STEADY/chart.svg", headers=auth_headers("analyst"))
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg") and "forecast (" in chart.text
    assert client.get("/api/forecasts/NOPE/chart.svg", headers=auth_headers("analyst")).status_code == 404
    (risk,) = [a for a in list_alerts(ctx.db) if a.kind == "stock.out_risk"]
    assert client.post(f"/api/alerts/{risk.id}/plan", headers=auth_headers("analyst")).status_code == 403
    ctx.llm.backend.add_script(  # type: ignore[attr-defined]
        json.dumps(
            {"summary": "Order 999 units now.", "steps": [{"action": "reorder", "text": "Order 7 units."}]}
        )
    )
    plan = client.post(f"/api/alerts/{risk.id}/plan", headers=auth_headers("manager"))
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["alert_id"] == risk.id and body["draft_id"] >= 1
    assert "999" not in body["text"] and f"Order {int(body['facts']['order_quantity'])} units" in body["text"]
    assert {f["rule"] for f in body["flags"]} == {"plan.unsupported_number"}
    draft = client.get(f"/api/drafts/{body['draft_id']}", headers=auth_headers("analyst"))
    assert draft.status_code == 200 and draft.json()["kind"] == "plan.response"
    assert client.post("/api/alerts/999999/plan", headers=auth_headers("manager")).status_code == 404


def test_every_route_declares_one_permission() -> None:
    from shopops.api.security import Requires

    for route in router.routes:
        deps = [d.call for d in route.dependant.dependencies]  # type: ignore[attr-defined]
        assert sum(isinstance(d, Requires) for d in deps) == 1, route.path  # type: ignore[attr-defined]
