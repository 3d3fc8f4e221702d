"""``shopops ask "AOV last week vs the week before"``: a question over store data, answered read-only.

Thin over :func:`shopops.reports.ask.ask`. Prints the answer, the query used (in words; ``--sql``
adds the SQL) and the rows of a split; ``--chart FILE.svg`` saves the chart; ``--json`` prints
everything for scripts. Exit status 1 when the question cannot be answered.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.errors import InputError
from shopops.reports.ask import MODES
from shopops.reports.semantic_answer import format_value


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help='e.g. "top 5 SKUs by returns in March" or "上周客单价"'),
    mode: str = typer.Option("auto", "--mode", help="auto (rules, then the model) | rules | llm"),
    today: str | None = typer.Option(
        None, "--today", help="answer as of this date (YYYY-MM-DD; default: the newest order's date)"
    ),
    sql: bool = typer.Option(False, "--sql", help="also print the SQL that ran"),
    chart: Path | None = typer.Option(None, "--chart", help="write the chart to this .svg file"),
    json_output: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Answer a question about the store's numbers (revenue, orders, AOV, returns, reviews...)."""
    from shopops.reports.ask import ask as ask_question

    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}", hint="use auto, rules or llm")
    try:
        as_of = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise InputError(f"--today {today!r} is not a date", hint="write it as YYYY-MM-DD") from None
    result = ask_question(get_ctx(ctx), question, mode=mode, today=as_of)  # type: ignore[arg-type]
    answer = result.answer
    if chart is not None and answer is not None:
        chart.write_text(answer.chart_svg, encoding="utf-8")
    if json_output:
        console.print_json(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        console.print(escape(result.message), highlight=False)
        if answer is not None:
            if answer.rows:
                compared = answer.comparison is not None
                table = Table()
                for column in ("", answer.metric_label, *(("before", "change") if compared else ())):
                    table.add_column(escape(column), justify="left" if not column else "right")
                for row in answer.rows:
                    cells = [escape(row.label or "(none)"), format_value(row.value, answer.unit)]
                    if compared:
                        change = "" if row.change_pct is None else f"{row.change_pct:+.1f}%"
                        cells += [format_value(row.previous, answer.unit), change]
                    table.add_row(*cells)
                console.print(table)
            console.print(
                f"[dim]query used ({result.translated_by}):\n{escape(answer.query)}[/]", highlight=False
            )
            if sql:
                console.print(escape(answer.sql), highlight=False, soft_wrap=True)
            if chart is not None:
                console.print(f"chart written to {escape(str(chart))}")
    if not result.answered:
        raise typer.Exit(1)
