"""The report's charts, drawn with matplotlib from the facts alone: SVG for the HTML, pages for the PDF.

No pyplot and no global backend: each chart is a bare :class:`~matplotlib.figure.Figure`, saved
by the Agg-family writers (``svg``, ``pdf``), so building a report never opens a window or
touches another module's matplotlib state. :func:`chart_style` sets the fonts (a CJK font from
those installed, when there is one, so Chinese titles and product names draw as text, not boxes),
keeps SVG text as text (searchable, small) and makes the SVG ids deterministic.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from shopops.reports.facts import KPI_LABELS, DailyPoint, ReportFacts

UP, DOWN, NOW, BEFORE, MUTED = "#16a34a", "#dc2626", "#2563eb", "#94a3b8", "#d97706"
SIZE = (7.2, 3.0)
# fmt: off
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS",
)
# fmt: on
TITLES = {
    "daily": ("Revenue by day: this period vs the previous", "每日销售额：本期与上期"),
    "daily_units": ("Units by day: this period vs the previous", "每日销量：本期与上期"),
    "trend": ("Revenue and orders by period", "各期销售额与订单数"),
    "trend_units": ("Units by period", "各期销量"),
    "kpis": ("KPI change vs the previous period (%)", "关键指标环比变化（%）"),
    "movers": ("Top and bottom movers", "涨跌幅最大的SKU"),
    "customers": ("New and returning customers", "新老客户"),
    "stock": ("SKUs by days of cover", "按可售天数分布的SKU"),
    "aspects": ("Top review aspects", "评价主要方面"),
    "forecast": ("Units per day and the next period's forecast", "日均销量与下期预测"),
}


@dataclass(frozen=True)
class Drawing:
    """A chart the facts have data for: ``draw`` paints it into any axes (a figure of its own for
    the HTML, a slot on an A4 page for the PDF)."""

    key: str
    title: str
    draw: Callable[[Axes], None]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    figure: Figure


@cache
def cjk_fonts() -> tuple[str, ...]:
    """The CJK fonts matplotlib can find on this machine (empty when none is installed)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FONTS if name in names)


def needs_cjk(facts: ReportFacts, language: str) -> bool:
    """Whether the charts will draw Chinese (or other wide) text: titles in zh, or such a name."""
    names = [m.sku for m in [*facts.movers_up, *facts.movers_down]]
    if facts.reviews is not None:
        names += [a.aspect for a in [*facts.reviews.top_complaints, *facts.reviews.top_praise]]
    return language == "zh" or not all(name.isascii() for name in names)


@contextmanager
def chart_style(*, cjk: bool = True) -> Iterator[None]:
    """Fonts (with a CJK fallback when ``cjk``: measuring text through the fallback costs about
    three times as much, so ASCII-only charts skip it), SVG text kept as text, deterministic SVG
    ids, no metadata dates."""
    with mpl.rc_context(
        {
            "font.family": ["DejaVu Sans", *(cjk_fonts() if cjk else ())],  # a list: glyph-by-glyph fallback
            "text.parse_math": False,  # "$1,414 ... $236" is money, not mathtext
            "svg.fonttype": "none",
            "svg.hashsalt": "shopops-report",
            "pdf.fonttype": 42,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "font.size": 9,
        }
    ):
        yield


def figure_svg(figure: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no XML declaration, no fixed pixel size)."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" role="img"', svg, count=1
    )


def _title(key: str, language: str) -> str:
    return TITLES[key][1 if language == "zh" else 0]


def _zh(language: str, en: str, zh: str) -> str:
    return zh if language == "zh" else en


def daily_chart(facts: ReportFacts, language: str) -> Drawing | None:
    if not facts.daily:
        return None
    money = facts.mover_metric == "revenue"
    key = "daily" if money else "daily_units"

    def pick(point: DailyPoint) -> float:
        return point.revenue if money else point.units

    def draw(ax: Axes) -> None:
        x = list(range(1, len(facts.daily) + 1))
        ax.plot(x, [pick(p) for p in facts.daily], color=NOW, marker="o", label=facts.period.label)
        if facts.previous_daily and facts.previous:
            before = [pick(p) for p in facts.previous_daily]
            ax.plot(
                range(1, len(before) + 1), before, color=BEFORE, linestyle="--", label=facts.previous.label
            )
        weekly = facts.period.kind == "weekly"
        labels = [p.day.strftime("%a %d") if weekly else str(p.day.day) for p in facts.daily]
        step = 1 if len(x) <= 10 else 3
        ax.set_xticks(x[::step], labels[::step])
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False)

    return Drawing(key, _title(key, language), draw)


def trend_chart(facts: ReportFacts, language: str) -> Drawing | None:
    if len(facts.trend) < 2:
        return None
    money = facts.mover_metric == "revenue"
    key = "trend" if money else "trend_units"

    def draw(ax: Axes) -> None:
        labels = [p.label for p in facts.trend]
        values = [p.revenue if money else p.units for p in facts.trend]
        ax.bar(labels, values, color=[BEFORE] * (len(labels) - 1) + [NOW])
        ax.tick_params(axis="x", labelrotation=45)
        if money and facts.source == "orders":
            right = ax.twinx()
            right.plot(labels, [p.orders for p in facts.trend], color=MUTED, marker="o")
            right.set_ylabel(_zh(language, "orders", "订单数"))
            right.set_ylim(bottom=0)

    return Drawing(key, _title(key, language), draw)


