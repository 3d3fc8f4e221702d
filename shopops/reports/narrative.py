"""The report's narrative: the model words the computed facts, the checker vets every sentence.

:func:`write_narrative` gives the model a JSON of the report's facts, formatted as the report shows
them (``$1,414.00``, ``up 6.7%``), and asks for a few sentences under a JSON schema. Each sentence
is checked (:mod:`shopops.reports.narrative_check`); the failing ones go back to the model once,
with what was wrong, and a rewrite that still fails is dropped. The code's own plain sentences
(:func:`statements`) are the fallback: they are added for each headline KPI (revenue, orders,
AOV) the kept text does not mention, and they are the whole narrative when nothing survives, when
the model is unavailable, or when no model is asked. Every sentence of the result passed the
checker, the code's included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from shopops.errors import BackendError
from shopops.llm.base import LLMBackend, Message
from shopops.reports.facts import KPI_LABELS, Kpi, ReportFacts, fmt_change, fmt_money, fmt_number, fmt_value
from shopops.reports.narrative_check import Problem, check_sentence, check_text
from shopops.reports.narrative_check import numbers_read as count_numbers
from shopops.reports.narrative_index import index_facts
from shopops.reports.narrative_read import SUBJECT_WORDS, phrase_pattern, split_sentences
from shopops.structured import generate_with_result

Language = Literal["en", "zh"]
TASK = "report.narrative"
HEADLINE_KPIS = ("revenue", "orders", "aov")  # and units for a store with a sales history only
PLURAL_KPIS = ("orders", "units", "new_customers", "returning_customers")
MAX_SENTENCES = 8
Sentence = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class NarrativeOutput(BaseModel):
    sentences: list[Sentence] = Field(min_length=1, max_length=MAX_SENTENCES)


@dataclass(frozen=True)
class Narrative:
    """The checked narrative. ``source``: who wrote the kept sentences (model, code or both)."""

    sentences: list[str]
    language: Language
    source: Literal["model", "mixed", "code"]
    removed: list[dict[str, str]] = field(default_factory=list)  # sentence, problem
    rewritten: int = 0  # sentences the second attempt fixed
    added: list[str] = field(default_factory=list)  # the code's sentences added
    numbers_checked: int = 0
    generation_ids: list[int] = field(default_factory=list)
    error: str = ""  # why the model was not used, when it failed

    @property
    def text(self) -> str:
        return ("" if self.language == "zh" else " ").join(self.sentences)


def _basis(facts: ReportFacts, language: Language, yoy: bool = False) -> str:
    if yoy:
        return "同比" if language == "zh" else "year over year"
    if language == "zh":
        return "环比"
    return "week over week" if facts.period.kind == "weekly" else "month over month"


def _move(delta: float, pct: float | None, kpi: Kpi, currency: str, language: Language) -> str:
    """``up 6.7%`` / ``下降17.1个百分点`` / ``unchanged``: the size of a change, as the facts hold it."""
    if delta == 0:
        return "持平" if language == "zh" else "unchanged"
    up = delta > 0
    if kpi.unit == "percent":
        size = f"{abs(delta):.1f}个百分点" if language == "zh" else f"{abs(delta):.1f} points"
    elif pct is not None:
        size = f"{abs(pct):.1f}%"
    else:
        size = fmt_value(abs(delta), kpi.unit, currency)
    if language == "zh":
        return ("上升" if up else "下降") + size
    return ("up " if up else "down ") + size


def kpi_statement(kpi: Kpi, facts: ReportFacts, language: Language) -> str:
    label = KPI_LABELS[language][kpi.name]
    value = fmt_value(kpi.value, kpi.unit, facts.currency)
    parts = []
    for delta, pct, yoy in ((kpi.change, kpi.change_pct, False), (kpi.yoy_change, kpi.yoy_pct, True)):
        if delta is not None:
            move = _move(delta, pct, kpi, facts.currency, language)
            parts.append(
                f"{_basis(facts, language, yoy)}{move}"
                if language == "zh"
                else f"{move} {_basis(facts, language, yoy)}"
            )
    if language == "zh":
        return f"{label}为{value}" + "".join(f"，{p}" for p in parts) + "。"
    verb = "were" if kpi.name in PLURAL_KPIS else "was"
    return f"{label} {verb} {value}" + (", " + " and ".join(parts) if parts else "") + "."


def headline_kpis(facts: ReportFacts) -> tuple[str, ...]:
    return HEADLINE_KPIS if facts.source == "orders" else (*HEADLINE_KPIS, "units")


def _mover_statements(facts: ReportFacts, language: Language) -> list[str]:
    out = []
    measure = facts.mover_metric
    for movers, up in ((facts.movers_up, True), (facts.movers_down, False)):
        if not movers:
            continue
        m = movers[0]
        money = measure == "revenue"
        value = fmt_money(m.value, facts.currency) if money else f"{fmt_number(m.value)}"
        change = fmt_money(abs(m.change), facts.currency) if money else fmt_number(abs(m.change))
        name = (f"{m.sku}（{m.title}）" if language == "zh" else f"{m.sku} ({m.title})") if m.title else m.sku
        if language == "zh":
            word, metric = ("增加" if up else "减少"), ("销售额" if money else "销量")
            out.append(f"{'增长' if up else '下降'}最多的是{name}：{metric}{value}，环比{word}{change}。")
        else:
            metric = "revenue" if money else "units"
            lead = "Biggest riser" if up else "Biggest faller"
            out.append(
                f"{lead}: {name}, {metric} {value}, "
                f"{'up' if up else 'down'} {change} {_basis(facts, language)}."
            )
    return out


def statements(facts: ReportFacts, language: Language = "en") -> list[str]:
    """The code's own sentences for the report's top facts; each passes the checker by construction."""
    out = [kpi_statement(k, facts, language) for k in facts.kpis if k.name in headline_kpis(facts)]
    out += _mover_statements(facts, language)
    zh = language == "zh"
    if (c := facts.customers) is not None:
        out.append(
            f"下单客户{c.customers}位，其中新客户{c.new}位、老客户{c.returning}位。"
            if zh
            else f"{c.customers} customers ordered: {c.new} new customers and "
            f"{c.returning} returning customers."
        )
    if (s := facts.stock) is not None:
        out.append(
            f"库存：跟踪{s.skus}个SKU，缺货{s.out_of_stock}个，缺货风险{s.low_cover}个，积压{s.overstock}个。"
            if zh
            else f"Stock: {s.skus} SKUs tracked, {s.out_of_stock} out of stock, "
            f"{s.low_cover} at risk of running out, {s.overstock} overstocked."
        )
    if (r := facts.reviews) is not None and r.negative_pct is not None:
        out.append(
            f"本期评价{r.reviews}条，负面评价占{r.negative_pct:.1f}%。"
            if zh
            else f"{r.reviews} reviews came in; {r.negative_pct:.1f}% of those analysed were negative."
        )
        if r.top_complaints:
            a = r.top_complaints[0]
            out.append(
                f"最多的投诉是{a.aspect}：{a.count}条评价。"
                if zh
                else f"The top complaint was {a.aspect}: {a.count} reviews."
            )
    if (f := facts.forecast) is not None:
        window = f"{f.start.isoformat()}{'至' if zh else ' to '}{f.end.isoformat()}"
        if zh:
            out.append(f"预测{window}销量{fmt_number(f.units)}件（日均{fmt_number(f.daily_units)}件）。")
        else:
            out.append(
                f"Forecast for {window}: {fmt_number(f.units)} units ({fmt_number(f.daily_units)} a day)."
            )
    w = facts.work
    out.append(
        f"未处理预警{w.open_alerts}条，其中高严重度{w.high_alerts}条；待审核应对计划{w.plans_pending}份。"
        if zh
        else f"{w.open_alerts} alerts are open ({w.high_alerts} high severity); "
        f"{w.plans_pending} response plans await review."
    )
    return out


def prompt_facts(facts: ReportFacts) -> dict[str, Any]:
    """The facts as the model sees them: formatted exactly as the report prints them."""
    cur = facts.currency
    pop = "week_over_week" if facts.period.kind == "weekly" else "month_over_month"

    def kpi(k: Kpi) -> dict[str, str]:
        row = {"kpi": KPI_LABELS["en"][k.name], "value": fmt_value(k.value, k.unit, cur)}
        if k.previous is not None:
            row[pop] = f"{fmt_change(k, cur)} (from {fmt_value(k.previous, k.unit, cur)}, {k.direction})"
        if k.year_ago is not None:
            then = fmt_value(k.year_ago, k.unit, cur)
            row["year_over_year"] = f"{fmt_change(k, cur, yoy=True)} (from {then}, {k.yoy_direction})"
        return row

    money = facts.mover_metric == "revenue"

    def mover(m: Any) -> dict[str, str]:
        show = (lambda v: fmt_money(v, cur)) if money else fmt_number
        sign = "+" if m.change > 0 else "-"
        pct = f", {m.change_pct:+.1f}%" if m.change_pct is not None else ""
        return {
            "sku": m.sku,
            "title": m.title,
            facts.mover_metric: show(m.value),
            pop: f"{sign}{show(abs(m.change))}{pct}",
        }

    out: dict[str, Any] = {
        "period": f"{facts.period.start} to {facts.period.end} ({facts.period.kind}, {facts.period.label})",
        "kpis": [kpi(k) for k in facts.kpis],
        "top_risers": [mover(m) for m in facts.movers_up[:3]],
        "top_fallers": [mover(m) for m in facts.movers_down[:3]],
    }
    if (c := facts.customers) is not None:
        out["customers"] = {
            "customers": c.customers,
            "new_customers": c.new,
            "returning_customers": c.returning,
        }
    if (s := facts.stock) is not None:
        out["stock"] = {
            "skus": s.skus,
            "out_of_stock": s.out_of_stock,
            "at_risk_of_running_out": s.low_cover,
            "overstocked": s.overstock,
            "median_days_of_cover": s.median_cover_days,
        }
    if (r := facts.reviews) is not None:
        out["reviews"] = {
            "reviews": r.reviews,
            "average_rating": r.average_rating,
            "negative_pct": r.negative_pct,
            "top_complaints": [f"{a.aspect} ({a.count} reviews)" for a in r.top_complaints],
        }
    if (f := facts.forecast) is not None:
        out["forecast_next_period"] = {
            "from": str(f.start),
            "to": str(f.end),
            "units": fmt_number(f.units),
            "units_per_day": fmt_number(f.daily_units),
        }
    w = facts.work
    out["alerts"] = {
        "open": w.open_alerts,
        "high_severity": w.high_alerts,
        "plans_awaiting_review": w.plans_pending,
    }
    return out


def _messages(facts: ReportFacts, language: Language) -> list[Message]:
    tongue = "Simplified Chinese" if language == "zh" else "English"
    system = (
        f"You write the summary of an e-commerce operations report, in {tongue}, in at most 6 short "
        "sentences: the headline numbers first, then what moved, then what needs attention. Use only the "
        "facts given. Copy every number exactly as written in the facts. Say 'up' only for a change with '+' "
        "and 'down' only for a change with '-'. Name the KPI in every sentence that has a number. Say 'year "
        "over year' when you use a year-over-year change. Do not compute new numbers, totals or differences."
    )
    user = "Facts (JSON):\n" + json.dumps(prompt_facts(facts), ensure_ascii=False)
    return [Message("system", system), Message("user", user)]


def _fix_messages(
    facts: ReportFacts, language: Language, failed: list[tuple[str, list[Problem]]]
) -> list[Message]:
    listed = "\n".join(f"- {s.strip()}  [{'; '.join(p.message for p in problems)}]" for s, problems in failed)
    ask = (
        f"These sentences state numbers or directions that are not in the facts:\n{listed}\n"
        f"Rewrite each one ({len(failed)} sentences, same order) using only the facts, "
        "numbers copied exactly."
    )
    return [*_messages(facts, language), Message("user", ask)]


def _sentences(items: list[str], language: Language) -> list[str]:
    """The model's items as checkable sentences: split, each ending in its full stop."""
    out = []
    for item in items:
        for sentence in split_sentences(item):
            sentence = sentence.strip()
            if sentence and sentence[-1] not in ".!?。！？":
                sentence += "。" if language == "zh" else "."
            if sentence:
                out.append(sentence)
    return out


