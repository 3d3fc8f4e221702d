"""SWOT strategy drafts and competitor prices (SQLite and PostgreSQL): claims rest on computed
numbers, the model's wording is checked claim by claim (an invented number or a wrong direction is
dropped for the code's wording), the draft waits in the review queue; competitor files import all
or nothing, and price gaps equal an independent computation. CLI and API adapters included."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from test_reports_trends import build_store
from typer.testing import CliRunner

from shopops.api.app import create_app
from shopops.api.routes_strategy import router
from shopops.auth.roles import Permission, permission_for_kind
from shopops.cli import strategy_cmd
from shopops.context import AppContext
from shopops.errors import ImportValidationError, InputError
from shopops.reports.competitors import (
    CompetitorPricesError,
    compare_prices,
    import_competitor_prices,
    list_imports,
    load_import,
)
from shopops.reports.strategy import (
    STRATEGY_KIND,
    Claim,
    draft_strategy,
    regenerate_strategy,
    strategy_claims,
)
from shopops.reports.trends import market_trends
from shopops.workflow.drafts import audit_trail, get_draft, list_drafts

GOOD = """sku,handle,competitor,price,currency,observed_at
K1,,Acme,12.00,USD,2024-06-20
K2,,Acme,25.00,USD,2024-06-20
,vase,Bolt,50.00,USD,2024-06-21
G1,,Bolt,70.00,USD,2024-06-22
G1,,Bolt,72.00,USD,2024-06-25
D1,,Euro Shop,40.00,EUR,2024-06-22
"""
BAD = """sku,competitor,price,observed_at
K1,Acme,12.00,2024-06-20
NOPE,Acme,abc,2024-06-20
K2,,5,2099-01-01
"""
Headers = Callable[[str], dict[str, str]]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def numbers_match_facts(claim: dict[str, Any]) -> bool:
    """Every number in the claim's text is one of its facts (as written, or rounded), read here
    independently of the checker; and there is at least one."""
    text = claim["text"]
    values = []
    for fact in claim["facts"]:
        if isinstance(fact["value"], str):
            text = text.replace(fact["value"], " ")
        else:
            values.append(abs(float(fact["value"])))
    found = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]
    return bool(found) and all(any(abs(n - v) <= 0.05 or n == round(v) for v in values) for n in found)


def index_of(claims: list[Claim], key: str) -> int:
    return next(i for i, c in enumerate(claims, start=1) if c.key == key)


def test_claims_rest_on_the_trends(ctx: AppContext) -> None:
    build_store(ctx)
    trends = market_trends(ctx.db)
    claims = strategy_claims(trends)
    assert {c.section for c in claims} == {"strength", "weakness", "opportunity", "threat"}
    top = max(trends.categories, key=lambda c: c.share_pct)
    share = next(c for c in claims if c.key.startswith("share:"))
    assert share.facts["category"] == top.category and share.facts["share_pct"] == top.share_pct
    garden = next(c for c in trends.categories if c.category == "Garden > Tools")
    decline = next(c for c in claims if c.key == "growth:Garden > Tools")
    assert (decline.section, decline.direction, decline.facts["growth_pct"]) == (
        "weakness",
        "down",
        garden.growth_pct,
    )
    assert f"fell {abs(garden.growth_pct or 0):g}%" in decline.render()
    for claim in claims:
        rendered = claim.as_dict(claim.render(), "code")
        assert numbers_match_facts(rendered), rendered
    assert sum(c.section == "strength" for c in claims) <= 3


def test_the_draft_waits_in_the_queue_and_invented_wording_is_dropped(ctx: AppContext) -> None:
    build_store(ctx)
    claims = strategy_claims(market_trends(ctx.db))
    share, decline = index_of(claims, "share:Home > Kitchen"), index_of(claims, "growth:Garden > Tools")
    gain = index_of(claims, "share_shift:Home > Kitchen")
    gain_facts = claims[gain - 1].facts
    points, share_pct = gain_facts["share_change_pts"], gain_facts["share_pct"]
    kept = f"Kitchen's share rose by {points} points to {share_pct}% of all sales."
    ctx.llm.backend.add_script(  # type: ignore[attr-defined]
        json.dumps(
            {
                "summary": "Sales will double by 2027.",
                "claims": [
                    {"id": share, "text": "Home > Kitchen brings 99% of sales."},
                    {"id": decline, "text": "Garden > Tools sales grew 48.6% on the previous 90 days."},
                    {"id": gain, "text": kept},
                    {"id": 12, "text": "An extra claim about 50% growth."},
                ],
            }
        )
    )
    result = draft_strategy(ctx, actor="manager@test.example")
    draft = get_draft(ctx.db, result.draft_id)
    assert (draft.kind, draft.status, draft.author, draft.subject_type) == (
        STRATEGY_KIND,
        "draft",
        "ai:report.strategy",
        "report",
    )
    assert [d.id for d in list_drafts(ctx.db, kind="report.", status="draft").items] == [draft.id]
    assert [row.action for row in audit_trail(ctx.db, draft.id)] == ["draft.create"]
    stored = draft.content["claims"]
    assert len(stored) == len(claims) and all(numbers_match_facts(c) for c in stored)
    assert stored[share - 1]["source"] == "code" and "99" not in stored[share - 1]["text"]
    assert stored[decline - 1]["source"] == "code" and "fell" in stored[decline - 1]["text"]
    assert stored[gain - 1] == {**stored[gain - 1], "source": "model", "text": kept}
    rules = {f["rule"] for f in draft.checks["flags"]}
    assert {
        "strategy.unsupported_percent",
        "strategy.wrong_direction",
        "strategy.claim_not_computed",
    } <= rules
    assert "strategy.unsupported_number" in rules  # 2027 in the summary
    assert "2027" not in draft.content["text"] and draft.content["summary"].startswith("Strengths: ")
    assert "An extra claim about 50% growth." in draft.checks["removed"]
    assert draft.content["trends"]["as_of"] == "2026-06-30" and draft.content["competitors"] is None
    assert permission_for_kind(STRATEGY_KIND) == Permission.DRAFTS_APPROVE


def test_an_empty_store_has_no_strategy(ctx: AppContext) -> None:
    with pytest.raises(InputError, match="no sales"):
        draft_strategy(ctx, actor="manager@test.example")


def test_competitor_prices_import_and_compare(ctx: AppContext, tmp_path: Path) -> None:
    build_store(ctx)
    imported = import_competitor_prices(ctx, write(tmp_path, "prices.csv", GOOD), actor="ops@test.example")
    assert (
        imported.created and len(imported.rows) == 6 and imported.competitors == ["Acme", "Bolt", "Euro Shop"]
    )
    assert list_imports(ctx) == [imported.id] and load_import(ctx) == imported.model_copy(
        update={"created": True}
    )
    again = import_competitor_prices(ctx, write(tmp_path, "again.csv", GOOD), actor="ops@test.example")
    assert (again.id, again.created, list_imports(ctx)) == (imported.id, False, [imported.id])
    comparison = compare_prices(ctx.db, imported)
    # ours vs theirs: K1 10 vs 12; K2 30 vs 25; vase (lowest variant) 50 vs 50; G1 80 vs 72 (newest)
    expected = {
        "K1": (10.0, 12.0, "cheaper"),
        "K2": (30.0, 25.0, "dearer"),
        "": (50.0, 50.0, "same"),
        "G1": (80.0, 72.0, "dearer"),
    }
    assert {g.sku: (g.our_price, g.their_price, g.position) for g in comparison.gaps} == expected
    for gap in comparison.gaps:
        assert gap.diff_pct == round((gap.our_price - gap.their_price) / gap.their_price * 100, 1)
    assert (comparison.compared, comparison.cheaper, comparison.dearer, comparison.same) == (4, 1, 2, 1)
    assert comparison.skipped_currency == 1 and comparison.store_currency == "USD"
    assert comparison.median_dearer_pct == round((20.0 + 800 / 72) / 2, 1)
    assert comparison.median_cheaper_pct == round(200 / 12, 1)
    assert compare_prices(ctx.db, imported, category="Garden").compared == 1
    claims = {c.key: c for c in strategy_claims(market_trends(ctx.db), comparison)}
    assert claims["price:dearer"].facts["dearer"] == 2 and claims["price:cheaper"].facts["cheaper"] == 1


def test_a_bad_competitor_file_names_file_row_and_field_and_stores_nothing(
    ctx: AppContext, tmp_path: Path
) -> None:
    build_store(ctx)
    with pytest.raises(CompetitorPricesError) as caught:
        import_competitor_prices(ctx, write(tmp_path, "prices_bad.csv", BAD), actor="ops@test.example")
    message = str(caught.value)
    assert "prices_bad.csv" in message and "nothing was imported" in message
    for where in (
        "row 3, field 'sku'",
        "row 3, field 'price'",
        "row 4, field 'competitor'",
        "row 4, field 'observed_at'",
    ):
        assert where in message
    assert "row 2" not in message and "--skip-invalid" not in message
    assert list_imports(ctx) == [] and load_import(ctx) is None
    with pytest.raises(InputError, match="no column for 'sku' or 'handle'"):
        import_competitor_prices(
            ctx, write(tmp_path, "x.csv", "competitor,price,observed_at\nA,1,2024-01-01\n"), actor="a"
        )


def test_a_draft_with_competitor_prices_states_the_gap(ctx: AppContext, tmp_path: Path) -> None:
    build_store(ctx)
    result = draft_strategy(
        ctx, actor="manager@test.example", competitors_file=write(tmp_path, "p.csv", GOOD)
    )
    threat = next(c for c in result.claims if c["key"] == "price:dearer")
    assert threat["section"] == "threat" and numbers_match_facts(threat)
    assert {f["name"]: f["value"] for f in threat["facts"]}["median_dearer_pct"] == round(
        (20.0 + 800 / 72) / 2, 1
    )
    assert get_draft(ctx.db, result.draft_id).content["competitors"]["dearer"] == 2
    without = draft_strategy(ctx, actor="manager@test.example", use_stored_competitors=False)
    assert not any(c["key"].startswith("price:") for c in without.claims)
    (again,) = regenerate_strategy(ctx, get_draft(ctx.db, result.draft_id), "shorter, please")
    redrafted = get_draft(ctx.db, again)
    assert redrafted.kind == STRATEGY_KIND and redrafted.status == "draft" and again != result.draft_id
    assert redrafted.content["competitors"]["dearer"] == 2  # the same scope, with the stored prices


def cli(ctx: AppContext) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(typer_ctx: typer.Context) -> None:
        typer_ctx.obj = ctx

    root.add_typer(strategy_cmd.app, name="strategy")
    root.command("briefing")(strategy_cmd.briefing)
    return root


def test_cli(ctx: AppContext, tmp_path: Path) -> None:
    build_store(ctx)
    runner = CliRunner()
    bad = runner.invoke(cli(ctx), ["strategy", "competitors", "import", str(write(tmp_path, "bad.csv", BAD))])
    assert isinstance(bad.exception, ImportValidationError) and "row 3" in str(bad.exception)
    good = runner.invoke(
        cli(ctx), ["strategy", "competitors", "import", str(write(tmp_path, "good.csv", GOOD)), "--json"]
    )
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["comparison"]["dearer"] == 2
    shown = runner.invoke(cli(ctx), ["strategy", "competitors", "compare"])
    assert shown.exit_code == 0 and "4 product(s)" in shown.output
    drafted = runner.invoke(cli(ctx), ["strategy", "draft", "--category", "Home", "--json"])
    assert drafted.exit_code == 0, drafted.output
    body = json.loads(drafted.output)
    assert get_draft(ctx.db, body["draft_id"]).content["scope"]["category"] == "Home"
    trends = runner.invoke(cli(ctx), ["strategy", "trends"])
    assert trends.exit_code == 0 and "Garden > Tools" in trends.output and "price band" in trends.output


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    app = create_app(context=ctx)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_api(ctx: AppContext, client: TestClient, auth_headers: Headers) -> None:
    build_store(ctx)
    upload = {"file": ("prices.csv", GOOD.encode(), "text/csv")}
    assert (
        client.post("/api/strategy/competitors", files=upload, headers=auth_headers("analyst")).status_code
        == 403
    )
    bad = client.post(
        "/api/strategy/competitors",
        files={"file": ("prices_bad.csv", BAD.encode(), "text/csv")},
        headers=auth_headers("manager"),
    )
    assert bad.status_code == 422 and bad.json()["type"] == "CompetitorPricesError"
    assert "prices_bad.csv: row 3, field 'price'" in bad.json()["error"] and list_imports(ctx) == []
    no_price = client.post(
        "/api/strategy/competitors",
        files={"file": ("nocol.csv", b"sku,competitor\nK1,Acme\n", "text/csv")},
        headers=auth_headers("manager"),
    )
    assert no_price.status_code == 422 and "nocol.csv" in no_price.json()["error"]
    assert "shopops-competitors-" not in no_price.json()["error"]
    wrong_type = client.post(
        "/api/strategy/competitors",
        files={"file": ("p.xlsx", b"x", "application/zip")},
        headers=auth_headers("manager"),
    )
    assert wrong_type.status_code == 422
    good = client.post("/api/strategy/competitors", files=upload, headers=auth_headers("manager"))
    assert good.status_code == 200, good.text
    assert (good.json()["rows"], good.json()["comparison"]["compared"]) == (6, 4)
    assert client.post("/api/strategy/drafts", json={}, headers=auth_headers("analyst")).status_code == 403
    assert (
        client.post(
            "/api/strategy/drafts", json={"window_days": 3}, headers=auth_headers("manager")
        ).status_code
        == 422
    )
    made = client.post("/api/strategy/drafts", json={"category": "Garden"}, headers=auth_headers("manager"))
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["draft_id"] >= 1 and body["claims"] and all(numbers_match_facts(c) for c in body["claims"])
    assert any(c["key"] == "price:dearer" for c in body["claims"])  # the stored import, within Garden
    drafted = client.get(f"/api/drafts/{body['draft_id']}", headers=auth_headers("analyst"))
    assert drafted.status_code == 200 and drafted.json()["kind"] == STRATEGY_KIND
    trends = client.get("/api/strategy/trends?window_days=30", headers=auth_headers("analyst"))
    assert trends.status_code == 200 and trends.json()["window_days"] == 30
