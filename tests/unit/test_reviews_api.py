"""Review intelligence over HTTP and the CLI: the routes answer what the capability functions compute,
roles are enforced, a bad taxonomy is a 422 naming the aspect, and the CLI prints the same counts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from test_reviews_service import add_product, add_reviews, weekly_reviews
from typer.testing import CliRunner

from shopops.api.app import create_app
from shopops.cli.main import app as cli_app
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import NotFoundError

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def client(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    app = create_app(settings.model_copy(update={"api_rate_limit": 0}))
    with TestClient(app) as test_client:
        yield test_client, app.state.ctx


@pytest.fixture
def headers(client: tuple[TestClient, AppContext]) -> Headers:
    from shopops.auth.accounts import create_user
    from shopops.auth.sessions import issue_api_key

    ctx = client[1]
    made: dict[str, dict[str, str]] = {}

    def make(role: str) -> dict[str, str]:
        if role not in made:
            user = create_user(ctx.db, f"{role}@api.example", None, role=role, name=role)
            made[role] = {"Authorization": f"Bearer {issue_api_key(ctx.db, user.id, actor='test')}"}
        return made[role]

    return make


def test_analyse_summarise_trend_alert_over_http(
    client: tuple[TestClient, AppContext], headers: Headers
) -> None:
    http, ctx = client
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=15))
    assert http.post("/api/reviews/analyze", json={}, headers=headers("analyst")).status_code == 403
    analysed = http.post("/api/reviews/analyze", json={"product_id": product_id}, headers=headers("operator"))
    assert analysed.status_code == 200 and analysed.json()["analyzed"] == 600
    summary = http.get(
        f"/api/reviews/summary?product_id={product_id}&lang=zh", headers=headers("analyst")
    ).json()
    assert summary["summary"]["total_reviews"] == 600 and summary["narrative"] is None
    assert all("条" in s["text"] for s in summary["summary"]["statements"])
    trends = http.get(
        f"/api/reviews/trends?product_id={product_id}&weeks=10", headers=headers("analyst")
    ).json()
    assert [w["reviews"] for w in trends["weeks"]] == [60] * 10
    raised = http.post("/api/reviews/alerts", headers=headers("manager")).json()["items"]
    assert raised and all(a["kind"] == "review.aspect_rise" for a in raised)
    listed = http.get("/api/alerts?kind=review.", headers=headers("analyst")).json()["items"]
    assert {a["id"] for a in listed} == {a["id"] for a in raised}
    first = raised[0]["id"]
    assert (
        http.post(
            f"/api/alerts/{first}/status", json={"status": "acknowledged"}, headers=headers("analyst")
        ).status_code
        == 403
    )
    acked = http.post(
        f"/api/alerts/{first}/status", json={"status": "acknowledged"}, headers=headers("agent")
    )
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert http.get("/api/alerts/999999", headers=headers("analyst")).status_code == 404


def test_replies_and_profiles_over_http(client: tuple[TestClient, AppContext], headers: Headers) -> None:
    http, ctx = client
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=2)[:3])
    http.post("/api/reviews/analyze", json={}, headers=headers("manager"))
    assert (
        http.post("/api/reviews/replies", json={"limit": 5}, headers=headers("operator")).status_code == 403
    )
    replies = http.post("/api/reviews/replies", json={"limit": 5}, headers=headers("agent")).json()["items"]
    assert len(replies) == 2 and all(r["draft_id"] for r in replies)  # the two leak reviews, rated 1
    profiles = http.get("/api/reviews/profiles", headers=headers("analyst"))
    assert profiles.status_code == 200 and profiles.json() == {"items": []}  # no orders: nothing to segment


def test_taxonomy_is_a_managers_setting(client: tuple[TestClient, AppContext], headers: Headers) -> None:
    http, _ = client
    body = {"category": "Bottles", "aspects": {"leakage": ["leak", "漏水"], "lid": ["lid", "cap"]}}
    assert http.put("/api/reviews/taxonomy", json=body, headers=headers("agent")).status_code == 403
    saved = http.put("/api/reviews/taxonomy", json=body, headers=headers("manager"))
    assert saved.status_code == 200 and saved.json()["aspects"]["lid"] == ["lid", "cap"]
    got = http.get("/api/reviews/taxonomy?category=Bottles", headers=headers("analyst")).json()
    assert got["aspects"] == saved.json()["aspects"]
    bad = {"category": "Bottles", "aspects": {"leakage": ["leak"], "lid": ["leak"]}}
    refused = http.put("/api/reviews/taxonomy", json=bad, headers=headers("manager"))
    assert refused.status_code == 422 and "leak" in refused.json()["error"]


def test_cli_analyze_and_summary(settings: Settings, ctx: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    product_id = add_product(ctx)
    add_reviews(ctx, product_id, weekly_reviews(leaky_last_week=2)[:60])
    args = [
        "--data-dir",
        str(tmp_path / "data"),
        "--database-url",
        settings.effective_database_url,
        "--llm-backend",
        "fake",
    ]
    runner = CliRunner()
    analysed = runner.invoke(cli_app, [*args, "reviews", "analyze", "--json"])
    assert analysed.exit_code == 0, analysed.output
    assert json.loads(analysed.output)["analyzed"] == 60
    shown = runner.invoke(cli_app, [*args, "reviews", "summary", str(product_id), "--json"])
    assert shown.exit_code == 0, shown.output
    negative = json.loads(shown.output)["sentiment"]["negative"]
    assert (negative["count"], negative["denominator"]) == (2, 60)
    missing = runner.invoke(cli_app, [*args, "reviews", "summary", "999"])
    assert isinstance(missing.exception, NotFoundError) and "product 999" in str(missing.exception)
