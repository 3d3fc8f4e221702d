"""The daily briefing per role (SQLite and PostgreSQL): every item's count equals what the test put
in the store (alerts, stock, orders, drafts, tickets, assignments, reviews, sales), with links to
the pages that list them; the CLI and the API answer the same."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopops.api.app import create_app
from shopops.api.routes_strategy import router
from shopops.cli import strategy_cmd
from shopops.context import AppContext
from shopops.errors import InputError
from shopops.reports.briefing import Briefing, all_briefings, briefing_markdown, daily_briefing
from shopops.store import models
from shopops.store.models import utcnow

NOW = dt.datetime(2026, 11, 2, 9, 0)
Headers = Callable[[str], dict[str, str]]
# what build_store puts in, per role and item key
EXPECTED = {
    "operations": {
        "stock_alerts": 2,  # two open stock alerts; a resolved one does not count
        "sales_alerts": 1,
        "stock_outs": 2,  # A at 0 + 0, C at 5 - 5; B has 3
        "orders_unfulfilled": 3,
        "orders_overdue": 2,  # open and placed 3 days ago; the one placed today is not late
        "plans_waiting": 2,  # an approved plan is not waiting
    },
    "service": {
        "tickets_open": 3,
        "escalations_waiting": 2,
        "tickets_past_due": 1,  # one assignment due yesterday; another due tomorrow, a third done
        "review_replies_waiting": 1,
        "negative_reviews_yesterday": 2,  # analysed negative + unanalysed 1 star
    },
    "merchandising": {
        "copy_waiting": 3,
        "top_movers": 2,  # M1 10 -> 20, M3 8 -> 0; M2 10 -> 6 moved too little, M4 is too small
        "aspect_rises": 1,
    },
}


def build_store(ctx: AppContext, now: dt.datetime) -> dict[str, int]:
    today = now.date()
    ids: dict[str, int] = {}
    with ctx.db.session() as session:
        product = models.Product(handle="mover", title="Mover Mug", category="Kitchen")
        product.variants.append(models.ProductVariant(variant_key="M1", sku="M1", price=Decimal("9.00")))
        session.add(product)
        alerts = [
            ("stock.out_risk", "open", "high"),
            ("stock.overstock", "open", "low"),
            ("stock.out_risk", "resolved", "high"),
            ("sales.decline", "open", "medium"),
            ("review.aspect_rise", "open", "medium"),
            ("review.aspect_rise", "acknowledged", "medium"),
        ]
        for n, (kind, status, severity) in enumerate(alerts):
            session.add(
                models.Alert(
                    kind=kind, severity=severity, subject_type="sku", subject_id=f"S{n}", title=f"{kind} {n}",
                    status=status, dedupe_key=f"k{n}",
                )
            )  # fmt: skip
        for sku, location, on_hand in [
            ("A", "", 0),
            ("A", "b", 0),
            ("B", "", 3),
            ("C", "", 5),
            ("C", "b", -5),
        ]:
            session.add(models.InventoryLevel(sku=sku, location=location, on_hand=on_hand))
        orders = [("open", 3), ("open", 3), ("open", 0), ("fulfilled", 5), ("cancelled", 5)]
        for n, (status, days_ago) in enumerate(orders):
            session.add(
                models.Order(
                    order_number=f"O-{n}", status=status, total=Decimal("10.00"),
                    placed_at=now - dt.timedelta(days=days_ago, hours=1),
                )
            )  # fmt: skip
        drafts = [
            ("plan.response", "draft", []),
            ("plan.response", "draft", []),
            ("plan.response", "approved", []),
        ]
        drafts += [("copy.description", "draft", []), ("copy.title", "draft", [{"blocking": True}])]
        drafts += [("copy.description", "draft", [{"blocking": False}]), ("copy.description", "rejected", [])]
        drafts += [("review.reply", "draft", []), ("support.reply", "draft", [])]
        for n, (kind, status, flags) in enumerate(drafts):
            session.add(
                models.Draft(
                    kind=kind, subject_type="product", subject_id=str(n), status=status, author="ai:test",
                    checks={"flags": flags},
                )
            )  # fmt: skip
        tickets = ["open", "open", "open", "escalated", "escalated", "closed", "answered"]
        for n, status in enumerate(tickets):
            ticket = models.Ticket(
                subject=f"ticket {n}", status=status, created_at=now - dt.timedelta(hours=n)
            )
            session.add(ticket)
            session.flush()
            ids[f"ticket{n}"] = ticket.id
        for n, (due, status) in enumerate([(-1, "open"), (1, "open"), (-2, "done")]):
            session.add(
                models.Assignment(
                    entity_type="ticket", entity_id=str(ids[f"ticket{n}"]), status=status,
                    due_at=now + dt.timedelta(days=due),
                )
            )  # fmt: skip
        yesterday = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(15))
        reviews = [  # rating, when, analysed sentiment
            (2, yesterday, "negative"),
            (1, yesterday, None),
            (1, yesterday, "positive"),  # the analysis wins over the stars
            (5, yesterday, None),
            (1, yesterday - dt.timedelta(days=1), "negative"),  # two days ago
            (1, dt.datetime.combine(today, dt.time(1)), None),  # today
        ]
        session.flush()
        for n, (rating, when, sentiment) in enumerate(reviews):
            review = models.Review(
                external_id=f"R{n}",
                product_id=product.id,
                rating=rating,
                body=f"review {n}",
                reviewed_at=when,
            )
            session.add(review)
            session.flush()
            if sentiment:
                session.add(
                    models.ReviewAnalysis(
                        review_id=review.id, text_hash="x", sentiment=sentiment, p_positive=0.5
                    )
                )
        weeks = {"M1": (10, 20), "M2": (10, 6), "M3": (8, 0), "M4": (0, 3)}  # (the week before, last week)
        for sku, (before, last) in weeks.items():
            for back, units in ((10, before), (3, last)):
                if units:
                    day = today - dt.timedelta(days=back)
                    session.add(models.SalesRecord(sku=sku, location="", date=day, units=units))
        session.add(
            models.SalesRecord(sku="M1", location="", date=today, units=50)
        )  # today is not counted yet
        ids["product"] = product.id
    return ids


def counts(briefing: Briefing) -> dict[str, int]:
    return {item.key: item.count for item in briefing.items}


def test_counts_per_role_equal_what_was_put_in(ctx: AppContext) -> None:
    ids = build_store(ctx, NOW)
    found = {b.role: b for b in all_briefings(ctx.db, now=NOW)}
    assert {role: counts(b) for role, b in found.items()} == EXPECTED
    assert all(b.date == NOW.date() for b in found.values())
    ops = {i.key: i for i in found["operations"].items}
    assert ops["stock_alerts"].link == "/alerts?kind=stock" and ops["stock_alerts"].examples[
        0
    ].label.startswith("high")
    assert [e.label.split(":")[0] for e in ops["stock_outs"].examples] == ["A", "C"]
    assert ops["orders_overdue"].examples[0].link is None and ops["plans_waiting"].link == "/queue?kind=plan."
    service = {i.key: i for i in found["service"].items}
    assert [e.link for e in service["escalations_waiting"].examples] == [
        f"/support/{ids['ticket4']}",
        f"/support/{ids['ticket3']}",
    ]  # oldest first
    assert service["tickets_past_due"].examples[0].link == f"/support/{ids['ticket0']}"
    assert {e.link for e in service["negative_reviews_yesterday"].examples} == {
        f"/reviews?product={ids['product']}"
    }
    merch = {i.key: i for i in found["merchandising"].items}
    assert merch["copy_waiting"].detail == "1 blocked by their checks"
    movers = merch["top_movers"].examples
    assert movers[0].label.startswith("Mover Mug (M1): 10 → 20 units (+100%)")
    assert movers[0].link == f"/catalog/{ids['product']}" and movers[1].label.startswith("M3: 8 → 0")
    assert found["operations"].waiting == sum(1 for n in EXPECTED["operations"].values() if n)
    text = briefing_markdown(found["service"])
    assert text.startswith("# Service briefing, 2026-11-02") and "**Escalations waiting**: 2" in text


def test_an_empty_store_is_a_quiet_briefing_and_a_bad_role_is_refused(ctx: AppContext) -> None:
    briefing = daily_briefing(ctx.db, "Operations", now=NOW)
    assert briefing.role == "operations" and briefing.waiting == 0
    assert all(item.count == 0 and not item.examples for item in briefing.items)
    with pytest.raises(InputError, match="operations, service, merchandising"):
        daily_briefing(ctx.db, "finance", now=NOW)


def cli(ctx: AppContext) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(typer_ctx: typer.Context) -> None:
        typer_ctx.obj = ctx

    root.command("briefing")(strategy_cmd.briefing)
    return root


def test_cli(ctx: AppContext) -> None:
    build_store(ctx, utcnow())
    runner = CliRunner()
    result = runner.invoke(cli(ctx), ["briefing", "--role", "service", "--json"])
    assert result.exit_code == 0, result.output
    (service,) = json.loads(result.output)
    assert {i["key"]: i["count"] for i in service["items"]} == EXPECTED["service"]
    every = runner.invoke(cli(ctx), ["briefing"])
    assert every.exit_code == 0 and "Operations" in every.output and "Merchandising" in every.output
    markdown = runner.invoke(cli(ctx), ["briefing", "--role", "merchandising", "--markdown"])
    assert markdown.exit_code == 0 and "**Copy drafts waiting**: 3" in markdown.output
    bad = runner.invoke(cli(ctx), ["briefing", "--role", "finance"])
    assert isinstance(bad.exception, InputError)


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    app = create_app(context=ctx)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_api(ctx: AppContext, client: TestClient, auth_headers: Headers) -> None:
    build_store(ctx, utcnow())
    assert client.get("/api/briefing").status_code == 401
    one = client.get("/api/briefing?role=operations", headers=auth_headers("analyst"))
    assert one.status_code == 200, one.text
    (operations,) = one.json()["briefings"]
    assert {i["key"]: i["count"] for i in operations["items"]} == EXPECTED["operations"]
    every = client.get("/api/briefing", headers=auth_headers("agent")).json()["briefings"]
    assert [b["role"] for b in every] == ["operations", "service", "merchandising"]
    assert {b["role"]: {i["key"]: i["count"] for i in b["items"]} for b in every} == EXPECTED
    bad = client.get("/api/briefing?role=finance", headers=auth_headers("analyst"))
    assert bad.status_code == 422 and bad.json()["type"] == "InputError"