def kpi_chart(facts: ReportFacts, language: str) -> Drawing | None:
    rows = [(KPI_LABELS[language][k.name], k.change_pct) for k in facts.kpis if k.change_pct is not None]
    if not rows:
        return None

    def draw(ax: Axes) -> None:
        names, values = [r[0] for r in reversed(rows)], [float(r[1] or 0) for r in reversed(rows)]
        ax.barh(names, values, color=[UP if v >= 0 else DOWN for v in values])
        ax.axvline(0, color="#334155", linewidth=0.8)
        ax.margins(x=0.18)  # room for the labels at the bars' ends
        for i, value in enumerate(values):
            ax.annotate(
                f"{value:+.1f}%",
                (value, i),
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
            )

    return Drawing("kpis", _title("kpis", language), draw)


def movers_chart(facts: ReportFacts, language: str) -> Drawing | None:
    movers = [*facts.movers_up, *reversed(facts.movers_down)]
    if not movers:
        return None

    def draw(ax: Axes) -> None:
        ordered = list(reversed(movers))
        ax.barh(
            [m.sku for m in ordered],
            [m.change for m in ordered],
            color=[UP if m.change > 0 else DOWN for m in ordered],
        )
        ax.axvline(0, color="#334155", linewidth=0.8)
        ax.set_xlabel(_zh(language, f"{facts.mover_metric} change", "环比变化"))

    return Drawing("movers", _title("movers", language), draw)


def customers_chart(facts: ReportFacts, language: str) -> Drawing | None:
    new, returning = facts.kpi("new_customers"), facts.kpi("returning_customers")
    if new is None or returning is None:
        return None
    columns = [(facts.period.label, new.value or 0.0, returning.value or 0.0)]
    if facts.previous and new.previous is not None and returning.previous is not None:
        columns.insert(0, (facts.previous.label, new.previous, returning.previous))
    if facts.year_ago and new.year_ago is not None and returning.year_ago is not None:
        columns.insert(0, (facts.year_ago.label, new.year_ago, returning.year_ago))

    def draw(ax: Axes) -> None:
        labels = [c[0] for c in columns]
        ax.bar(labels, [c[1] for c in columns], color=UP, label=_zh(language, "new", "新客户"))
        ax.bar(
            labels,
            [c[2] for c in columns],
            bottom=[c[1] for c in columns],
            color=NOW,
            label=_zh(language, "returning", "老客户"),
        )
        ax.legend(frameon=False)

    return Drawing("customers", _title("customers", language), draw)


def stock_chart(facts: ReportFacts, language: str) -> Drawing | None:
    stock = facts.stock
    if stock is None:
        return None

    def draw(ax: Axes) -> None:
        labels = [label for label, _ in stock.cover_buckets]
        colors = [DOWN, DOWN, MUTED, NOW, NOW, NOW, MUTED, BEFORE][: len(labels)]
        ax.bar(labels, [count for _, count in stock.cover_buckets], color=colors)
        ax.set_ylabel("SKUs")

    return Drawing("stock", _title("stock", language), draw)


def aspects_chart(facts: ReportFacts, language: str) -> Drawing | None:
    r = facts.reviews
    if r is None or not (r.top_complaints or r.top_praise):
        return None
    rows = [(f"- {a.aspect}", a.count, DOWN) for a in r.top_complaints]
    rows += [(f"+ {a.aspect}", a.count, UP) for a in r.top_praise]

    def draw(ax: Axes) -> None:
        ordered = list(reversed(rows))
        ax.barh([x[0] for x in ordered], [x[1] for x in ordered], color=[x[2] for x in ordered])
        ax.set_xlabel(_zh(language, "reviews", "评价数"))

    return Drawing("aspects", _title("aspects", language), draw)


def forecast_chart(facts: ReportFacts, language: str) -> Drawing | None:
    f = facts.forecast
    if f is None:
        return None

    def draw(ax: Axes) -> None:
        labels = [p.label for p in facts.trend] + [_zh(language, "forecast", "预测")]
        rates = [p.units / ((p.end - p.start).days + 1) for p in facts.trend] + [f.daily_units]
        ax.bar(labels, rates, color=[BEFORE] * len(facts.trend) + [MUTED])
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_ylabel(_zh(language, "units / day", "件/天"))

    return Drawing("forecast", _title("forecast", language), draw)


BUILDERS = (
    daily_chart,
    trend_chart,
    kpi_chart,
    movers_chart,
    customers_chart,
    stock_chart,
    aspects_chart,
    forecast_chart,
)


def drawings(facts: ReportFacts, language: str = "en") -> list[Drawing]:
    """Every chart the facts have data for, in report order."""
    return [drawing for build in BUILDERS if (drawing := build(facts, language)) is not None]


def build_charts(facts: ReportFacts, language: str = "en") -> list[Chart]:
    """Each chart as a figure of its own, untitled (call inside :func:`chart_style`)."""
    out = []
    for drawing in drawings(facts, language):
        figure = Figure(figsize=SIZE, layout="constrained")
        axes = figure.add_subplot()  # no title: the page's caption names the chart
        drawing.draw(axes)
        out.append(Chart(drawing.key, drawing.title, figure))
    return out
