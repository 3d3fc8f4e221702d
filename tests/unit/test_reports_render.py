"""Rendering and delivering reports: the HTML holds the charts (inline SVG), every KPI, the period
and the data freshness; the Markdown holds the KPI table; the PDF (matplotlib only) starts with
%PDF and has pages; the CLI's scheduled form writes every format under dated names and fails
clearly; the API serves each format to a reader; the model's summary is logged."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import insert
from typer.testing import CliRunner

from shopops.api import routes_reports
from shopops.api.app import create_app
from shopops.cli import report_cmd
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import InputError
from shopops.reports.facts import KPI_LABELS, compute_facts, fmt_value
from shopops.reports.narrative import write_narrative
from shopops.reports.render_html import render_html
from shopops.reports.render_md import render_markdown
from shopops.reports.service import build_report, render, scheduled_paths
from shopops.store import models
from shopops.workflow.alerts import AlertCandidate, raise_alerts

START = dt.date(2026, 9, 28)  # a Monday; five weeks of orders follow


def fill_store(ctx: AppContext) -> None:
    """Five weeks of orders over three SKUs (one with a Chinese title), stock, reviews and an alert."""
    with ctx.db.session() as session:
        skus = {
            "TEA-1": ("宜兴紫砂茶壶 200毫升", "88.00"),
            "CUP-4": ("Celadon Cups, Set of 4", "48.00"),
            "MAT-2": ("Linen Placemats", "19.50"),
        }
        products = {}
        for sku, (title, price) in skus.items():
            product = models.Product(handle=sku.lower(), title=title)
            product.variants.append(
                models.ProductVariant(variant_key="default", sku=sku, price=Decimal(price))
            )
            products[sku] = product
            session.add(product)
        customers = [models.Customer(external_id=f"C{i}") for i in range(12)]
        session.add_all(customers)
        session.flush()
        n = 0
        for day in range(35):
            for k in range(1 + day % 3):
                n += 1
                sku = list(skus)[(day + k) % 3]
                qty = 1 + (day * k) % 3
                price = Decimal(skus[sku][1])
                order = models.Order(
                    order_number=f"N{n}",
                    customer_id=customers[(day + k) % 12].id,
                    financial_status="refunded" if n % 11 == 0 else "paid",
                    total=price * qty,
                    placed_at=dt.datetime.combine(START + dt.timedelta(days=day), dt.time(9 + k)),
                )
                order.lines = [
                    models.OrderLine(
                        sku=sku,
                        product_id=products[sku].id,
                        quantity=qty,
                        unit_price=price,
                        returned_quantity=1 if n % 7 == 0 else 0,
                    )
                ]
                session.add(order)
        session.add_all(
            [
                models.InventoryLevel(sku="TEA-1", on_hand=2, lead_time_days=20),
                models.InventoryLevel(sku="CUP-4", on_hand=400, lead_time_days=10),
            ]
        )
        for i in range(2):
            review = models.Review(
                external_id=f"R{i}",
                product_id=products["TEA-1"].id,
                rating=2,
                body="lid chipped",
                reviewed_at=dt.datetime(2026, 10, 27 + i, 8),
            )
            session.add(review)
            session.flush()
            aspect = {"aspect": "quality", "term": "chipped", "polarity": "negative"}
            session.add(
                models.ReviewAnalysis(
                    review_id=review.id, text_hash="h", sentiment="negative", p_positive=0.1, aspects=[aspect]
                )
            )
    raise_alerts(
        ctx.db,
        [
            AlertCandidate(
                kind="stock.out_risk",
                severity="high",
                subject_type="sku",
                subject_id="TEA-1",
                title="TEA-1 runs out in 5 days",
                dedupe_key="tea",
            )
        ],
        actor="test",
    )


@pytest.fixture
def store(tmp_path: Path) -> AppContext:
    """A filled SQLite store (rendering does not depend on the database)."""
    ctx = AppContext(Settings(data_dir=tmp_path / "data", llm_backend="fake", embed_backend="hash"))
    fill_store(ctx)
    return ctx


def cli(ctx: AppContext) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(typer_ctx: typer.Context) -> None:
        typer_ctx.obj = ctx

    root.add_typer(report_cmd.app, name="report")
    return root


def test_html_holds_the_charts_every_kpi_the_period_and_the_data_freshness(store: AppContext) -> None:
    facts = compute_facts(store, "weekly")
    assert (facts.period.start, facts.period.end) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    narrative = write_narrative(None, facts, "en")
    html = render_html(facts, narrative)
    assert html.startswith("<!doctype html>") and len(re.findall(r"<svg\b", html)) >= 6
    assert {"daily", "trend", "kpis", "movers", "stock", "aspects"} <= set(
        re.findall(r'data-chart="(\w+)"', html)
    )
    for kpi in facts.kpis:
        assert KPI_LABELS["en"][kpi.name] in html
        assert fmt_value(kpi.value, kpi.unit, facts.currency) in html
    for sentence in narrative.sentences:
        assert sentence.replace("&", "&amp;") in html or sentence in html
    assert "2026-10-26 – 2026-11-01" in html and "last order: 2026-11-01" in html
    assert "宜兴紫砂茶壶 200毫升" in html and "TEA-1 runs out in 5 days" in html


def test_markdown_has_the_kpi_table_and_chinese_reports_read_in_chinese(store: AppContext) -> None:
    facts = compute_facts(store, "weekly")
    markdown = render_markdown(facts, write_narrative(None, facts, "en"))
    assert "| KPI | This period | Previous | Change | Year ago | YoY |" in markdown
    revenue = facts.kpi("revenue")
    assert revenue is not None and f"| Revenue | {fmt_value(revenue.value, 'money', 'USD')} |" in markdown
    assert all(f"| {KPI_LABELS['en'][k.name]} |" in markdown for k in facts.kpis)
    zh = write_narrative(None, facts, "zh")
    assert "## 关键指标" in render_markdown(facts, zh) and "增长最多" in render_markdown(facts, zh)
    assert zh.text.startswith("销售额为$")


def test_the_scheduled_form_writes_every_format_under_dated_names(store: AppContext) -> None:
    result = CliRunner().invoke(cli(store), ["report", "weekly", "--no-llm", "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)["files"]
    folder = Path(store.settings.data_dir) / "reports"
    assert written == {fmt: str(folder / f"weekly-2026-W44.{fmt}") for fmt in ("html", "pdf", "md", "json")}
    pdf = (folder / "weekly-2026-W44.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    saved = json.loads((folder / "weekly-2026-W44.json").read_text(encoding="utf-8"))
    assert saved["facts"]["period"]["label"] == "2026-W44" and saved["narrative"]["source"] == "code"
    report = build_report(store, "weekly", narrative=False)
    assert scheduled_paths(store, report)["pdf"] == folder / "weekly-2026-W44.pdf"  # a rerun: the same files


def test_explicit_paths_and_clear_failures(store: AppContext, tmp_path: Path) -> None:
    out, md = tmp_path / "out" / "october.html", tmp_path / "october.md"
    result = CliRunner().invoke(
        cli(store),
        ["report", "monthly", "--out", str(out), "--md", str(md), "--no-llm", "--end", "2026-10-31"],
    )
    assert result.exit_code == 0, result.output
    assert "monthly report 2026-10" in result.output and out.is_file() and md.is_file()
    assert not (Path(store.settings.data_dir) / "reports").exists()
    bad = CliRunner().invoke(cli(store), ["report", "weekly", "--end", "2026-13-01"])
    assert bad.exit_code != 0 and isinstance(bad.exception, InputError) and "YYYY-MM-DD" in str(bad.exception)
    empty = AppContext(Settings(data_dir=tmp_path / "empty", llm_backend="fake", embed_backend="hash"))
    failed = CliRunner().invoke(cli(empty), ["report", "weekly", "--no-llm"])
    assert failed.exit_code != 0 and isinstance(failed.exception, InputError)
    assert "import orders" in str(failed.exception)


def test_the_models_summary_is_checked_and_logged(store: AppContext) -> None:
    report = build_report(store, "weekly", language="en")
    assert report.narrative.source in ("model", "mixed") and report.narrative.generation_ids
    with store.db.session() as session:
        tasks = [row.task for row in session.query(models.GenerationLog)]
    assert tasks and set(tasks) == {"report.narrative"}
    assert report.name == "weekly-2026-W44"


def test_a_store_loaded_from_the_development_sales_data(shared_data: Path, tmp_path: Path) -> None:
    """M5 daily unit sales (the last 120 days of 100 items): units only, no orders, no revenue."""
    first_day = dt.date(2011, 1, 29)  # d_1 of the M5 calendar
    rows = []
    with (shared_data / "sales" / "m5_subset_sales.csv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in itertools.islice(reader, 100):
            values = row[6:]
            for d in range(len(values) - 120, len(values)):
                if float(values[d]):
                    day = first_day + dt.timedelta(days=d)
                    rows.append({"sku": row[1], "location": row[4], "date": day, "units": float(values[d])})
    ctx = AppContext(Settings(data_dir=tmp_path / "m5", llm_backend="fake", embed_backend="hash"))
    with ctx.db.session() as session:
        session.execute(insert(models.SalesRecord.__table__), rows)
    report = build_report(ctx, "weekly", narrative=False)
    units = report.facts.kpi("units")
    assert report.facts.source == "sales" and units is not None and units.previous is not None
    expected = sum(
        r["units"] for r in rows if report.facts.period.start <= r["date"] <= report.facts.period.end
    )
    assert units.value == pytest.approx(expected)
    assert report.narrative.sentences[0].startswith("Units sold were")
    html, pdf = render(report, "html").decode(), render(report, "pdf")
    assert len(re.findall(r"<svg\b", html)) >= 3 and pdf.startswith(b"%PDF")


def test_the_api_serves_each_format_to_a_reader(ctx: AppContext, auth_headers) -> None:  # type: ignore[no-untyped-def]
    fill_store(ctx)
    app = create_app(context=ctx)
    app.include_router(routes_reports.router)  # the lead registers it in create_app
    client = TestClient(app)
    headers = auth_headers("analyst")
    assert client.get("/api/reports/weekly.html?narrative=false").status_code == 401
    html = client.get("/api/reports/weekly.html?narrative=false", headers=headers)
    assert (
        html.status_code == 200
        and html.headers["content-type"].startswith("text/html")
        and "<svg" in html.text
    )
    md = client.get("/api/reports/monthly.md?narrative=false&end=2026-10-31&lang=zh", headers=headers)
    assert (
        md.status_code == 200
        and md.headers["content-type"].startswith("text/markdown")
        and "2026-10" in md.text
    )
    data = client.get("/api/reports/weekly.json", headers=headers).json()  # with the (fake) model's summary
    assert data["facts"]["period"]["label"] == "2026-W44" and data["narrative"]["sentences"]
    assert client.get("/api/reports/weekly.docx", headers=headers).status_code == 422
