"""The report as a PDF, built with matplotlib alone (no browser, no HTML engine).

A4 pages laid out top to bottom by a small flow writer: the title page holds the title, the period
and data freshness, the checked summary (wrapped, Chinese by display width) and the KPI table;
the charts follow, three to a page, drawn as vectors into the page's own axes
(:mod:`shopops.reports.charts_mpl`); then every other table of :func:`report_tables`.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
from pathlib import Path
from typing import BinaryIO

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from shopops.reports.charts_mpl import chart_style, drawings, needs_cjk
from shopops.reports.facts import ReportFacts
from shopops.reports.narrative import Narrative
from shopops.reports.render_md import Table, report_tables, title_of, words

PAGE = (8.27, 11.69)  # A4, inches
LEFT, WIDTH, TOP, BOTTOM = 0.07, 0.86, 0.95, 0.05
ROW = 0.017  # a table row, as a fraction of the page height
CHART = 0.25
CELL_CHARS = 70


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: at spaces for Latin text, anywhere between CJK characters."""
    if display_width(text) == len(text):
        return textwrap.wrap(text, width) or [""]
    lines, line = [], ""
    for char in text:
        if display_width(line + char) > width:
            lines.append(line)
            line = "" if char == " " else char
        else:
            line += char
    return [*lines, line] if line else lines


def _line_height(size: float) -> float:
    return size * 1.5 / 72 / PAGE[1]


def _columns(size: float) -> int:
    return int(WIDTH * PAGE[0] * 72 / (0.55 * size))


class _Flow:
    """Places blocks down A4 pages, starting a new page when a block does not fit."""

    def __init__(self, pdf: PdfPages) -> None:
        self.pdf = pdf
        self.figure: Figure | None = None
        self.y = TOP
        self.pages = 0

    def page(self) -> Figure:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
        self.figure, self.y = Figure(figsize=PAGE), TOP
        self.pages += 1
        return self.figure

    def room(self, height: float) -> Figure:
        if self.figure is None or self.y - height < BOTTOM:
            return self.page()
        return self.figure

    def text(self, text: str, size: float = 9.5, weight: str = "normal", gap: float = 0.006) -> None:
        lines = [line for paragraph in text.split("\n") for line in wrap(paragraph, _columns(size))]
        height = len(lines) * _line_height(size)
        figure = self.room(height)
        figure.text(
            LEFT, self.y, "\n".join(lines), va="top", ha="left", size=size, weight=weight, linespacing=1.3
        )
        self.y -= height + gap

    def table(self, table: Table) -> None:
        height = ROW * (len(table.rows) + 1)
        figure = self.room(height + _line_height(11) + 0.02)
        self.text(table.title, size=11, weight="bold")
        axes = figure.add_axes((LEFT, self.y - height, WIDTH, height))
        axes.axis("off")
        cells = [
            [c if len(c) <= CELL_CHARS else c[: CELL_CHARS - 1] + "…" for c in row] for row in table.rows
        ]
        drawn = axes.table(
            cellText=cells or [[""] * len(table.columns)],
            colLabels=table.columns,
            cellLoc="left",
            bbox=(0, 0, 1, 1),
        )
        drawn.auto_set_font_size(False)
        drawn.set_fontsize(7.5)
        drawn.auto_set_column_width(list(range(len(table.columns))))
        for (row, _), cell in drawn.get_celld().items():
            cell.set_edgecolor("#e2e8f0")
            if row == 0:
                cell.set_facecolor("#f1f5f9")
        self.y -= height + 0.025

    def close(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None


def write_pdf(facts: ReportFacts, narrative: Narrative, target: str | Path | BinaryIO) -> int:
    """Write the report as a PDF to ``target`` (a path or a binary file); returns the page count."""
    language = narrative.language
    w = words(language)
    fresh = facts.freshness
    tables = report_tables(facts, language)
    text = narrative.text + " ".join(c for t in tables for row in t.rows for c in row) + " ".join(facts.notes)
    metadata = {"Title": title_of(facts, language), "Creator": "shopops", "CreationDate": None}
    with (
        chart_style(cjk=needs_cjk(facts, language) or not text.isascii()),
        PdfPages(target, metadata=metadata) as pdf,
    ):
        flow = _Flow(pdf)
        flow.text(title_of(facts, language), size=16, weight="bold", gap=0.01)
        flow.text(
            f"{w['generated']}: {fresh.generated_at:%Y-%m-%d %H:%M} UTC · last order: "
            f"{fresh.last_order_at or '—'} · last sales day: {fresh.last_sale_on or '—'}",
            size=8.5,
        )
        for note in facts.notes:
            flow.text(f"• {note}", size=8.5)
        flow.text(w["summary"], size=12, weight="bold", gap=0.004)
        for sentence in narrative.sentences:
            flow.text(sentence, size=10, gap=0.003)
        flow.text(w["checked"], size=8, gap=0.02)
        flow.table(tables[0])
        for drawing in drawings(facts, language):
            figure = flow.room(CHART + 0.02)
            axes = figure.add_axes((LEFT + 0.06, flow.y - CHART, WIDTH - 0.08, CHART - 0.04))
            axes.set_title(drawing.title, loc="left", fontsize=10)
            drawing.draw(axes)
            flow.y -= CHART + 0.04
        for table in tables[1:]:
            flow.table(table)
        flow.close()
        return flow.pages


def pdf_bytes(facts: ReportFacts, narrative: Narrative) -> bytes:
    buffer = io.BytesIO()
    write_pdf(facts, narrative, buffer)
    return buffer.getvalue()