def _generate(
    llm: LLMBackend, messages: list[Message], language: Language, max_tokens: int
) -> tuple[list[str], int | None]:
    generated = generate_with_result(llm, messages, NarrativeOutput, task=TASK, max_tokens=max_tokens)
    return _sentences(list(generated.output.sentences), language), generated.result.generation_id


def _mentions(text: str, kpi: str) -> bool:
    return any(phrase_pattern(w).search(text) for w in SUBJECT_WORDS[kpi])


def write_narrative(
    llm: LLMBackend | None, facts: ReportFacts, language: Language = "en", *, max_tokens: int = 600
) -> Narrative:
    """The checked narrative of ``facts`` (see the module); ``llm=None`` gives the code's sentences."""
    index = index_facts(facts)
    own = [s for s in statements(facts, language) if not check_sentence(s, index)]
    if llm is None:
        return Narrative(
            own, language, "code", added=own, numbers_checked=count_numbers(" ".join(own), index)
        )
    ids: list[int] = []
    removed: list[dict[str, str]] = []
    fixed: list[str] = []
    try:
        written, gen_id = _generate(llm, _messages(facts, language), language, max_tokens)
        ids += [gen_id] if gen_id else []
        failed = [(s, problems) for s in written if (problems := check_sentence(s, index))]
        if failed:
            rewrites, gen_id = _generate(llm, _fix_messages(facts, language, failed), language, max_tokens)
            ids += [gen_id] if gen_id else []
            for sentence in rewrites[: len(failed)]:
                problems = check_sentence(sentence, index)
                if problems:
                    removed.append({"sentence": sentence, "problem": problems[0].message})
                else:
                    fixed.append(sentence)
    except BackendError as exc:
        return Narrative(
            own,
            language,
            "code",
            added=own,
            error=str(exc).splitlines()[0],
            numbers_checked=count_numbers(" ".join(own), index),
        )
    removed = [{"sentence": s, "problem": p[0].message} for s, p in failed] + removed
    kept = [s for s in written if not any(s == f for f, _ in failed)] + fixed
    numbers = count_numbers(" ".join(written + fixed), index)
    if not kept:
        return Narrative(own, language, "code", removed, 0, own, numbers, ids)
    joined = " ".join(kept)
    wanted = [k for k in headline_kpis(facts) if facts.kpi(k) is not None and not _mentions(joined, k)]
    added = [s for s in (kpi_statement(facts.kpi(k), facts, language) for k in wanted) if s in own]  # type: ignore[arg-type]
    sentences = kept + added
    left = check_text(("" if language == "zh" else " ").join(sentences), index)
    if left:  # cannot happen: each sentence passed alone and none carries context across; kept as a guard
        raise AssertionError(f"the narrative failed its own check: {left}")
    return Narrative(
        sentences, language, "mixed" if added else "model", removed, len(fixed), added, numbers, ids
    )
