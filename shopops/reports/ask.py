"""Questions over store data in plain language: ``ask(ctx, "AOV last week vs the week before")``.

A question becomes a :class:`~shopops.reports.semantic_spec.QuerySpec` and is answered by
:func:`~shopops.reports.semantic_answer.run_query` on a read-only connection: the number, the
query used (in words and SQL) and a chart. Three modes of translation:

- ``rules``: the deterministic reader of :mod:`shopops.reports.ask_rules` only;
- ``llm``: the model fills the schema of :mod:`shopops.reports.ask_llm` (filters still come from
  the store's own values, matched deterministically);
- ``auto`` (default): the rules when they find a metric, else the model, with every part the rules
  did read (period, comparison, top-N, split) kept over the model's.

Why rules first, measured by ``bench/ask.py`` (the seeded test store; packaged qwen2.5-coder-0.5b
on a shared 2-core machine): on the 41 test questions the rules answered 41 exactly at a median
5 ms, the model alone 21 at a median 16 s (it confuses similar metrics, e.g. returning customers
and return rate, and misreads named months); on 8 paraphrases away from the rules' keywords the
rules read none, the model 4 and auto 3. So the model only gets what the rules cannot read.

In every mode a request to change data or to see personal data or credentials is refused before
anything runs, and a question that names nothing the store measures gets the list of what can be
asked, not a guess.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from shopops.errors import BackendError, InputError
from shopops.langid import detect_language
from shopops.llm.base import LLMBackend
from shopops.reports.ask_llm import Unreadable, llm_spec_fields
from shopops.reports.ask_rules import (
    REFUSAL,
    RuleParse,
    Vocabulary,
    mentions_store_data,
    parse_question,
    refusal,
)
from shopops.reports.semantic import (
    DIMENSIONS,
    LINES,
    ORDERS,
    PRODUCTS,
    SALES,
    VARIANTS,
    catalogue,
)
from shopops.reports.semantic_answer import Answer, run_query
from shopops.reports.semantic_query import read_values
from shopops.reports.semantic_spec import Period, QuerySpec

if TYPE_CHECKING:
    from shopops.context import AppContext
    from shopops.store.db import Database

Mode = Literal["auto", "rules", "llm"]
MODES: tuple[str, ...] = ("auto", "rules", "llm")
MAX_QUESTION_CHARS = 500
EARLIEST_TODAY, LATEST_TODAY = dt.date(1971, 1, 1), dt.date(2100, 12, 31)  # periods stay valid dates


class AskResult(BaseModel):
    question: str
    mode: Mode
    translated_by: Literal["rules", "llm", "none"]
    answered: bool
    message: str  # the answer in one paragraph, or why there is none and what can be asked
    spec: QuerySpec | None = None
    answer: Answer | None = None
    seconds: float


def load_vocabulary(db: Database) -> Vocabulary:
    """The store's categories, SKUs, countries and product titles (read-only)."""
    categories, skus, countries, products = read_values(
        db,
        [
            select(PRODUCTS.c.category).distinct(),
            select(LINES.c.sku).union(select(VARIANTS.c.sku), select(SALES.c.sku)),
            select(ORDERS.c.shipping_country).distinct(),
            select(PRODUCTS.c.title).distinct(),
        ],
    )
    return Vocabulary(
        categories=tuple(sorted(c for c in categories if c)),
        skus={s.lower(): s for s in skus if s},
        countries=frozenset(c.upper() for c in countries if c),
        products=tuple(sorted(p for p in products if p)),
    )


def _unanswered(question: str, mode: Mode, reason: str, started: float, by: str = "none") -> AskResult:
    return AskResult(
        question=question,
        mode=mode,
        translated_by=by,  # type: ignore[arg-type]
        answered=False,
        message=f"{reason} {catalogue()}",
        seconds=round(time.perf_counter() - started, 3),
    )


def _merge(llm_fields: dict[str, Any], parsed: RuleParse) -> dict[str, Any]:
    """The model's reading, with every part the rules did read kept over it."""
    ruled = parsed.spec_fields()
    merged = {**llm_fields, "filters": ruled["filters"]}
    if parsed.period is not None:
        merged["period"] = ruled["period"]
    if parsed.compare_to is not None:
        merged["compare_to"] = ruled["compare_to"]
    if ruled["dimension"] is not None:
        merged["dimension"] = ruled["dimension"]
    if parsed.top_n is not None:
        merged["top_n"], merged["order"] = parsed.top_n, parsed.order
    return _consistent(merged)


