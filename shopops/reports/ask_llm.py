"""The model's reading of a question: one schema-constrained call whose enums are the registry's names.

The model chooses from closed lists (metric, dimension, period kind, comparison) plus a few bounded
integers; it never writes a query, a table name or a filter value. Its choice still goes through
:class:`~shopops.reports.semantic_spec.QuerySpec` validation, so an impossible combination is refused,
not run. Worked examples come before the question: the packaged 0.5B model follows examples far
better than a description of the schema. ``bench/ask.py``: 21 of 41 test questions and 4 of 8
paraphrases answered exactly, at a median 16 s on 2 shared cores (the rules: 41 and 0).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from shopops.llm.base import LLMBackend, Message
from shopops.reports.semantic import DIMENSIONS, METRICS
from shopops.reports.semantic_spec import PERIOD_KINDS, Period
from shopops.structured import generate

TASK = "reports.ask"
MAX_TOKENS = 96
# Periods the model may choose: explicit dates and quarters are read by the rules only.
LLM_PERIODS = tuple(kind for kind in PERIOD_KINDS if kind not in ("between", "quarter"))
HINTS = {
    "revenue": "money taken from orders: sales, turnover, GMV, income, 销售额, 收入",
    "orders": "number of orders, 订单数",
    "units": "items/units ordered in orders, 件数",
    "average_order_value": "AOV, average order value, basket size, 客单价",
    "returned_units": "returns: units/items sent back, 退货",
    "return_rate": "share of ordered units returned, 退货率",
    "refunded_orders": "refunds: orders refunded, 退款",
    "refund_rate": "share of orders refunded, 退款率",
    "customers": "distinct customers who ordered, 客户数",
    "new_customers": "first-time customers, new buyers, 新客户",
    "returning_customers": "repeat / returning customers, 回头客, 老客户",
    "reviews": "number of reviews, 评价数",
    "average_rating": "average star rating of reviews, 评分",
    "negative_reviews": "number of negative / bad reviews, 差评",
    "negative_review_share": "share of reviews that are negative, 差评率",
    "units_sold": "units sold in the daily sales history, sales volume, 销量",
}
PERIOD_HINTS = (
    "all_time (no period said), today, yesterday, this_week, last_week, this_month, last_month, "
    "this_quarter, last_quarter, this_year, last_year, last_n_days / last_n_weeks / last_n_months "
    "(n = how many), month (month = 1-12; year = 0 unless said), year (year = YYYY)"
)


@cache
def output_model() -> type[BaseModel]:
    """The JSON the model must return (built from the registry, so new metrics join the enums)."""
    return create_model(
        "AskQuery",
        metric=(Literal[(*METRICS, "none")], ...),  # type: ignore[valid-type]
        dimension=(Literal[("none", *DIMENSIONS)], ...),  # type: ignore[valid-type]
        period=(Literal[LLM_PERIODS], ...),  # type: ignore[valid-type]
        n=(int, Field(ge=0, le=366)),
        year=(int, Field(ge=0, le=2100)),
        month=(int, Field(ge=0, le=12)),
        compare_to=(Literal["none", "previous", "year_ago"], ...),
        top_n=(int, Field(ge=0, le=50)),
        order=(Literal["desc", "asc"], ...),
    )


def _example(metric: str, period: str = "all_time", **fields: Any) -> str:
    values = {
        "metric": metric,
        "dimension": "none",
        "period": period,
        "n": 0,
        "year": 0,
        "month": 0,
        "compare_to": "none",
        "top_n": 0,
        "order": "desc",
    }
    return json.dumps({**values, **fields}, separators=(",", ":"))  # compact: fewer tokens to decode


EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "How much money did we make last week compared with the week before?",
        _example("revenue", "last_week", compare_to="previous"),
    ),
    (
        "Which 3 categories had the most items sent back in March?",
        _example("returned_units", "month", dimension="category", month=3, top_n=3),
    ),
    ("上个月的平均客单价是多少", _example("average_order_value", "last_month")),
    (
        "Number of orders per day over the past 14 days",
        _example("orders", "last_n_days", dimension="day", n=14),
    ),
    ("How many first-time buyers did we get in 2025?", _example("new_customers", "year", year=2025)),
    (
        "Worst 5 products by star rating this year",
        _example("average_rating", "this_year", dimension="product", top_n=5, order="asc"),
    ),
    ("今年的退款率和去年同期比", _example("refund_rate", "this_year", compare_to="year_ago")),
    ("What will the weather be tomorrow?", _example("none")),
)


def system_prompt() -> str:
    metrics = "\n".join(f"- {name}: {HINTS.get(name, m.label)}" for name, m in METRICS.items())
    dimensions = ", ".join(DIMENSIONS)
    return (
        "You turn a merchant's question about their store's data into a query. Choose the metric, "
        "the dimension to split by (none for a single number), the period, the comparison "
        "(previous period, year_ago, or none) and top_n (0 unless the question asks for the top or "
        "bottom N; order asc for bottom/worst/least). Use metric none when the question is not "
        "about one of these metrics. Reply with JSON only.\n"
        f"Metrics:\n{metrics}\nDimensions: {dimensions}\nPeriods: {PERIOD_HINTS}"
    )


def ask_messages(question: str) -> list[Message]:
    messages = [Message("system", system_prompt())]
    for example, answer in EXAMPLES:
        messages += [Message("user", example), Message("assistant", answer)]
    messages.append(Message("user", " ".join(question.split())[:500]))
    return messages


class Unreadable(ValueError):
    """The model's reply names no metric, or a period it did not complete."""


