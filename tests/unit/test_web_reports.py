"""The /reports page through a signed-in browser session (TestClient), over five weeks of orders:
the weekly and monthly report shown with the code's sentences (each KPI card equal to the facts,
charts as SVG, zh labels in a Chinese report), its downloads as attachments (PDF, HTML, Markdown),
the written reports listed and served by scheduled name only (no other file, no traversal), a model
run in the background (polling while it runs, one at a time, its failure shown), and the ask box
(the number against SQL computed here, the comparison, the query used, the chart, the list of what
can be asked, a Chinese question) for a reader, refused without ``read`` or without a session."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_reports_render import fill_store
from test_web_pages import PASSWORD, csrf_of, sign_in

from shopops.api.app import create_app
from shopops.auth.accounts import list_users
from shopops.auth.roles import ROLE_PERMISSIONS, Role
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import InputError
from shopops.reports.facts import KPI_LABELS, compute_facts, fmt_value
from shopops.reports.service import build_report, reports_dir, scheduled_paths, write_report
from shopops.store import models
from shopops.web import pages_reports
from shopops.web.pages_reports import model_runs, written_reports

KPI_CARD = re.compile(
    r'data-testid="report-kpi" data-kpi="(\w+)">\s*<div class="muted">([^<]*)</div>\s*'
    r'<div class="kpi-value" data-testid="kpi-value">([^<]*)</div>'
)
ASK_VALUE = re.compile(r'data-testid="ask-value" data-value="([^"]*)">([^<]*)<')
ASK_COMPARISON = re.compile(r'data-testid="ask-comparison" data-value="([^"]*)" data-change="([^"]*)"')
LAST_WEEK = (dt.datetime(2026, 10, 19), dt.datetime(2026, 10, 26))  # the store's today: 2026-11-01
WEEK_BEFORE = (dt.datetime(2026, 10, 12), dt.datetime(2026, 10, 19))


@pytest.fixture
def web(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0, "api_rate_limit": 0}))
    with TestClient(app) as client:
        ctx = app.state.ctx
        fill_store(ctx)
        yield client, ctx
        for run in model_runs(ctx):  # a run still going must not outlive its store
            if run.thread is not None:
                run.thread.join(timeout=30)


def as_role(client: TestClient, ctx: AppContext, role: str) -> str:
    """Sign in as ``role`` (made on first use); the CSRF token."""
    client.cookies.clear()
    if not any(user.email == f"{role}@web.example" for user in list_users(ctx.db)):
        return sign_in(client, ctx, role)
    return csrf_of(client.post("/login", data={"email": f"{role}@web.example", "password": PASSWORD}).text)


def revenue(ctx: AppContext, start: dt.datetime, end: dt.datetime) -> float:
    """Revenue of the orders placed in [start, end), cancelled ones left out: SQL written here."""
    orders = models.Order.__table__
    query = select(func.coalesce(func.sum(orders.c.total), 0)).where(
        orders.c.placed_at >= start, orders.c.placed_at < end, orders.c.status != "cancelled"
    )
    with ctx.db.session() as session:
        return float(Decimal(session.execute(query).scalar_one()))


def order_count(ctx: AppContext, start: dt.datetime, end: dt.datetime) -> int:
    orders = models.Order.__table__
    query = select(func.count()).where(
        orders.c.placed_at >= start, orders.c.placed_at < end, orders.c.status != "cancelled"
    )
    with ctx.db.session() as session:
        return int(session.execute(query).scalar_one())


def test_the_report_shows_every_kpi_of_the_facts_with_charts_and_downloads(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    as_role(client, ctx, "analyst")
    empty = client.get("/reports")
    assert empty.status_code == 200
    for hook in ('data-testid="ask-form"', 'data-testid="report-form"', 'data-testid="written-none"'):
        assert hook in empty.text
    assert 'data-testid="report-view"' not in empty.text and "shopops report" in empty.text

    for kind, language in (("weekly", "en"), ("monthly", "zh")):
        page = client.get("/reports", params={"kind": kind, "language": language})
        assert page.status_code == 200, page.text[:300]
        facts = compute_facts(ctx, kind)  # type: ignore[arg-type]
        cards = KPI_CARD.findall(page.text)
        assert [name for name, _, _ in cards] == [k.name for k in facts.kpis]
        for name, label, shown in cards:
            kpi = facts.kpi(name)
            assert kpi is not None and html.unescape(shown) == fmt_value(kpi.value, kpi.unit, facts.currency)
            assert html.unescape(label) == KPI_LABELS[language][name]
        name = f"{kind}-{facts.period.label}" + ("-zh" if language == "zh" else "")
        assert f'data-name="{name}"' in page.text
        assert len(re.findall(r'<svg[^>]*class="chart"', page.text)) >= 3
        for fmt in ("html", "pdf", "md"):
            query = f"end={facts.period.end.isoformat()}&amp;language={language}"
            assert f'href="/reports/download/{kind}.{fmt}?{query}"' in page.text
        assert 'action="/reports/generate"' in page.text  # the model run, pinned to the period shown
        assert f'name="end" value="{facts.period.end.isoformat()}"' in page.text

    wrong = client.get("/reports", params={"kind": "weekly", "end": "next tuesday"})
    assert wrong.status_code == 200 and 'data-testid="report-error"' in wrong.text
    assert "is not a date" in html.unescape(wrong.text)


def test_downloads_are_attachments_of_the_period_asked_for(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    as_role(client, ctx, "agent")
    pdf = client.get("/reports/download/weekly.pdf", params={"end": "2026-11-01", "language": "en"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="weekly-2026-W44.pdf"'
    page = client.get("/reports/download/monthly.html", params={"end": "2026-10-31", "language": "zh"})
    assert page.headers["content-disposition"] == 'attachment; filename="monthly-2026-10-zh.html"'
    assert page.text.startswith("<!doctype html>") and "运营月报" in page.text
    markdown = client.get("/reports/download/weekly.md", params={"end": "2026-10-20"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    # the last complete week on or before the date
    assert markdown.headers["content-disposition"] == 'attachment; filename="weekly-2026-W42.md"'
    assert "| Revenue |" in markdown.text
    assert client.get("/reports/download/daily.pdf").status_code == 422
    assert client.get("/reports/download/weekly.exe").status_code == 422
    assert client.get("/reports/download/weekly.pdf", params={"language": "fr"}).status_code == 422


def test_written_reports_are_listed_and_served_by_scheduled_name_only(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    as_role(client, ctx, "analyst")
    report = build_report(ctx, "weekly", narrative=False)
    paths = scheduled_paths(ctx, report)
    write_report(report, {fmt: paths[fmt] for fmt in ("md", "json")})
    paths["html"].write_text("<!doctype html><title>stored</title>")  # served as stored, not rendered
    paths["pdf"].write_bytes(b"%PDF-1.4 stored")
    folder = reports_dir(ctx)
    secret = folder.parent / "secret.txt"
    secret.write_text("not a report")
    (folder / "notes.txt").write_text("not a report")
    (folder / ".weekly-2026-W40.html.99.tmp").write_text("half a report")
    (folder / "weekly-2026-W40.exe").write_bytes(b"MZ")
    (folder / "weekly-2026-W41.md").symlink_to(secret)
    (folder / "monthly-2026-09.pdf").mkdir()

    listed = written_reports(ctx)
    assert [(r.stem, list(r.files)) for r in listed] == [(report.name, ["html", "pdf", "md", "json"])]
    page = client.get("/reports").text
    assert f'data-stem="{report.name}"' in page and 'data-testid="written-none"' not in page
    assert len(re.findall(r'data-testid="written-file"', page)) == 4

    served = client.get(f"/reports/files/{report.name}.pdf")
    assert served.status_code == 200 and served.content == b"%PDF-1.4 stored"
    assert served.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/reports/files/{report.name}.md").text.startswith("# Weekly operations report")
    for name in (
        "notes.txt",
        ".weekly-2026-W40.html.99.tmp",
        "weekly-2026-W40.exe",
        "weekly-2026-W41.md",  # a link out of the folder
        "monthly-2026-09.pdf",  # a folder
        "weekly-2026-W01.pdf",  # not written
        "..%2Fsecret.txt",
        "..%2F..%2Fshopops.db",
    ):
        response = client.get(f"/reports/files/{name}")
        assert response.status_code == 404, name
        assert "not a report" not in response.text


def test_a_model_run_writes_in_the_background_one_at_a_time(
    web: tuple[TestClient, AppContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, ctx = web
    token = as_role(client, ctx, "manager")
    release = threading.Event()
    real_build = pages_reports.build_report

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        assert kwargs["narrative"] is True  # the run asks for the model's summary
        assert release.wait(timeout=30)
        return real_build(*args, **kwargs)

    def quick_paths(ctx: AppContext, report: Any) -> dict[str, Any]:  # the PDF and charts take seconds
        return {fmt: path for fmt, path in scheduled_paths(ctx, report).items() if fmt in ("md", "json")}

    monkeypatch.setattr(pages_reports, "build_report", slow_build)
    monkeypatch.setattr(pages_reports, "scheduled_paths", quick_paths)
    form = {"kind": "weekly", "end": "2026-11-01", "language": "en", "csrf_token": token}
    started = client.post("/reports/generate", data=form, follow_redirects=False)
    assert started.status_code == 303
    assert started.headers["location"] == "/reports?kind=weekly&end=2026-11-01&language=en#written"
    polling = client.get("/reports/written").text
    assert 'data-polling="true"' in polling and 'data-state="running"' in polling
    again = client.post("/reports/generate", data=form, follow_redirects=False)
    assert again.status_code == 303 and len(model_runs(ctx)) == 1  # the same report: the same run
    other = client.post("/reports/generate", data={**form, "kind": "monthly"})
    assert other.status_code == 409 and "already writing a report" in other.text

    release.set()
    (run,) = model_runs(ctx)
    assert run.thread is not None
    run.thread.join(timeout=60)
    assert not run.running and run.error == "" and run.name == "weekly-2026-W44"
    assert sorted(path.name for path in reports_dir(ctx).iterdir()) == [
        "weekly-2026-W44.json",
        "weekly-2026-W44.md",
    ]
    assert run.files == {"md": "weekly-2026-W44.md", "json": "weekly-2026-W44.json"}
    done = client.get("/reports/written").text
    assert 'data-polling="true"' not in done and 'data-state="done"' in done
    assert 'data-stem="weekly-2026-W44"' in done

    def failing_build(*args: Any, **kwargs: Any) -> Any:
        raise InputError("the store has no orders in that period")

    monkeypatch.setattr(pages_reports, "build_report", failing_build)
    client.post("/reports/generate", data={**form, "kind": "monthly"}, follow_redirects=False)
    failed = model_runs(ctx)[0]
    assert failed.thread is not None
    failed.thread.join(timeout=30)
    page = client.get("/reports").text
    assert 'data-state="failed"' in page and "the store has no orders in that period" in page

    no_csrf = client.post("/reports/generate", data={"kind": "weekly"})
    assert no_csrf.status_code == 403


def test_the_ask_box_answers_with_the_number_the_query_and_the_chart(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    as_role(client, ctx, "analyst")
    answer = client.get("/reports/ask", params={"q": "revenue last week vs the week before"})
    assert answer.status_code == 200 and "<html" not in answer.text  # the answer alone, for htmx
    raw, shown = ASK_VALUE.search(answer.text).groups()  # type: ignore[union-attr]
    expected = revenue(ctx, *LAST_WEEK)
    assert float(raw) == pytest.approx(expected) and shown == f"{expected:,.2f}"
    comparison = ASK_COMPARISON.search(answer.text)
    assert comparison is not None
    before = revenue(ctx, *WEEK_BEFORE)
    assert float(comparison.group(1)) == pytest.approx(before)
    assert float(comparison.group(2)) == pytest.approx(round((expected - before) / before * 100, 2))
    assert 'data-testid="ask-chart"' in answer.text and 'data-testid="ask-query-words"' in answer.text
    assert "metric: revenue" in answer.text and "FROM orders" in answer.text

    chinese = client.get("/reports/ask", params={"q": "上周订单数"}).text
    raw, _ = ASK_VALUE.search(chinese).groups()  # type: ignore[union-attr]
    assert int(float(raw)) == order_count(ctx, *LAST_WEEK)
    assert "上周" in chinese

    page = client.get("/reports", params={"q": "revenue last week"})  # without htmx: the whole page
    assert 'data-testid="ask-result"' in page.text and 'value="revenue last week"' in page.text
    unanswerable = client.get("/reports/ask", params={"q": "what will the weather be tomorrow"}).text
    assert 'data-testid="ask-unanswered"' in unanswerable
    assert "I can answer questions about:" in html.unescape(unanswerable)
    too_long = client.get("/reports/ask", params={"q": "revenue " * 80}).text
    assert 'data-testid="ask-error"' in too_long and "1 to 500 characters" in too_long
    assert client.get("/reports/ask", params={"q": "  "}).text.strip() == ""


def test_asking_needs_read_and_a_session(
    web: tuple[TestClient, AppContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, ctx = web
    client.cookies.clear()
    signed_out = client.get("/reports/ask", params={"q": "revenue last week"}, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login?next=")
    as_role(client, ctx, "analyst")
    assert 'data-testid="ask-result"' in client.get("/reports/ask", params={"q": "orders last week"}).text
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, frozenset())
    refused = client.get("/reports/ask", params={"q": "orders last week"}, headers={"HX-Request": "true"})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.text
    assert 'data-testid="ask-result"' not in refused.text
    assert client.get("/reports/download/weekly.pdf").status_code == 403
