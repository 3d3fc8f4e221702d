"""The report narrative and its checker: correct sentences pass and a wrong number, a wrong
direction, an invented percent, a change on the wrong basis, an unanchored direction or a date
outside the report fail, in English and Chinese; the code's own sentences pass for any facts; with
the fake model the final narrative holds only checked sentences (every number in it is a fact's);
a wrong sentence is rewritten once, then removed; a failing model falls back to the code's words."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Any

import pytest

from shopops.llm.fake import FakeLLM
from shopops.reports.facts import (
    AlertItem,
    AspectCount,
    CustomerFacts,
    ForecastFacts,
    Freshness,
    Mover,
    ReportFacts,
    ReviewFacts,
    StockHealth,
    StockItem,
    WorkFacts,
    make_kpi,
    period_ending,
    previous_period,
    year_ago_period,
)
from shopops.reports.narrative import prompt_facts, statements, write_narrative
from shopops.reports.narrative_check import check_sentence, check_text, index_facts

END = dt.date(2026, 10, 25)  # a Sunday: the week 2026-10-19 .. 2026-10-25


def make_facts(
    revenue: tuple[float, float | None, float | None] = (1414.0, 1500.0, 961.0),
    orders: tuple[float, float | None, float | None] = (16, 23, 15),
    aov: tuple[float, float | None, float | None] = (88.38, 65.22, 64.07),
    return_rate: tuple[float, float | None, float | None] = (4.2, 3.8, 4.2),
) -> ReportFacts:
    period = period_ending("weekly", END)
    kpis = [
        make_kpi("revenue", *revenue),
        make_kpi("orders", *orders),
        make_kpi("units", 26, 35, 24),
        make_kpi("aov", *aov),
        make_kpi("return_rate", *return_rate),
        make_kpi("new_customers", 3, 0, 1),
        make_kpi("returning_customers", 13, 21, 14),
    ]
    return ReportFacts(
        period=period,
        previous=previous_period(period),
        year_ago=year_ago_period(period),
        currency="USD",
        source="orders",
        kpis=kpis,
        mover_metric="revenue",
        movers_up=[
            Mover(
                sku="LL-TEA",
                title="宜兴紫砂茶壶 200毫升",
                value=176.0,
                previous=0.0,
                change=176.0,
                change_pct=None,
                units=2,
                previous_units=0,
            )
        ],
        movers_down=[
            Mover(
                sku="LL-CUP",
                title="Celadon Cups, Set of 4",
                value=48.0,
                previous=192.0,
                change=-144.0,
                change_pct=-75.0,
                units=1,
                previous_units=4,
            )
        ],
        customers=CustomerFacts(customers=16, new=3, returning=13, new_share_pct=18.8, previous_customers=21),
        stock=StockHealth(
            skus=53,
            out_of_stock=2,
            low_cover=4,
            overstock=22,
            median_cover_days=128.6,
            stockout_days=9,
            demand_days=28,
            overstock_days=182,
            cover_buckets=[("out", 2)],
            at_risk=[
                StockItem(
                    sku="LL-BTL",
                    title="Bottle",
                    on_hand=3,
                    daily_units=1.5,
                    cover_days=2.0,
                    lead_time_days=14,
                )
            ],
            overstocked=[],
        ),
        reviews=ReviewFacts(
            reviews=41,
            analyzed=40,
            average_rating=4.1,
            previous_average_rating=4.3,
            negative_pct=20.0,
            previous_negative_pct=12.5,
            negative_change_pts=7.5,
            positive_pct=70.0,
            top_complaints=[AspectCount(aspect="fit", count=5, share_pct=12.5)],
        ),
        forecast=ForecastFacts(
            start=dt.date(2026, 10, 26),
            end=dt.date(2026, 11, 1),
            units=30,
            days_covered=7,
            days=7,
            daily_units=4.3,
            current_daily_units=3.7,
            change_pct=16.2,
            direction="up",
            skus=53,
            generated_at=dt.datetime(2026, 10, 26, 6),
            freq="D",
        ),
        work=WorkFacts(
            open_alerts=3,
            high_alerts=1,
            new_alerts=2,
            by_kind={"stock.out_risk": 2, "sales.decline": 1},
            top_alerts=[AlertItem(id=12, kind="stock.out_risk", severity="high", title="LL-BTL runs out")],
            plans_pending=1,
            plans_approved=4,
            plans=[],
        ),
        freshness=Freshness(
            generated_at=dt.datetime(2026, 10, 27, 7), last_order_at=dt.datetime(2026, 10, 26, 22)
        ),
        daily=[],
        previous_daily=[],
        trend=[],
    )


ACCEPTED = [
    "Revenue was $1,414.00, down 5.7% week over week and up 47.1% year over year.",
    "Revenue fell 5.7% to $1,414 from $1,500.",
    "Revenue was $1,414, $86 lower than last week.",
    "Orders dropped 30.4% week over week to 16, and units 25.7%.",
    "AOV rose from $65.22 to $88.38.",
    "Average order value climbed 35.5% week over week.",
    "The return rate rose 0.4 points to 4.2%, unchanged year over year.",
    "LL-TEA (宜兴紫砂茶壶 200毫升) led the risers with $176.00, up $176.00.",
    "LL-CUP fell 75% to $48.",
    "3 new customers and 13 returning customers ordered.",
    "2 SKUs are out of stock and 22 are overstocked; median cover is 128.6 days.",
    "Negative reviews rose 7.5 points to 20% of 40 analysed; the top complaint was fit (5 reviews).",
    "The forecast for 2026-10-26 to 2026-11-01 is 30 units, 4.3 a day, up 16.2% on this week's 3.7.",
    "3 alerts are open (1 high severity), and 1 plan awaits review.",
    "Sales for the week of Oct 19-25, 2026 came to $1.4k.",
    "Consider increasing the stock of LL-BTL before it runs out.",
    "销售额为$1,414.00，环比下降5.7%，同比上升47.1%。",
    "订单数为16，环比下降30.4%。",
    "客单价较上周增长35.5%，达到$88.38。",
    "退货率上升0.4个百分点至4.2%。",
    "LL-CUP销售额环比减少$144.00。",
    "缺货SKU有2个，积压22个。",
    "预测下周销量30件，日均4.3件。",
    "未处理预警3条，其中高严重度1条。",
    "10月19日至25日的销售额为1,414美元。",
]
REJECTED = [
    ("Revenue was $1,500.00 this week.", "unsupported_number"),
    ("Revenue rose 5.7% week over week.", "wrong_direction"),
    ("Revenue rose week over week.", "wrong_direction"),
    ("Revenue fell 12% week over week.", "unsupported_change"),
    ("Revenue rose 47.1%.", "unsupported_change"),  # a year-over-year change stated as week over week
    ("Orders were up 30.4%.", "wrong_direction"),
    ("The return rate was 12%.", "unsupported_number"),
    ("It fell 5.7% week over week.", "unanchored_direction"),
    ("Revenue peaked on 2026-11-30.", "unsupported_date"),
    ("LL-TEA revenue fell $176.00.", "wrong_direction"),
    ("The forecast is 45 units next week.", "unsupported_number"),
    ("销售额环比上升5.7%。", "wrong_direction"),
    ("销售额环比下降12%。", "unsupported_change"),
    ("销售额为$1,500.00。", "unsupported_number"),
    ("订单数环比上升30.4%。", "wrong_direction"),
    ("退货率为12%。", "unsupported_number"),
    ("销售额同比上升15%。", "unsupported_change"),
]


@pytest.mark.parametrize("sentence", ACCEPTED)
def test_the_checker_accepts_sentences_that_state_the_facts(sentence: str) -> None:
    assert check_sentence(sentence, index_facts(make_facts())) == []


@pytest.mark.parametrize(("sentence", "kind"), REJECTED)
def test_the_checker_rejects_wrong_numbers_directions_and_dates(sentence: str, kind: str) -> None:
    problems = check_sentence(sentence, index_facts(make_facts()))
    assert kind in {p.kind for p in problems}, problems


def random_facts(rng: random.Random) -> ReportFacts:
    def triple(scale: float, places: int) -> tuple[float, float | None, float | None]:
        value = round(rng.uniform(0, scale), places)
        previous = rng.choice([None, value, 0.0, round(rng.uniform(0, scale), places)])
        return value, previous, rng.choice([None, round(rng.uniform(0, scale), places)])

    return make_facts(
        revenue=triple(50_000, 2), orders=triple(900, 0), aov=triple(200, 2), return_rate=triple(30, 1)
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_codes_own_sentences_pass_the_checker_for_any_facts(language: str) -> None:
    rng = random.Random(11)
    for _ in range(40):
        facts = random_facts(rng)
        index = index_facts(facts)
        for sentence in statements(facts, language):  # type: ignore[arg-type]
            assert check_sentence(sentence, index) == [], sentence


def fact_numbers(facts: ReportFacts) -> set[float]:
    """Every number in the facts, found independently of the checker (dates as their parts)."""
    found: set[float] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif isinstance(node, bool):
            return
        elif isinstance(node, int | float):
            found.update({float(node), abs(float(node))})
        elif isinstance(node, str):
            found.update(float(n) for n in re.findall(r"\d+(?:\.\d+)?", node))

    walk(facts.model_dump(mode="json"))
    return found


@pytest.mark.parametrize("language", ["en", "zh"])
def test_with_the_fake_model_every_number_in_the_narrative_is_a_fact(language: str) -> None:
    facts = make_facts()
    narrative = write_narrative(FakeLLM(), facts, language)  # type: ignore[arg-type]
    assert narrative.sentences and check_text(narrative.text, index_facts(facts)) == []
    known = fact_numbers(facts)
    numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", narrative.text)]
    assert numbers, narrative.text  # the headline KPIs were added in the code's words
    assert all(any(abs(n - k) < 0.051 for k in known) for n in numbers), narrative.text
    assert narrative.source == "mixed" and ("Revenue" in narrative.text or "销售额" in narrative.text)


def test_a_wrong_sentence_is_rewritten_once_then_removed() -> None:
    facts = make_facts()
    first = {
        "sentences": [
            "Revenue fell 5.7% week over week.",
            "Orders rose 30.4% week over week.",
            "AOV rose 90% week over week.",
        ]
    }
    rewrite = {"sentences": ["Orders fell 30.4% week over week.", "AOV rose 91% week over week."]}
    llm = FakeLLM([json.dumps(first), json.dumps(rewrite)])
    narrative = write_narrative(llm, facts, "en")
    assert narrative.sentences[:2] == [
        "Revenue fell 5.7% week over week.",
        "Orders fell 30.4% week over week.",
    ]
    assert narrative.rewritten == 1 and narrative.source == "mixed"
    assert narrative.sentences[2].startswith("Average order value was $88.38")  # the code's, AOV was not kept
    removed = [r["sentence"] for r in narrative.removed]
    assert removed == [
        "Orders rose 30.4% week over week.",
        "AOV rose 90% week over week.",
        "AOV rose 91% week over week.",
    ]
    assert len(llm.requests) == 2 and "Orders rose 30.4%" in llm.requests[1].messages[-1].content
    assert check_text(narrative.text, index_facts(facts)) == []


def test_chinese_rewrite_and_nothing_left_falls_back_to_the_codes_sentences() -> None:
    facts = make_facts()
    wrong = json.dumps({"sentences": ["销售额环比上升5.7%。", "订单数环比上升30.4%。"]})
    narrative = write_narrative(FakeLLM([wrong, wrong]), facts, "zh")
    assert narrative.source == "code" and narrative.sentences == statements(facts, "zh")
    assert len(narrative.removed) == 4 and narrative.text.startswith("销售额为$1,414.00，环比下降5.7%")


def test_a_failing_model_falls_back_to_the_codes_sentences() -> None:
    facts = make_facts()
    narrative = write_narrative(FakeLLM(["not json"] * 3), facts, "en")
    assert narrative.source == "code" and narrative.error and narrative.sentences == statements(facts, "en")


def test_the_model_sees_the_facts_formatted_as_the_report_prints_them() -> None:
    shown = prompt_facts(make_facts())
    revenue = shown["kpis"][0]
    assert revenue == {
        "kpi": "Revenue",
        "value": "$1,414.00",
        "week_over_week": "-5.7% (from $1,500.00, down)",
        "year_over_year": "+47.1% (from $961.00, up)",
    }
    assert shown["top_fallers"][0]["week_over_week"] == "-$144.00, -75.0%" and shown["alerts"]["open"] == 3
