"""The report as one self-contained HTML page: summary, KPI cards, charts as inline SVG, tables.

Rendered with Jinja2 (autoescaped) from ``templates/report.html``; the charts are the matplotlib
figures of :mod:`shopops.reports.charts_mpl` written as SVG with their text kept as text, so the
page needs no network, no JavaScript and prints as it shows.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shopops.reports.charts_mpl import build_charts, chart_style, figure_svg, needs_cjk
from shopops.reports.facts import KPI_LABELS, ReportFacts, fmt_change, fmt_value
from shopops.reports.narrative import Narrative
from shopops.reports.render_md import report_tables, title_of, words

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_svgs(facts: ReportFacts, language: str) -> list[dict[str, object]]:
    """Every chart of the report as ``{key, title, svg}`` (the SVG marked safe: matplotlib escapes
    the text it writes)."""
    with chart_style(cjk=needs_cjk(facts, language)):
        return [
            {"key": c.key, "title": c.title, "svg": Markup(figure_svg(c.figure))}
            for c in build_charts(facts, language)
        ]


def render_html(facts: ReportFacts, narrative: Narrative) -> str:
    """The whole report as an HTML document (a string)."""
    language = narrative.language
    w = words(language)
    fresh = facts.freshness
    labels = KPI_LABELS["zh" if language == "zh" else "en"]
    cards = [
        {
            "name": k.name,
            "label": labels[k.name],
            "value": fmt_value(k.value, k.unit, facts.currency),
            "change": f"{fmt_change(k, facts.currency)} {w['vs_previous']}" if k.change is not None else "",
            "direction": k.direction or "flat",
        }
        for k in facts.kpis
    ]
    tables, seen = [], set()
    for table in report_tables(facts, language):
        tables.append({**asdict(table), "heading": table.title not in seen})
        seen.add(table.title)
    stamp = "%Y-%m-%d %H:%M UTC"
    meta = (
        f"{w['period']}: {facts.period.start.isoformat()} – {facts.period.end.isoformat()} · "
        f"{w['generated']}: {fresh.generated_at.strftime(stamp)} · "
        f"last order: {fresh.last_order_at.strftime(stamp) if fresh.last_order_at else '—'} · "
        f"last sales day: {fresh.last_sale_on.isoformat() if fresh.last_sale_on else '—'}"
    )
    return (
        _environment()
        .get_template("report.html")
        .render(
            language=language,
            title=title_of(facts, language),
            meta=meta,
            w=w,
            narrative=narrative.sentences,
            cards=cards,
            notes=facts.notes,
            tables=tables,
            charts=chart_svgs(facts, language),
        )
    )
