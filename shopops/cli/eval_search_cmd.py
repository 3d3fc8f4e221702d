"""``shopops eval search``: product search on a JSONL file of queries; one JSON object with ``--json``.

Thin over :mod:`shopops.evals.search_eval`. Like the other evaluation commands it reads no store:
the embedder is built from the settings (global flags such as ``--embed-backend``, ``SHOPOPS_*``,
shopops.toml), and the products come from the file itself or from ``--catalog``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx


def search(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSONL, one query per line: id, query, candidates, relevant"),
    catalog: Path | None = typer.Option(
        None, "--catalog", help="CSV/JSON/JSONL catalog to index whole; relevant are then its product ids"
    ),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | bm25 | vector"),
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="only the first N queries"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Rank products for every query of FILE and score the ranking against the relevant ones.

    Prints n, mrr, hit_at_1, ndcg_at_10 and p50_ms (one search, the query's embedding included), then the mode, the embedding model, the catalog and its size. Without --catalog each line's candidates (product texts) are ranked and relevant are indices into them; with --catalog the whole catalog is indexed once, the 100 best products are ranked and relevant are product ids. Every line is checked before anything runs.
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    from shopops.evals.search_eval import (
        check_mode,
        check_relevant_ids,
        evaluate_candidates,
        evaluate_catalog,
        load_catalog,
        read_search_file,
    )

    search_mode = check_mode(mode)
    items = read_search_file(file, catalog_mode=catalog is not None, limit=limit)
    products = None
    if catalog is not None:
        products = load_catalog(catalog)
        check_relevant_ids(items, products, file)  # every id checked before a model loads

    from shopops.embed.registry import create_embedder

    embedder = create_embedder(get_ctx(ctx).settings)
    progress = not quiet and not json_output
    try:
        if products is None:
            report, _ = evaluate_candidates(
                items, embedder, mode=search_mode, progress=progress, console=err_console
            )
        else:
            report, _ = evaluate_catalog(
                items, products, embedder, mode=search_mode, progress=progress, console=err_console
            )
    finally:
        embedder.close()
    data = report.as_json()
    if json_output:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    where = f", catalog {catalog.name}" if catalog is not None else ""
    table = Table("metric", "value", title=f"eval search: {file.name} ({search_mode}{where})")
    for name, value in data.items():
        shown = "–" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    console.print(table)
