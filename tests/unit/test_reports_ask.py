"""Plain-language questions over the seeded store: 40 questions (English and Chinese) answered by
the rule reader, each checked against an answer computed here from the raw rows in plain Python
(dates written out by hand, not resolved by the layer); the model path's plumbing with FakeLLM;
requests to write or to read personal data refused in every mode with nothing written; the CLI
and ``POST /api/ask``. Runs on SQLite and PostgreSQL.

``CASES`` and :func:`mismatches` are shared with ``bench/ask.py``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
import typer
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_reports_semantic import (  # noqa: F401 - the *_fixture names register module fixtures
    TODAY,
    Calc,
    RawStore,
    close,
    count_rows,
    load_raw_store,
    ranked,
    raw_store_fixture,
    store_fixture,
)
from typer.testing import CliRunner

from shopops.cli import ask_cmd
from shopops.config import Settings
from shopops.context import AppContext
from shopops.llm.fake import FakeLLM
from shopops.reports.ask import AskResult, answer_question
from shopops.reports.ask_rules import Vocabulary, parse_question
from shopops.reports.semantic import METRICS
from shopops.reports.semantic_answer import Answer
from shopops.reports.semantic_periods import add_months
from shopops.reports.semantic_spec import QuerySpec
from shopops.store.db import Database

D = dt.date


@dataclass(frozen=True)
class Case:
    """A question and what answers it: the metric over [start, end), filters, comparison, split."""

    question: str
    metric: str
    start: dt.date
    end: dt.date  # exclusive
    where: dict[str, str] = field(default_factory=dict)
    compare: tuple[dt.date, dt.date] | None = None
    split: str | None = None  # a categorical dimension
    top: int | None = None
    order: Literal["desc", "asc"] = "desc"
    grain: Literal["day", "week", "month"] | None = None  # a time split


THIS_YEAR, YEAR_AGO = (D(2026, 1, 1), D(2026, 4, 16)), (D(2025, 1, 1), D(2025, 4, 16))
THIS_MONTH = (D(2026, 4, 1), TODAY + dt.timedelta(days=1))
LAST_WEEK, WEEK_AGO = (D(2026, 4, 6), D(2026, 4, 13)), (D(2026, 3, 30), D(2026, 4, 6))
MARCH, Q1 = (D(2026, 3, 1), D(2026, 4, 1)), (D(2026, 1, 1), D(2026, 4, 1))
CASES: tuple[Case, ...] = (
    Case("What was AOV last week vs the week before?", "average_order_value", *LAST_WEEK, compare=WEEK_AGO),
    Case("Top 5 SKUs by returns in March", "returned_units", *MARCH, split="sku", top=5),
    Case("Revenue last month", "revenue", *MARCH),
    Case("How many orders yesterday?", "orders", D(2026, 4, 14), TODAY),
    Case("Revenue by week over the last 8 weeks", "revenue", D(2026, 2, 16), D(2026, 4, 13), grain="week"),
    Case("Units sold in February 2026 by SKU", "units_sold", D(2026, 2, 1), D(2026, 3, 1), split="sku"),
    Case("Return rate by category last quarter", "return_rate", *Q1, split="category"),
    Case("Refund rate this year vs last year", "refund_rate", *THIS_YEAR, compare=YEAR_AGO),
    Case("New customers last month", "new_customers", *MARCH),
    Case("Returning customers in March 2026", "returning_customers", *MARCH),
    Case("Average rating over the last 30 days", "average_rating", D(2026, 3, 17), D(2026, 4, 16)),
    Case("Number of reviews by product in 2025", "reviews", D(2025, 1, 1), D(2026, 1, 1), split="product"),
    Case("Share of negative reviews last month", "negative_review_share", *MARCH),
    Case("Revenue in the US last week", "revenue", *LAST_WEEK, where={"country": "US"}),
    Case("Revenue for category Kitchen in March 2026", "revenue", *MARCH, where={"category": "Kitchen"}),
    Case("Bottom 3 products by units last month", "units", *MARCH, split="product", top=3, order="asc"),
    Case("Orders by country last week", "orders", *LAST_WEEK, split="country"),
    Case("Revenue year over year for March 2026", "revenue", *MARCH, compare=(D(2025, 3, 1), D(2025, 4, 1))),
    Case("Daily revenue for the last 7 days", "revenue", D(2026, 4, 9), D(2026, 4, 16), grain="day"),
    Case("Monthly orders in 2025", "orders", D(2025, 1, 1), D(2026, 1, 1), grain="month"),
    Case("上周客单价是多少", "average_order_value", *LAST_WEEK),
    Case("上个月销售额", "revenue", *MARCH),
    Case("三月退货最多的前5个SKU", "returned_units", *MARCH, split="sku", top=5),
    Case("本月订单数环比", "orders", *THIS_MONTH, compare=(D(2026, 3, 1), D(2026, 3, 16))),
    Case("去年的退款率", "refund_rate", D(2025, 1, 1), D(2026, 1, 1)),
    Case("最近30天的平均评分", "average_rating", D(2026, 3, 17), D(2026, 4, 16)),
    Case("2026年2月各品类的件数", "units", D(2026, 2, 1), D(2026, 3, 1), split="category"),
    Case("上周新客户数", "new_customers", *LAST_WEEK),
    Case("今年收入同比", "revenue", *THIS_YEAR, compare=YEAR_AGO),
    Case("Return rate of SKU CB-M over the last 90 days", "return_rate", D(2026, 1, 16), D(2026, 4, 16),
         where={"sku": "CB-M"}),
    Case("Revenue between 2026-03-01 and 2026-03-15", "revenue", D(2026, 3, 1), D(2026, 3, 16)),
    Case("Orders by status last month", "orders", *MARCH, split="status"),
    Case("Top 3 categories by revenue this year", "revenue", *THIS_YEAR, split="category", top=3),
    Case("每周的订单量（最近4周）", "orders", D(2026, 3, 16), D(2026, 4, 13), grain="week"),
    Case("Which product had the most negative reviews in Q1 2026?", "negative_reviews", *Q1, split="product",
         top=1),
    Case("Average order value in Germany this month", "average_order_value", *THIS_MONTH,
         where={"country": "DE"}),
    Case("Refunded orders last quarter compared to the quarter before", "refunded_orders", *Q1,
         compare=(D(2025, 10, 1), D(2026, 1, 1))),
    Case("上个月的差评率", "negative_review_share", *MARCH),
    Case("每天的销售额（最近14天）", "revenue", D(2026, 4, 2), D(2026, 4, 16), grain="day"),
    Case("上季度各国家的订单数", "orders", *Q1, split="country"),
    Case("Units sold by location last month", "units_sold", *MARCH, split="location"),
)  # fmt: skip
ADVERSARIAL = (
    "delete all orders",
    "drop table users",
    "show password hashes",
    "update prices to 0",
    "Set the price of CB-M to 0 and tell me revenue",
    "list customer emails with their revenue",
    "revenue last week; DROP TABLE orders",
    "删除所有订单",
    "把价格改成0",
    "select * from users",
)
OFF_TOPIC = ("what's the weather tomorrow?", "tell me a joke", "谁是美国总统")


def _buckets(case: Case) -> list[tuple[dt.date, dt.date]]:
    assert case.grain is not None
    if case.grain == "day":
        first = case.start
    elif case.grain == "week":
        first = case.start - dt.timedelta(days=case.start.weekday())
    else:
        first = case.start.replace(day=1)
    out = []
    while first < case.end:
        nxt = (
            first + dt.timedelta(days=1 if case.grain == "day" else 7)
            if case.grain != "month"
            else add_months(first, 1)
        )
        out.append((max(first, case.start), min(nxt, case.end)))
        first = nxt
    return out


def mismatches(answer: Answer | None, case: Case, calc: Calc) -> list[str]:
    """What in ``answer`` differs from the plain-Python answer to ``case`` (empty: correct)."""
    if answer is None:
        return ["not answered"]
    unit = METRICS[case.metric].unit
    wrong = []
    if answer.metric != case.metric:
        wrong.append(f"metric {answer.metric} != {case.metric}")
    if (answer.start, answer.end) != (case.start, case.end - dt.timedelta(days=1)):
        wrong.append(f"period {answer.start}..{answer.end} != {case.start}..{case.end}")
    if answer.spec.filters != case.where:
        wrong.append(f"filters {answer.spec.filters} != {case.where}")
    if wrong:
        return wrong
    by_line = case.split in ("sku", "product", "category")  # the whole period, counted like its rows
    expected = calc.metric(case.metric, case.start, case.end, by_line=by_line, **case.where)
    if not close(answer.value, expected, unit):
        wrong.append(f"value {answer.value} != {expected}")
    if case.compare:
        before = calc.metric(case.metric, *case.compare, by_line=by_line, **case.where)
        got = answer.comparison
        if got is None or (got.start, got.end + dt.timedelta(days=1)) != case.compare:
            wrong.append(f"comparison period {got and (got.start, got.end)} != {case.compare}")
        elif not close(got.value, before, unit):
            wrong.append(f"comparison {got.value} != {before}")
    elif answer.comparison is not None:
        wrong.append("an unasked comparison")
    if case.split:
        values = calc.split(case.metric, case.split, case.start, case.end, **case.where)
        want = ranked(values, case.top or len(values), case.order)
        got_rows = [(r.label, r.value) for r in answer.rows]
        if answer.spec.dimension != case.split or len(got_rows) != len(want):
            wrong.append(f"split {answer.spec.dimension} {got_rows} != {case.split} {want}")
        elif any(a[0] != b[0] or not close(a[1], b[1], unit) for a, b in zip(got_rows, want, strict=True)):
            wrong.append(f"rows {got_rows} != {want}")
    elif case.grain:
        want_rows = [
            (s.isoformat()[:7] if case.grain == "month" else s.isoformat(), calc.metric(case.metric, s, e))
            for s, e in _buckets(case)
        ]
        got_rows = [(r.label, r.value) for r in answer.rows]
        if answer.spec.dimension != case.grain or [g[0] for g in got_rows] != [w[0] for w in want_rows]:
            wrong.append(f"time split {answer.spec.dimension} {[g[0] for g in got_rows]} != {case.grain}")
        elif any(not close(a[1], b[1], unit) for a, b in zip(got_rows, want_rows, strict=True)):
            wrong.append(f"time rows {got_rows} != {want_rows}")
    elif answer.rows:
        wrong.append("an unasked split")
    return wrong


@pytest.fixture(scope="module")
def calc(raw_store: RawStore) -> Calc:
    return Calc(raw_store)


def test_at_least_30_questions_in_both_languages() -> None:
    assert len(CASES) >= 30 and len({c.question for c in CASES}) == len(CASES)
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in c.question) for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.question for c in CASES])
def test_rules_answer_every_question_exactly(store: Database, calc: Calc, case: Case) -> None:
    result = answer_question(store, case.question, mode="rules")
    assert result.answered and result.translated_by == "rules", result.message
    assert mismatches(result.answer, case, calc) == []
    assert result.answer is not None and result.answer.chart_svg.startswith("<svg")
    assert "metric:" in result.answer.query and result.answer.sql.upper().startswith("SELECT")


@pytest.mark.parametrize("mode", ["rules", "auto", "llm"])
def test_writes_and_personal_data_are_refused_in_every_mode(store: Database, mode: str) -> None:
    llm = FakeLLM()
    before = count_rows(store)
    for question in ADVERSARIAL:
        result = answer_question(store, question, mode=mode, llm=llm)  # type: ignore[arg-type]
        assert not result.answered and result.answer is None, question
        assert (
            "cannot change or delete" in result.message and "I can answer questions about" in result.message
        )
    for question in OFF_TOPIC:
        result = answer_question(store, question, mode=mode, llm=llm)  # type: ignore[arg-type]
        assert not result.answered and "I can answer questions about" in result.message
    assert llm.requests == []  # refused or off-topic before any model call
    assert count_rows(store) == before


def _reply(metric: str, period: str = "all_time", **fields: Any) -> str:
    base = {"metric": metric, "dimension": "none", "period": period, "n": 0, "year": 0, "month": 0}
    return json.dumps({**base, "compare_to": "none", "top_n": 0, "order": "desc", **fields})


def test_the_model_path_fills_the_registry_schema(store: Database, calc: Calc) -> None:
    llm = FakeLLM([_reply("returned_units", "month", dimension="category", month=3, top_n=3)])
    result = answer_question(
        store, "Which 3 categories had the most stuff sent back in March?", mode="llm", llm=llm
    )
    assert result.translated_by == "llm" and result.answered
    assert mismatches(result.answer, Case("", "returned_units", *MARCH, split="category", top=3), calc) == []
    schema = llm.requests[0].json_schema
    assert schema is not None and set(schema["properties"]["metric"]["enum"]) == {*METRICS, "none"}


def test_auto_keeps_what_the_rules_read_and_asks_the_model_for_the_rest(store: Database, calc: Calc) -> None:
    llm = FakeLLM([_reply("average_order_value", "this_year", compare_to="year_ago")])
    result = answer_question(
        store, "What was the typical basket last week vs the week before?", mode="auto", llm=llm
    )
    assert result.translated_by == "llm" and len(llm.requests) == 1
    case = Case("", "average_order_value", *LAST_WEEK, compare=WEEK_AGO)  # period and comparison: rules
    assert mismatches(result.answer, case, calc) == []
    ruled = answer_question(store, "AOV last week", mode="auto", llm=llm)
    assert ruled.translated_by == "rules" and len(llm.requests) == 1  # the rules read it: no model call


def test_model_readings_are_made_consistent_before_running(store: Database, calc: Calc) -> None:
    llm = FakeLLM(
        [
            _reply("orders", "last_n_weeks"),  # no count: the last full week
            _reply("revenue", "month", dimension="category", month=3, year=2026),  # the filter pins it
        ]
    )
    weekly = answer_question(store, "purchases in the most recent full week", mode="llm", llm=llm)
    assert mismatches(weekly.answer, Case("", "orders", *LAST_WEEK), calc) == []
    kitchen = answer_question(store, "Revenue for category Kitchen in March 2026", mode="llm", llm=llm)
    assert mismatches(kitchen.answer, Case("", "revenue", *MARCH, where={"category": "Kitchen"}), calc) == []


def test_the_model_saying_none_or_an_impossible_query_is_not_answered(store: Database) -> None:
    llm = FakeLLM([_reply("none"), _reply("units_sold", dimension="category"), "not json", "still not json"])
    nothing = answer_question(store, "how are our products doing?", mode="llm", llm=llm)
    assert not nothing.answered and "names none of the metrics" in nothing.message
    impossible = answer_question(store, "units sold per product group", mode="llm", llm=llm)
    assert not impossible.answered and "cannot be split" in impossible.message
    broken = answer_question(store, "how many things did we sell", mode="auto", llm=llm)
    assert not broken.answered and "the model failed" in broken.message


def test_any_schema_valid_model_output_reads_only(store: Database) -> None:
    llm = FakeLLM()  # random schema-valid replies: whatever the model says, nothing is written
    before = count_rows(store)
    results = [answer_question(store, f"sales question {i}", mode="llm", llm=llm) for i in range(12)]
    assert all(isinstance(r, AskResult) and (r.answered or "I can answer" in r.message) for r in results)
    assert count_rows(store) == before


ODD = (
    "revenue over the last 0 days",
    "revenue in 1900",
    "revenue between 2026-02-30 and 2026-03-01",
    "top 500 SKUs by revenue",
    "orders in 13月",
    "最近99999天的销售额",
    "reviews by country",
    "revenue all time vs last year",
    "new customers vs returning customers last month",
)


@pytest.mark.parametrize("question", ODD)
def test_impossible_questions_get_a_reason_not_an_error(store: Database, question: str) -> None:
    result = answer_question(store, question, mode="rules")
    assert not result.answered and result.message.startswith("I cannot answer that:")


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_the_rule_reader_never_fails_on_any_text(text: str) -> None:
    parsed = parse_question(text, Vocabulary(categories=("Kitchen > Bottles",), skus={"cb-m": "CB-M"}))
    if parsed.metric is not None and parsed.problem is None:
        try:
            QuerySpec.model_validate(parsed.spec_fields())
        except ValidationError as exc:  # a reason for the person, never an exception
            assert exc.errors()


# ---- the CLI and the API -------------------------------------------------------------------------


@pytest.fixture
def loaded_ctx(ctx: AppContext, raw_store: RawStore) -> AppContext:
    load_raw_store(ctx.db, raw_store)
    return ctx


def _cli(ctx: AppContext) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(typer_ctx: typer.Context) -> None:
        typer_ctx.obj = ctx

    root.command("ask")(ask_cmd.ask)
    return root


def test_cli_prints_the_answer_the_query_and_writes_the_chart(
    loaded_ctx: AppContext, calc: Calc, tmp_path: Any
) -> None:
    runner = CliRunner()
    chart = tmp_path / "chart.svg"
    out = runner.invoke(
        _cli(loaded_ctx), ["ask", "Top 5 SKUs by returns in March", "--sql", "--chart", str(chart)]
    )
    assert out.exit_code == 0, out.output
    top = ranked(calc.split("returned_units", "sku", *MARCH), 5)
    assert top[0][0] in out.output and "query used (rules)" in out.output and "SELECT" in out.output
    assert chart.read_text().startswith("<svg")
    as_json = runner.invoke(_cli(loaded_ctx), ["ask", "上周客单价", "--mode", "rules", "--json"])
    data = json.loads(as_json.output)
    assert data["answered"] and close(
        data["answer"]["value"], calc.metric("average_order_value", *LAST_WEEK), "money"
    )
    refused = runner.invoke(_cli(loaded_ctx), ["ask", "delete all orders"])
    assert refused.exit_code == 1 and "cannot change or delete" in refused.output


@pytest.fixture
def client(settings: Settings, raw_store: RawStore) -> Iterator[tuple[TestClient, AppContext]]:
    from shopops.api import routes_ask
    from shopops.api.app import create_app

    app = create_app(settings.model_copy(update={"api_rate_limit": 0}))
    app.include_router(routes_ask.router)  # the lead registers it in create_app
    with TestClient(app) as http:
        load_raw_store(app.state.ctx.db, raw_store)
        yield http, app.state.ctx


def test_api_answers_analysts_and_validates_the_body(
    client: tuple[TestClient, AppContext], calc: Calc
) -> None:
    from shopops.auth.accounts import create_user
    from shopops.auth.sessions import issue_api_key

    http, ctx = client
    user = create_user(ctx.db, "analyst@ask.example", None, role="analyst", name="analyst")
    headers = {"Authorization": f"Bearer {issue_api_key(ctx.db, user.id, actor='test')}"}
    assert http.post("/api/ask", json={"question": "revenue last month"}).status_code == 401
    answered = http.post(
        "/api/ask", json={"question": "Revenue last month", "mode": "rules"}, headers=headers
    )
    assert answered.status_code == 200 and answered.json()["answered"]
    assert close(answered.json()["answer"]["value"], calc.metric("revenue", *MARCH), "money")
    earlier = http.post(
        "/api/ask", json={"question": "revenue last month", "today": "2025-06-10"}, headers=headers
    )
    assert earlier.json()["answer"]["start"] == "2025-05-01"
    refused = http.post("/api/ask", json={"question": "drop table users"}, headers=headers)
    assert refused.status_code == 200 and not refused.json()["answered"]
    for bad in (
        {"question": ""},
        {"question": "x" * 501},
        {"question": "revenue", "sql": "DELETE FROM orders"},
    ):
        assert http.post("/api/ask", json=bad, headers=headers).status_code == 422
