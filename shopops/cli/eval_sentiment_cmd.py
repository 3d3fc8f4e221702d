"""``shopops eval sentiment``: review sentiment on a ``text,label`` CSV; one JSON object with ``--json``.

Thin over :mod:`shopops.evals.sentiment_eval`. Like the other evaluation commands it reads no store:
``--method fast`` needs nothing but the packaged classifier, and ``--method llm`` builds the model
backend from the settings (global flags, ``SHOPOPS_*``, shopops.toml), not from the store context.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.errors import InputError

METHODS = ("fast", "llm")


def sentiment(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with a header naming text and label (positive | negative)"),
    method: str = typer.Option(
        "fast", "--method", help="fast (packaged classifier) | llm (the configured model)"
    ),
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="only the first N rows"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Classify the sentiment of every review of FILE and score it against the labels.

    Prints n, accuracy, macro_f1 and reviews_per_second, then the method, the model and per-language figures. Every row is checked before anything runs.
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    from shopops.evals.sentiment_eval import evaluate_sentiment, read_sentiment_file

    if method not in METHODS:
        raise InputError(f"--method {method!r} is not supported", hint=f"use one of: {', '.join(METHODS)}")
    settings = get_ctx(ctx).settings
    items = read_sentiment_file(file, limit=limit)  # every row checked before a model loads
    backend = None
    try:
        if method == "llm":
            from shopops.llm.registry import create_llm

            backend = create_llm(settings)
        report, _ = evaluate_sentiment(
            items,
            method="llm" if method == "llm" else "fast",
            llm=backend,
            progress=not quiet and not json_output,
            console=err_console,
        )
    finally:
        if backend is not None:
            backend.close()
    data = report.as_json()
    if json_output:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    table = Table("metric", "value", title=f"eval sentiment: {file.name} ({method})")
    for name, value in data.items():
        if isinstance(value, dict):
            shown = "; ".join(f"{k}: {v}" for k, v in value.items()) or "–"
        else:
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
