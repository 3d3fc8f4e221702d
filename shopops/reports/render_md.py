"""The report as tables of formatted facts, and as Markdown for chat tools.

:func:`report_tables` is what every format shows besides the narrative and the charts: the KPI
table, movers, customers, stock, reviews, the forecast, alerts and plans, data freshness, each
cell already written the way the report writes numbers (:mod:`shopops.reports.facts`). The HTML
and PDF renderers lay out the same tables, so the three formats cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shopops.reports.facts import (
    KPI_LABELS,
    Mover,
    ReportFacts,
    StockItem,
    fmt_change,
    fmt_money,
    fmt_number,
    fmt_value,
)
from shopops.reports.narrative import Narrative

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "weekly": "Weekly operations report",
        "monthly": "Monthly operations report",
        "summary": "Summary",
        "kpis": "Key figures",
        "kpi": "KPI",
        "now": "This period",
        "previous": "Previous",
        "change": "Change",
        "year_ago": "Year ago",
        "yoy": "YoY",
        "risers": "Top movers up",
        "fallers": "Top movers down",
        "sku": "SKU",
        "product": "Product",
        "customers": "Customers",
        "stock": "Stock health",
        "at_risk": "Stock-out risk",
        "overstocked": "Overstock",
        "reviews": "Reviews",
        "forecast": "Forecast",
        "alerts": "Open alerts and plans",
        "freshness": "Data freshness",
        "item": "Item",
        "value": "Value",
        "charts": "Charts",
        "notes": "Notes",
        "checked": "Every number and direction in this summary was checked against the figures below.",
        "period": "Period",
        "generated": "Generated",
        "on_hand": "On hand",
        "per_day": "Units/day",
        "cover": "Days of cover",
        "lead": "Lead time (d)",
        "complaints": "Top complaints",
        "praise": "Top praise",
        "aspect": "Aspect",
        "count": "Reviews",
        "share": "Share",
        "plans": "Plans awaiting review",
        "severity": "Severity",
        "kind": "Kind",
        "title": "Title",
        "vs_previous": "vs the previous period",
        "none": "none",
    },
    "zh": {
        "weekly": "运营周报",
        "monthly": "运营月报",
        "summary": "摘要",
        "kpis": "关键指标",
        "kpi": "指标",
        "now": "本期",
        "previous": "上期",
        "change": "环比",
        "year_ago": "去年同期",
        "yoy": "同比",
        "risers": "增长最多",
        "fallers": "下降最多",
        "sku": "SKU",
        "product": "商品",
        "customers": "客户",
        "stock": "库存健康",
        "at_risk": "缺货风险",
        "overstocked": "库存积压",
        "reviews": "评价",
        "forecast": "预测",
        "alerts": "未处理预警与计划",
        "freshness": "数据新鲜度",
        "item": "项目",
        "value": "数值",
        "charts": "图表",
        "notes": "说明",
        "checked": "摘要中的每个数字和涨跌方向都已与下方数据核对。",
        "period": "周期",
        "generated": "生成时间",
        "on_hand": "现有库存",
        "per_day": "日均销量",
        "cover": "可售天数",
        "lead": "补货周期（天）",
        "complaints": "主要投诉",
        "praise": "主要好评",
        "aspect": "方面",
        "count": "评价数",
        "share": "占比",
        "plans": "待审核计划",
        "severity": "严重度",
        "kind": "类型",
        "title": "标题",
        "vs_previous": "较上期",
        "none": "无",
    },
}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def words(language: str) -> dict[str, str]:
    return WORDS["zh" if language == "zh" else "en"]


def title_of(facts: ReportFacts, language: str) -> str:
    p = facts.period
    return f"{words(language)[p.kind]} · {p.label} ({p.start.isoformat()} – {p.end.isoformat()})"


def _when(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M UTC") if isinstance(moment, dt.datetime) else moment.isoformat()


def _movers(key: str, title: str, movers: list[Mover], facts: ReportFacts, w: dict[str, str]) -> Table:
    show = (lambda v: fmt_money(v, facts.currency)) if facts.mover_metric == "revenue" else fmt_number
    metric = w["now"] + (" (revenue)" if facts.mover_metric == "revenue" else " (units)")
    rows = [
        [
            m.sku,
            m.title,
            show(m.value),
            show(m.previous),
            ("+" if m.change > 0 else "-") + show(abs(m.change)),
            "—" if m.change_pct is None else f"{m.change_pct:+.1f}%",
        ]
        for m in movers
    ]
    return Table(key, title, [w["sku"], w["product"], metric, w["previous"], w["change"], "%"], rows)


def _stock_items(key: str, title: str, items: list[StockItem], w: dict[str, str]) -> Table:
    rows = [
        [
            i.sku,
            i.title,
            fmt_number(i.on_hand),
            fmt_number(i.daily_units),
            "—" if i.cover_days is None else fmt_number(i.cover_days),
            fmt_number(i.lead_time_days),
        ]
        for i in items
    ]
    return Table(
        key, title, [w["sku"], w["product"], w["on_hand"], w["per_day"], w["cover"], w["lead"]], rows
    )


def report_tables(facts: ReportFacts, language: str = "en") -> list[Table]:
    """The report's tables in order (a section without data has no table)."""
    w, cur, labels = words(language), facts.currency, KPI_LABELS["zh" if language == "zh" else "en"]
    kpis = [
        [
            labels[k.name],
            fmt_value(k.value, k.unit, cur),
            fmt_value(k.previous, k.unit, cur),
            fmt_change(k, cur),
            fmt_value(k.year_ago, k.unit, cur),
            fmt_change(k, cur, yoy=True),
        ]
        for k in facts.kpis
    ]
    out = [
        Table(
            "kpis", w["kpis"], [w["kpi"], w["now"], w["previous"], w["change"], w["year_ago"], w["yoy"]], kpis
        )
    ]
    if facts.movers_up:
        out.append(_movers("risers", w["risers"], facts.movers_up, facts, w))
    if facts.movers_down:
        out.append(_movers("fallers", w["fallers"], facts.movers_down, facts, w))
    pair = [w["item"], w["value"]]
    if (c := facts.customers) is not None:
        rows = [
            [w["customers"], str(c.customers)],
            [labels["new_customers"], str(c.new)],
            [labels["returning_customers"], str(c.returning)],
            ["new %", "—" if c.new_share_pct is None else f"{c.new_share_pct:.1f}%"],
        ]
        out.append(Table("customers", w["customers"], pair, rows))
    if (s := facts.stock) is not None:
        rows = [
            ["SKUs", str(s.skus)],
            ["out of stock", str(s.out_of_stock)],
            ["at risk (cover < lead time)", str(s.low_cover)],
            [f"overstock (> {s.overstock_days} d of cover or no demand)", str(s.overstock)],
            ["median days of cover", "—" if s.median_cover_days is None else fmt_number(s.median_cover_days)],
            ["SKU-days out of stock in the period", "—" if s.stockout_days is None else str(s.stockout_days)],
            ["demand window (days)", str(s.demand_days)],
        ]
        out.append(Table("stock", w["stock"], pair, rows))
        if s.at_risk:
            out.append(_stock_items("at_risk", w["at_risk"], s.at_risk, w))
        if s.overstocked:
            out.append(_stock_items("overstocked", w["overstocked"], s.overstocked, w))
    if (r := facts.reviews) is not None:

        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v:.1f}%"

        rows = [
            [w["reviews"], str(r.reviews)],
            ["analysed", str(r.analyzed)],
            ["average rating", "—" if r.average_rating is None else f"{r.average_rating:.2f}"],
            [
                "average rating, previous",
                "—" if r.previous_average_rating is None else f"{r.previous_average_rating:.2f}",
            ],
            ["negative", pct(r.negative_pct)],
            ["negative, previous", pct(r.previous_negative_pct)],
            ["positive", pct(r.positive_pct)],
        ]
        out.append(Table("reviews", w["reviews"], pair, rows))
        for key, items in (("complaints", r.top_complaints), ("praise", r.top_praise)):
            if items:
                rows = [[a.aspect, str(a.count), f"{a.share_pct:.1f}%"] for a in items]
                out.append(Table(key, w[key], [w["aspect"], w["count"], w["share"]], rows))
    if (f := facts.forecast) is not None:
        rows = [
            [w["period"], f"{f.start.isoformat()} – {f.end.isoformat()}"],
            ["units", fmt_number(f.units)],
            ["units per day", fmt_number(f.daily_units)],
            [
                "units per day, this period",
                "—" if f.current_daily_units is None else fmt_number(f.current_daily_units),
            ],
            [w["change"], "—" if f.change_pct is None else f"{f.change_pct:+.1f}%"],
            ["days covered by the run", f"{f.days_covered} / {f.days}"],
            ["SKUs", str(f.skus)],
            ["run", f"{_when(f.generated_at)} ({'daily' if f.freq == 'D' else 'weekly'})"],
        ]
        out.append(Table("forecast", w["forecast"], pair, rows))
    work = facts.work
    rows = [
        ["open alerts", str(work.open_alerts)],
        ["high severity", str(work.high_alerts)],
        ["raised in the period", str(work.new_alerts)],
        *([kind, str(n)] for kind, n in work.by_kind.items()),
        [w["plans"], str(work.plans_pending)],
        ["plans approved (all time)", str(work.plans_approved)],
    ]
    out.append(Table("alerts", w["alerts"], pair, rows))
    if work.top_alerts:
        rows = [[f"#{a.id}", a.severity, a.kind, a.title] for a in work.top_alerts]
        out.append(Table("top_alerts", w["alerts"], ["#", w["severity"], w["kind"], w["title"]], rows))
    if work.plans:
        rows = [[f"#{p.draft_id}", f"#{p.alert_id}", p.summary] for p in work.plans]
        out.append(Table("plans", w["plans"], ["draft", "alert", w["summary"]], rows))
    fresh = facts.freshness
    rows = [
        ["last order", _when(fresh.last_order_at)],
        ["last sales day", _when(fresh.last_sale_on)],
        ["last review", _when(fresh.last_review_at)],
        ["inventory counted", _when(fresh.inventory_updated_at)],
        ["forecast run", _when(fresh.forecast_generated_at)],
        [w["generated"], _when(fresh.generated_at)],
    ]
    out.append(Table("freshness", w["freshness"], pair, rows))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown(facts: ReportFacts, narrative: Narrative) -> str:
    """The report for chat tools: title, period and freshness, the checked summary, every table."""
    language = narrative.language
    w = words(language)
    fresh = facts.freshness
    parts = [
        f"# {title_of(facts, language)}",
        f"_{w['generated']}: {_when(fresh.generated_at)} · last order: {_when(fresh.last_order_at)} · "
        f"last sales day: {_when(fresh.last_sale_on)}_",
        f"## {w['summary']}",
        narrative.text,
        f"_{w['checked']}_",
    ]
    if facts.notes:
        parts += [f"## {w['notes']}", "\n".join(f"- {n}" for n in facts.notes)]
    seen: set[str] = set()
    for table in report_tables(facts, language):
        if table.title not in seen:
            parts.append(f"## {table.title}")
            seen.add(table.title)
        parts.append(markdown_table(table))
    return "\n\n".join(parts) + "\n"
