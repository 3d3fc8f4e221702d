"""``shopops report weekly|monthly``: the operations report as HTML, PDF and Markdown.

Thin over :mod:`shopops.reports.service`. With ``--out``/``--pdf``/``--md`` it writes those files;
with none of them it is the scheduled form: every format (and the facts as JSON) goes to
``<data_dir>/reports/`` under a name of the period (``weekly-2026-W43.html``), so a crontab line
such as ``0 7 * * 1 shopops report weekly`` keeps one set of files per week. A failure (no data,
an unwritable folder) prints one line saying how to fix it and exits 1; a missing model does not
fail the report: the summary is then written from the code's own sentences, and the output says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from shopops.cli.common import console, get_ctx
from shopops.reports.facts import PeriodKind
from shopops.reports.service import Format, Report, build_report, parse_end, scheduled_paths, write_report

app = typer.Typer(help="Weekly and monthly operations reports (HTML, PDF, Markdown).", no_args_is_help=True)
OUT = typer.Option(None, "--out", help="write the HTML report here")
PDF = typer.Option(None, "--pdf", help="write the PDF report here")
MD = typer.Option(None, "--md", help="write the Markdown report (for chat tools) here")
END = typer.Option(None, "--end", help="YYYY-MM-DD: report the last complete period ending on or before it")
LANG = typer.Option("en", "--lang", help="en | zh")
NO_LLM = typer.Option(False, "--no-llm", help="write the summary from the code's sentences (no model call)")
JSON = typer.Option(False, "--json", help="print what was written as JSON")


def _summary(report: Report, written: dict[Format, Path]) -> dict[str, object]:
    narrative = report.narrative
    return {
        "period": {
            "kind": report.facts.period.kind,
            "label": report.facts.period.label,
            "start": report.facts.period.start.isoformat(),
            "end": report.facts.period.end.isoformat(),
        },
        "files": {fmt: str(path) for fmt, path in written.items()},
        "narrative": {
            "source": narrative.source,
            "sentences": len(narrative.sentences),
            "removed": len(narrative.removed),
            "rewritten": narrative.rewritten,
            "error": narrative.error,
        },
    }


def _run(
    ctx: typer.Context,
    kind: PeriodKind,
    out: Path | None,
    pdf: Path | None,
    md: Path | None,
    end: str | None,
    lang: str,
    no_llm: bool,
    json_output: bool,
) -> None:
    app_ctx = get_ctx(ctx)
    report = build_report(app_ctx, kind, end=parse_end(end), language=lang, narrative=not no_llm)
    chosen: dict[Format, Path] = {
        fmt: path for fmt, path in (("html", out), ("pdf", pdf), ("md", md)) if path
    }
    written = write_report(report, chosen or scheduled_paths(app_ctx, report))
    if json_output:
        console.print_json(json.dumps(_summary(report, written), ensure_ascii=False))
        return
    p, n = report.facts.period, report.narrative
    console.print(
        f"{kind} report {p.label} ({p.start} – {p.end}); summary: {n.source}, "
        f"{len(n.sentences)} sentences, {len(n.removed)} removed by the checker",
        highlight=False,
    )
    if n.error:
        console.print(f"[yellow]the model was not used: {escape(n.error)}[/]")
    for fmt, path in written.items():
        console.print(f"  {fmt:4} {escape(str(path))}", highlight=False)


@app.command("weekly")
def weekly(
    ctx: typer.Context,
    out: Path | None = OUT,
    pdf: Path | None = PDF,
    md: Path | None = MD,
    end: str | None = END,
    lang: str = LANG,
    no_llm: bool = NO_LLM,
    json_output: bool = JSON,
) -> None:
    """The last complete week (Monday to Sunday): KPIs, movers, stock, reviews, forecast, alerts."""
    _run(ctx, "weekly", out, pdf, md, end, lang, no_llm, json_output)


@app.command("monthly")
def monthly(
    ctx: typer.Context,
    out: Path | None = OUT,
    pdf: Path | None = PDF,
    md: Path | None = MD,
    end: str | None = END,
    lang: str = LANG,
    no_llm: bool = NO_LLM,
    json_output: bool = JSON,
) -> None:
    """The last complete calendar month: KPIs, movers, stock, reviews, forecast, alerts."""
    _run(ctx, "monthly", out, pdf, md, end, lang, no_llm, json_output)
