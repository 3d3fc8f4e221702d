"""``shopops eval aspects``: aspect polarity on a JSONL file; one JSON object with ``--json``.

Thin over :mod:`shopops.evals.aspects_eval`. Like the other evaluation commands it reads no store:
the fast method needs nothing but the packaged classifier, and ``--method llm`` builds the model
backend from the settings (global flags, ``SHOPOPS_*``, shopops.toml), not from the store context.
"""

from __future__ import annotations

from pathlib import Path

import typer

from shopops.cli.eval_classify import check_method, run_classifier_eval


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

    check_method(method)
    items = read_aspects_file(file, limit=limit)  # every line checked before a model loads
    run_classifier_eval(
        ctx,
        label="aspects",
        file=file,
        method=method,
        items=items,
        evaluate=evaluate_aspects,
        json_output=json_output,
        quiet=quiet,
    )