def _consistent(fields: dict[str, Any]) -> dict[str, Any]:
    """No split by a dimension that a filter pins to one value; top-N only with a categorical split."""
    dimension = fields.get("dimension")
    if dimension is not None and dimension in fields.get("filters", {}):
        dimension = fields["dimension"] = None
    if dimension is None or DIMENSIONS[dimension].grain is not None:
        fields["top_n"] = None
    return fields


def _validation_message(error: ValidationError) -> str:
    messages = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"])
        messages.append((f"{where}: " if where else "") + str(e["msg"]).removeprefix("Value error, "))
    return "; ".join(messages)


def _llm_fields(
    llm: LLMBackend | Callable[[], LLMBackend],
    question: str,
    gate: Callable[[], AbstractContextManager[Any]] | None,
    period: Period | None,
) -> dict[str, Any]:
    backend = llm if isinstance(llm, LLMBackend) else llm()
    with (gate or nullcontext)():
        return llm_spec_fields(backend, question, period=period)


def answer_question(
    db: Database,
    question: str,
    *,
    mode: Mode = "auto",
    llm: LLMBackend | Callable[[], LLMBackend] | None = None,
    today: dt.date | None = None,
    llm_gate: Callable[[], AbstractContextManager[Any]] | None = None,
) -> AskResult:
    """Answer ``question`` from ``db`` (see the module docstring). ``llm`` may be a factory, so the
    model loads only when a question needs it; ``llm_gate`` wraps each model call (admission)."""
    started = time.perf_counter()
    question = " ".join(question.split())
    if not question or len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"a question must be 1 to {MAX_QUESTION_CHARS} characters",
            hint='ask one thing, e.g. "revenue last month vs the month before"',
        )
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}", hint="use auto, rules or llm")
    if today is not None and not EARLIEST_TODAY <= today <= LATEST_TODAY:
        raise InputError(
            f"today {today.isoformat()} is out of range",
            hint=f"give a date between {EARLIEST_TODAY.isoformat()} and {LATEST_TODAY.isoformat()}",
        )
    if refusal(question):
        return _unanswered(question, mode, REFUSAL, started)
    language = "zh" if detect_language(question) == "zh" else "en"
    parsed = parse_question(question, load_vocabulary(db))
    if parsed.problem:
        return _unanswered(question, mode, f"I cannot answer that: {parsed.problem}.", started)
    fields = parsed.spec_fields()
    by: Literal["rules", "llm"] = "rules"
    if mode == "llm" or (mode == "auto" and parsed.metric is None):
        if not mentions_store_data(question) or llm is None:
            reason = (
                "That question is not about the store's data."
                if llm is not None
                else "No model is configured."
            )
            return _unanswered(question, mode, reason, started)
        try:
            ruled_period = parsed.period if mode == "auto" else None  # kept over the model's
            llm_fields = _llm_fields(llm, question, llm_gate, ruled_period)
        except Unreadable as exc:
            return _unanswered(question, mode, f"I could not read that question ({exc}).", started, "llm")
        except BackendError as exc:
            if mode == "llm":
                raise
            return _unanswered(
                question, mode, f"I could not read that question (the model failed: {exc.message}).", started
            )
        by = "llm"
        if mode == "auto":
            fields = _merge(llm_fields, parsed)
        else:
            fields = _consistent({**llm_fields, "filters": fields["filters"]})
    elif parsed.metric is None:
        return _unanswered(question, mode, "I could not find a metric in that question.", started)
    try:
        spec = QuerySpec.model_validate(fields)
    except ValidationError as exc:
        return _unanswered(question, mode, f"I cannot answer that: {_validation_message(exc)}.", started, by)
    try:
        answer = run_query(db, spec, today=today, language=language)
    except InputError as exc:
        return _unanswered(question, mode, f"I cannot answer that: {exc.message}.", started, by)
    return AskResult(
        question=question,
        mode=mode,
        translated_by=by,
        answered=True,
        message=answer.text,
        spec=spec,
        answer=answer,
        seconds=round(time.perf_counter() - started, 3),
    )


def ask(
    ctx: AppContext,
    question: str,
    *,
    mode: Mode = "auto",
    today: dt.date | None = None,
    llm_gate: Callable[[], AbstractContextManager[Any]] | None = None,
) -> AskResult:
    """:func:`answer_question` over the app's store and configured model (loaded only if needed)."""
    return answer_question(ctx.db, question, mode=mode, llm=lambda: ctx.llm, today=today, llm_gate=llm_gate)