def spec_fields(output: BaseModel, *, period: Period | None = None) -> dict[str, Any]:
    """The QuerySpec fields of the model's reply; :class:`Unreadable` when it found no metric.

    ``period``: one already read (by the rules), which replaces the model's. A ``last_n_*``
    period without a count is the last one ("last_n_weeks" alone: the last full week)."""
    data = output.model_dump()
    if data["metric"] == "none":
        raise Unreadable("the question names none of the metrics")
    dimension = None if data["dimension"] == "none" else data["dimension"]
    categorical = dimension is not None and DIMENSIONS[dimension].grain is None
    return {
        "metric": data["metric"],
        "dimension": dimension,
        "period": period or _period(data),
        "compare_to": None if data["compare_to"] == "none" else data["compare_to"],
        "top_n": (data["top_n"] or None) if categorical else None,
        "order": data["order"],
        "filters": {},
    }


def _period(data: dict[str, Any]) -> Period:
    kind, n, year, month = data["period"], data["n"], data["year"], data["month"]
    period_fields: dict[str, Any] = {"kind": kind}
    if kind.startswith("last_n_"):
        period_fields["n"] = n or 1
    elif kind == "month":
        if not month:
            raise Unreadable("the model chose a month without saying which")
        period_fields.update(month=month, year=year or None)
    elif kind == "year":
        if not year:
            raise Unreadable("the model chose a year without saying which")
        period_fields["year"] = year
    try:
        return Period(**period_fields)
    except ValidationError as exc:
        raise Unreadable(f"the model chose an impossible period ({exc.errors()[0]['msg']})") from None


def llm_spec_fields(
    llm: LLMBackend, question: str, *, period: Period | None = None, max_tokens: int = MAX_TOKENS
) -> dict[str, Any]:
    """Ask ``llm`` to read ``question`` (greedy, under the schema) and return the QuerySpec fields
    (``period``: one the rules read, kept over the model's)."""
    output = generate(
        llm,
        ask_messages(question),
        output_model(),
        task=TASK,
        max_tokens=max_tokens,
        temperature=0.0,
        max_attempts=2,
    )
    return spec_fields(output, period=period)
