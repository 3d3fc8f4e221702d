"""The demo job with the fake LLM, on SQLite and PostgreSQL (the ``ctx`` fixture)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from shopops.cli.main import app
from shopops.context import AppContext
from shopops.demo.run import (
    AUTHOR,
    DRAFT_KIND,
    TASK,
    ProductSummary,
    check_numbers,
    job_name_for,
    product_facts,
    run_demo,
    summarize_product,
)
from shopops.jobs import get_job, resume_job
from shopops.store import models
from shopops.store.db import open_database


def _drafts(ctx: AppContext) -> list[models.Draft]:
    with ctx.db.session() as session:
        return list(session.scalars(select(models.Draft).order_by(models.Draft.id)))


def _add_product(ctx: AppContext, handle: str, title: str, language: str = "en") -> None:
    with ctx.db.session() as session:
        product = models.Product(
            handle=handle,
            title=title,
            description="Moso bamboo board, 3 sizes.",
            product_type="Cutting Boards",
            category="Home & Garden > Kitchen & Dining > Cutting Boards",
            tags=["kitchen"],
            option_names=["Size"],
            attributes={"body_html": "<p>x</p>", "material": "Moso bamboo"},
            language=language,
        )
        product.variants = [
            models.ProductVariant(
                variant_key=size, sku=f"X-{size}", option_values=[size], price=Decimal(price)
            )
            for size, price in (("Small", "24.00"), ("Large", "40.00"))
        ]
        session.add(product)


def test_check_numbers_flags_invented_numbers() -> None:
    facts = {"title": "Watering Can, 5 L", "price": "38.00"}
    good = ProductSummary(summary="A 5 L steel can for 38.00.", selling_points=["Gentle brass rose"])
    bad = ProductSummary(summary="A 7 L steel can.", selling_points=["Lasts 10 years"])
    assert check_numbers(good, facts) == {"numbers_grounded": {"ok": True, "unsupported": []}}
    assert check_numbers(bad, facts)["numbers_grounded"] == {"ok": False, "unsupported": ["10", "7"]}


def test_summary_job_writes_checked_drafts_without_the_importers(ctx: AppContext) -> None:
    _add_product(ctx, "bamboo-cutting-board", "Bamboo Cutting Board")
    _add_product(ctx, "yixing-clay-teapot", "宜兴紫砂茶壶", language="zh")
    with ctx.db.session() as session:
        _, facts = product_facts(session, "bamboo-cutting-board")
    assert facts["price"] == "24.00-40.00" and facts["options"] == {"Size": ["Large", "Small"]}
    assert facts["attributes"] == {"material": "Moso bamboo"}  # the raw HTML is not a fact

    result = run_demo(ctx, load=False, limit=8, progress=False)
    assert result.job.status == "done" and result.job.done == 2
    drafts = _drafts(ctx)
    assert len(drafts) == 2
    for draft in drafts:
        assert (draft.kind, draft.subject_type, draft.author, draft.status) == (
            DRAFT_KIND,
            "product",
            AUTHOR,
            "draft",
        )
        assert 10 <= len(draft.content["summary"]) <= 220 and 1 <= len(draft.content["selling_points"]) <= 3
        assert "numbers_grounded" in draft.checks
        with ctx.db.session() as session:
            logged = session.get(models.GenerationLog, draft.generation_id)
            assert logged is not None and logged.task == TASK and logged.ok
    assert [d[0] for d in result.drafts] == ["bamboo-cutting-board", "yixing-clay-teapot"]

    # Resuming by name through the registry (as `shopops jobs resume` does) redoes nothing.
    again = resume_job(ctx, job_name_for(ctx), progress=False)
    assert again.processed == 0 and len(_drafts(ctx)) == 2

    # An item redone after a crash replaces its unreviewed draft instead of adding a second one.
    redone = summarize_product(ctx, "bamboo-cutting-board")
    assert redone["draft_id"] == drafts[0].id and len(_drafts(ctx)) == 2


def test_demo_run_loads_the_store_and_writes_drafts(ctx: AppContext) -> None:
    result = run_demo(ctx, limit=3, progress=False)
    counts = result.counts
    assert counts["products"] == 24 and counts["customers"] == 150
    assert 1300 <= counts["orders"] <= 1700 and counts["reviews"] == 300
    assert (
        counts["sales rows"] > 1000 and counts["inventory rows"] > 40 and counts["knowledge documents"] >= 4
    )
    replies = sum(1 for _, outcome in result.support if outcome.draft_id)
    assert result.reviews is not None and result.reviews.analysis.analyzed == 300
    assert len(result.reviews.replies) == 2 and result.reviews.summary.total_reviews == 300
    replies += len(result.reviews.replies)  # reply drafts to the two newest negative reviews
    forecast = result.reviews.forecast
    assert forecast is not None and len(forecast.series) > 20 and forecast.alert_ids
    assert result.job.status == "done" and counts["drafts"] == 3 + replies and len(result.drafts) == 3
    assert all(summary for _, _, summary in result.drafts)
    # the open demo tickets went through the support pipeline: a draft or a hand-off each
    assert len(result.support) == 2
    assert all(o.draft_id or (o.decision == "escalate" and o.handoff) for _, o in result.support)

    second = run_demo(ctx, limit=4, progress=False)  # idempotent load; one more product, three skipped
    assert {k: v for k, v in second.counts.items() if k not in ("drafts", "generations logged")} == {
        k: v for k, v in counts.items() if k not in ("drafts", "generations logged")
    }
    assert second.support == []  # handled tickets are not drafted again
    assert second.reviews is not None and second.reviews.replies == []  # nor replied reviews
    assert second.reviews.analysis.analyzed == 0  # nor unchanged reviews read again
    assert second.reviews.forecast is not None
    assert set(second.reviews.forecast.alert_ids) == set(forecast.alert_ids)  # refreshed, not raised twice
    assert (second.job.processed, second.job.skipped, second.counts["drafts"]) == (1, 3, 4 + replies)
    assert get_job(ctx.db, second.job.name).status == "done"


def test_demo_cli_with_fake_llm(db_url: str, tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path / "data"), "--database-url", db_url, "--llm-backend", "fake"]
    result = CliRunner().invoke(app, [*args, "demo", "run", "--limit", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "what the store holds" in result.output and "next, try" in result.output
    assert "bamboo-cutting-board" in result.output and "done, 2/2 done" in result.output
    assert "support: the demo tickets" in result.output
    assert "reviews: 300 analysed" in result.output and "reply draft #" in result.output
    db = open_database(db_url)
    try:
        with db.session() as session:
            kinds = (
                select(func.count())
                .select_from(models.Draft)
                .where(models.Draft.kind.not_in(("support.reply", "review.reply")))
            )
            assert session.scalar(kinds) == 2
            replies = (
                select(func.count()).select_from(models.Draft).where(models.Draft.kind == "review.reply")
            )
            assert session.scalar(replies) == 2
    finally:
        db.dispose()


def test_demo_generate_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--llm-backend", "fake", "demo", "generate", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "products.csv").is_file() and (
        tmp_path / "out" / "knowledge" / "faq.json"
    ).is_file()
