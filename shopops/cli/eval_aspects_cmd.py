"""``shopops eval aspects``: aspect polarity on a JSONL file; one JSON object with ``--json``.

Thin over :mod:`shopops.evals.aspects_eval`. Like the other evaluation commands it reads no store:
the fast method needs nothing but the packaged classifier, and ``--method llm`` builds the model
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


def aspects(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help='JSONL, one aspect per line: {"text", "aspect", "polarity", "lang"}'
    ),
    method: str = typer.Option(
        "fast", "--method", help="fast (packaged classifier) | llm (the configured model)"
    ),
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="only the first N lines"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Predict the polarity of the given aspect of every line of FILE and score it.

    Prints n, accuracy, macro_f1 (over the classes present in the references or the predictions) and items_per_second, then per-language figures and the confusion counts. Every line is checked before anything runs.
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    from shopops.evals.aspects_eval import evaluate_aspects, read_aspects_file

    if method not in METHODS:
        raise InputError(f"--method {method!r} is not supported", hint=f"use one of: {', '.join(METHODS)}")
    settings = get_ctx(ctx).settings
    items = read_aspects_file(file, limit=limit)  # every line checked before a model loads
    backend = None
    try:
        if method == "llm":
            from shopops.llm.registry import create_llm

            backend = create_llm(settings)
        report, _ = evaluate_aspects(
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
    table = Table("metric", "value", title=f"eval aspects: {file.name} ({method})")
    for name, value in data.items():
        if isinstance(value, dict):
            shown = "; ".join(f"{k}: {v}" for k, v in value.items()) or "–"
        else:
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
