"""Answer a :class:`~shopops.reports.semantic_spec.QuerySpec`: the number, the query used and a chart.

:func:`run_query` runs every statement on one read-only connection (see
:mod:`shopops.reports.semantic_query`), so the store's "today" and every figure come from the same
snapshot. Time splits list every day, week or month of the period, a quiet one as 0 (a ratio as
"no data"), so a chart never skips a bucket silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select

from shopops.charts import Bar, Series, bar_chart, line_chart
from shopops.reports.semantic import DIMENSIONS, METRICS, TimeGrain
from shopops.reports.semantic_periods import (
    DAY,
    EPOCH,
    DateRange,
    add_months,
    comparison_range,
    resolve_period,
)
from shopops.reports.semantic_query import (
    Group,
    auto_grain,
    build_statement,
    dimension_of,
    fetch,
    group_value,
    read_only_connection,
    render_sql,
    store_today,
    tables_read,
)
from shopops.reports.semantic_spec import QuerySpec
from shopops.store.db import Database

Language = Literal["en", "zh"]
TEXT_ROWS = 5  # rows named in the one-paragraph answer (all rows are in ``rows``)


class AnswerRow(BaseModel):
    label: str
    value: float | None
    previous: float | None = None
    change_pct: float | None = None


class Comparison(BaseModel):
    period: str
    start: dt.date
    end: dt.date = Field(description="the last day, inclusive")
    value: float | None
    change_pct: float | None = Field(description="(value now - value then) / value then x 100")


class Answer(BaseModel):
    spec: QuerySpec
    metric: str
    metric_label: str
    unit: str
    period: str
    start: dt.date
    end: dt.date = Field(description="the last day, inclusive")
    today: dt.date = Field(description="the store's today: the date of its newest order, unless given")
    value: float | None = Field(description="the metric over the whole period (and filters)")
    comparison: Comparison | None = None
    rows: list[AnswerRow] = Field(default_factory=list, description="the split by the dimension, if any")
    text: str
    query: str = Field(description="the query used, in words")
    sql: str = Field(description="the main statement, as run on a read-only connection")
    chart_svg: str


def change_pct(now: float | None, then: float | None) -> float | None:
    if now is None or then is None or then == 0:
        return None
    return round((now - then) / abs(then) * 100, 2)


def tidy(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value, {"money": 2, "ratio": 6, "rating": 4}.get(unit, 6))


def format_value(value: float | None, unit: str, language: Language = "en") -> str:
    if value is None:
        return "无数据" if language == "zh" else "no data"
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "rating":
        return f"{value:.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _next_bucket(day: dt.date, grain: TimeGrain) -> dt.date:
    if grain == "day":
        return day + DAY
    return day + dt.timedelta(days=7) if grain == "week" else add_months(day, 1)


def _bucket_start(day: dt.date, grain: TimeGrain) -> dt.date:
    if grain == "day":
        return day
    return day - dt.timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def fill_buckets(groups: list[Group], period: DateRange, grain: TimeGrain) -> list[Group | None]:
    """One entry per bucket of ``period`` (None where the data has none); all time starts at the data."""
    found = {g.label: g for g in groups if g.label}
    if not found and period.start == EPOCH:
        return []
    first = min(dt.date.fromisoformat(label) for label in found) if period.start == EPOCH else period.start
    day, out = _bucket_start(first, grain), []
    while day < period.end:
        out.append(found.get(day.isoformat()))
        day = _next_bucket(day, grain)
    return out


def _bucket_labels(period: DateRange, grain: TimeGrain, filled: list[Group | None]) -> list[str]:
    labels, day = [], _bucket_start(period.start, grain)
    if period.start == EPOCH:
        day = next((dt.date.fromisoformat(g.label) for g in filled if g and g.label), day)
    for _ in filled:
        labels.append(day.isoformat()[:7] if grain == "month" else day.isoformat())
        day = _next_bucket(day, grain)
    return labels


def _describe_query(spec: QuerySpec, current: DateRange, previous: DateRange | None, today: dt.date) -> str:
    metric = METRICS[spec.metric]
    lines = [
        f"metric: {metric.name} = {metric.definition}",
        f"period: {current.describe()}; the store's today is {today.isoformat()}",
    ]
    if previous is not None:
        lines.append(f"compared with: {previous.describe()}")
    if spec.dimension:
        split = f"split by: {DIMENSIONS[spec.dimension].label}"
        if spec.top_n:
            split += f", {'bottom' if spec.order == 'asc' else 'top'} {spec.top_n}"
        lines.append(split)
    for name, value in sorted(spec.filters.items()):
        lines.append(f"filter: {name} = {value}" + (" (and its subcategories)" if name == "category" else ""))
    return "\n".join(lines)


def _sentence(answer: Answer, language: Language) -> str:
    metric = METRICS[answer.metric]
    unit = answer.unit
    period = DateRange(answer.start, answer.end + DAY, answer.period, answer.period)
    value = format_value(answer.value, unit, language)
    filters = sorted(answer.spec.filters.items())
    if language == "zh":
        scope = "".join(f"（{DIMENSIONS[k].label_zh}：{v}）" for k, v in filters)
        head = f"{metric.label_zh}{scope}（{answer.period}，{period.dates()}）：{value}"
    else:
        scope = "".join(f" ({DIMENSIONS[k].label} {v})" for k, v in filters)
        head = f"{metric.label.capitalize()}{scope}, {answer.period} ({period.dates()}): {value}"
    comparison = answer.comparison
    if comparison is not None:
        then = format_value(comparison.value, unit, language)
        pct = comparison.change_pct
        if language == "zh":
            move = (
                "无法计算变化"
                if pct is None
                else "持平"
                if pct == 0
                else f"{'上升' if pct > 0 else '下降'}{abs(pct):.1f}%"
            )
            head += f"；{comparison.period}为{then}，{move}"
        else:
            move = (
                "change n/a"
                if pct is None
                else "unchanged"
                if pct == 0
                else f"{'up' if pct > 0 else 'down'} {abs(pct):.1f}%"
            )
            head += f"; {move} from {then} {comparison.period}"
    if answer.rows and answer.spec.dimension and not DIMENSIONS[answer.spec.dimension].grain:
        named = [
            f"{r.label or '(none)'} {format_value(r.value, unit, language)}" for r in answer.rows[:TEXT_ROWS]
        ]
        head += ("。" if language == "zh" else ". ") + ("；" if language == "zh" else "; ").join(named)
    return head + ("。" if language == "zh" else ".")


def _chart(
    answer: Answer, labels: list[str], now: list[float | None], then: list[float | None] | None
) -> str:
    metric = METRICS[answer.metric]
    title = f"{metric.label} — {answer.period}"
    dimension = DIMENSIONS[answer.spec.dimension] if answer.spec.dimension else None
    if dimension is not None and dimension.grain is None:
        scale, name = (100.0, f"{metric.label} (%)") if metric.unit == "ratio" else (1.0, metric.label)
        bars = [
            Bar(row.label or "(none)", {} if row.value is None else {name: round(row.value * scale, 2)})
            for row in answer.rows
        ]
        return bar_chart(title, bars, part_order=[name], test_id="ask-chart")
    series = [Series(answer.period, now)]
    if then is not None and answer.comparison is not None:
        series.append(Series(answer.comparison.period, then[: len(now)], dashed=True))
    return line_chart(title, labels, series, percent=metric.unit == "ratio", test_id="ask-chart")


@dataclass
class _Fetched:
    """Everything one question reads, from one read-only connection."""

    today: dt.date
    current: DateRange
    previous: DateRange | None
    main: Select[Any]  # the statement shown as "the query used"
    total: Group | None
    previous_total: Group | None
    groups: list[Group] = field(default_factory=list)  # a split by a categorical dimension
    previous_groups: list[Group] = field(default_factory=list)
    grain: TimeGrain = "day"  # of the time split, or of the trend chart of a single number
    trend: list[Group | None] = field(default_factory=list)
    previous_trend: list[Group | None] = field(default_factory=list)


def _fetch(db: Database, spec: QuerySpec, today: dt.date | None) -> _Fetched:
    dimension = dimension_of(spec)
    dialect = db.dialect
    with read_only_connection(db) as conn:
        today = today or store_today(conn)
        current = resolve_period(spec.period, today)
        previous = comparison_range(spec.period, current, spec.compare_to) if spec.compare_to else None
        total_stmt = build_statement(spec, current, dialect)
        out = _Fetched(
            today=today,
            current=current,
            previous=previous,
            main=total_stmt,
            total=next(iter(fetch(conn, total_stmt)), None),
            previous_total=next(iter(fetch(conn, build_statement(spec, previous, dialect))), None)
            if previous
            else None,
        )
        if dimension is not None and dimension.grain is None:
            out.main = build_statement(spec, current, dialect, dimension=dimension, limit=spec.top_n)
            out.groups = fetch(conn, out.main)
            if previous is not None and out.groups:
                labels = [g.label or "" for g in out.groups]
                out.previous_groups = fetch(
                    conn, build_statement(spec, previous, dialect, dimension=dimension, labels=labels)
                )
            return out
        out.grain = dimension.grain if dimension and dimension.grain else auto_grain(current)
        trend_stmt = build_statement(spec, current, dialect, grain=out.grain)
        out.main = trend_stmt if dimension else total_stmt
        out.trend = fill_buckets(fetch(conn, trend_stmt), current, out.grain)
        if previous is not None:
            before = fetch(conn, build_statement(spec, previous, dialect, grain=out.grain))
            out.previous_trend = fill_buckets(before, previous, out.grain)[: len(out.trend)]
        return out


def _rows(spec: QuerySpec, got: _Fetched, labels: list[str]) -> list[AnswerRow]:
    """The split's rows, each with the compared period's value where there is one."""
    measure, unit = spec.measure, METRICS[spec.metric].unit

    def value(group: Group | None) -> float | None:
        return tidy(group_value(group, measure), unit)

    if got.groups:
        before = {g.label: value(g) for g in got.previous_groups}
        pairs = [(g.label or "", value(g), before.get(g.label)) for g in got.groups]
    elif spec.dimension is not None:
        then = [value(g) for g in got.previous_trend]
        pairs = [
            (label, value(g), then[i] if i < len(then) else None)
            for i, (label, g) in enumerate(zip(labels, got.trend, strict=True))
        ]
    else:
        return []
    compared = got.previous is not None
    return [
        AnswerRow(
            label=label,
            value=now,
            previous=then_value if compared else None,
            change_pct=change_pct(now, then_value) if compared else None,
        )
        for label, now, then_value in pairs
    ]


def run_query(
    db: Database, spec: QuerySpec, *, today: dt.date | None = None, language: Language = "en"
) -> Answer:
    """Answer ``spec`` from ``db``: value, comparison, rows, the query in words and SQL, a chart."""
    metric = METRICS[spec.metric]
    got = _fetch(db, spec, today)
    value = tidy(group_value(got.total, spec.measure), metric.unit)
    comparison = None
    if got.previous is not None:
        then = tidy(group_value(got.previous_total, spec.measure), metric.unit)
        comparison = Comparison(
            period=got.previous.name_zh if language == "zh" else got.previous.name,
            start=got.previous.start,
            end=got.previous.last_day,
            value=then,
            change_pct=change_pct(value, then),
        )
    labels = [] if got.groups else _bucket_labels(got.current, got.grain, got.trend)
    answer = Answer(
        spec=spec,
        metric=metric.name,
        metric_label=metric.label_zh if language == "zh" else metric.label,
        unit=metric.unit,
        period=got.current.name_zh if language == "zh" else got.current.name,
        start=got.current.start,
        end=got.current.last_day,
        today=got.today,
        value=value,
        comparison=comparison,
        rows=_rows(spec, got, labels),
        text="",
        query=_describe_query(spec, got.current, got.previous, got.today)
        + f"\ntables: {', '.join(sorted(tables_read(got.main)))}",
        sql=render_sql(got.main, db.engine.dialect),
        chart_svg="",
    )
    answer.text = _sentence(answer, language)
    now = [tidy(group_value(g, spec.measure), metric.unit) for g in got.trend]
    then_values = [tidy(group_value(g, spec.measure), metric.unit) for g in got.previous_trend]
    answer.chart_svg = _chart(answer, labels, now, then_values if got.previous else None)
    return answer
