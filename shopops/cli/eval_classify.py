"""What ``shopops eval sentiment`` and ``shopops eval aspects`` share: a classifier scored on a file.

Both read every line first (a bad line stops the run before a model loads), score with the
packaged fast classifier or the configured model (``--method llm``, built from the settings, not
the store), and print the report as a table or one JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import typer
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.errors import InputError

METHODS = ("fast", "llm")


class Report(Protocol):
    def as_json(self) -> dict[str, Any]: ...


def check_method(method: str) -> None:
    if method not in METHODS:
        raise InputError(f"--method {method!r} is not supported", hint=f"use one of: {', '.join(METHODS)}")


def run_classifier_eval(
    ctx: typer.Context,
    *,
    label: str,
    file: Path,
    method: str,
    items: Sequence[Any],
    evaluate: Callable[..., tuple[Report, Any]],
    json_output: bool,
    quiet: bool,
) -> None:
    """Score ``items`` with ``evaluate(items, method=, llm=, progress=, console=)`` and print it."""
    check_method(method)
    settings = get_ctx(ctx).settings
    backend = None
    try:
        if method == "llm":
            from shopops.llm.registry import create_llm

            backend = create_llm(settings)
        report, _ = evaluate(
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
    table = Table("metric", "value", title=f"eval {label}: {file.name} ({method})")
    for name, value in data.items():
        if isinstance(value, dict):
            shown = "; ".join(f"{k}: {v}" for k, v in value.items()) or "–"
        else:
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
