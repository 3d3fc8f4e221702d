"""``shopops eval sentiment``: review sentiment on a ``text,label`` CSV; one JSON object with ``--json``.

Thin over :mod:`shopops.evals.sentiment_eval`. Like the other evaluation commands it reads no store:
``--method fast`` needs nothing but the packaged classifier, and ``--method llm`` builds the model
backend from the settings (global flags, ``SHOPOPS_*``, shopops.toml), not from the store context.
"""

from __future__ import annotations

from pathlib import Path

import typer

from shopops.cli.eval_classify import check_method, run_classifier_eval


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

    check_method(method)
    items = read_sentiment_file(file, limit=limit)  # every line checked before a model loads
    run_classifier_eval(
        ctx,
        label="sentiment",
        file=file,
        method=method,
        items=items,
        evaluate=evaluate_sentiment,
        json_output=json_output,
        quiet=quiet,
    )
