"""``shopops search``, ``shopops search-index`` and ``shopops recommend``: thin over shopops.search."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.context import AppContext
from shopops.search.service import SearchResult, product_index, search_products
from shopops.search.store import IndexSyncReport, sync_search_index
from shopops.search.types import Recommendation, SearchFilters, SearchMode


def sync_with_progress(app_ctx: AppContext) -> IndexSyncReport:
    """Bring the search index in step with the catalog, with a progress bar on a terminal."""
    if not err_console.is_terminal:
        return sync_search_index(app_ctx.db, app_ctx.embedder)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("indexing products", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"{phase} products", completed=done, total=total)

        return sync_search_index(app_ctx.db, app_ctx.embedder, progress)


def print_sync(report: IndexSyncReport) -> None:
    console.print(
        f"search index: {report.products} products, {report.indexed} embedded now, "
        f"{report.unchanged} unchanged, {report.removed} removed ({report.embed_model}, "
        f"{report.seconds:.1f}s)",
        highlight=False,
    )


def search_index(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Bring the product search index in step with the catalog (embeds only what changed)."""
    report = sync_with_progress(get_ctx(ctx))
    if json_output:
        console.print_json(json.dumps(report.as_dict()))
    else:
        print_sync(report)


def _print_result(result: SearchResult) -> None:
    if result.corrections:
        fixed = ", ".join(f"{typed} → {term}" for typed, term in result.corrections.items())
        console.print(f"[dim]typos read as: {escape(fixed)}[/]")
    if result.rewrite is not None:
        console.print(f"[dim]rewrite keywords: {escape(', '.join(result.rewrite.keywords)) or '-'}[/]")
        for note in result.rewrite.dropped:
            console.print(f"[dim]rewrite dropped {escape(note)}[/]")
    if not result.hits:
        console.print(f"No product matches {result.query!r} among {result.products} products.")
        return
    table = Table(title=f"{len(result.hits)} of {result.products} products, {result.took_ms:.0f} ms")
    for column in ("#", "id", "product", "price", "stock", "why"):
        table.add_column(column)
    for rank, hit in enumerate(result.hits, start=1):
        why = []
        if hit.matched_terms:
            why.append("words: " + ", ".join(hit.matched_terms[:4]))
        if hit.vector_rank is not None:
            why.append(f"meaning #{hit.vector_rank}")
        stock = {True: "in stock", False: "out", None: "-"}[hit.in_stock]
        table.add_row(
            str(rank),
            str(hit.product_id),
            escape(hit.title[:70]),
            "" if hit.min_price is None else f"{hit.min_price:g}",
            stock,
            escape("; ".join(why)),
        )
    console.print(table)


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="what the shopper or merchant is looking for, any language"),
    k: int = typer.Option(10, "--k", "-k", min=1, max=200, help="how many products"),
    category: str | None = typer.Option(None, "--category", help="a category or one of its levels"),
    min_price: float | None = typer.Option(None, "--min-price", min=0),
    max_price: float | None = typer.Option(None, "--max-price", min=0),
    in_stock: bool = typer.Option(False, "--in-stock", help="only products that can ship now"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | bm25 | vector"),
    rewrite: bool | None = typer.Option(
        None, "--rewrite/--no-rewrite", help="let the LLM turn the query into keywords and filters"
    ),
    json_output: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Search the catalog: keywords and meaning together, typo-tolerant, across languages."""
    if mode not in ("hybrid", "bm25", "vector"):
        raise typer.BadParameter("choose hybrid, bm25 or vector", param_hint="--mode")
    filters = SearchFilters(
        category=category, min_price=min_price, max_price=max_price, in_stock=True if in_stock else None
    )
    app_ctx = get_ctx(ctx)
    if not json_output:
        report = sync_with_progress(app_ctx)
        if report.indexed:
            print_sync(report)
    result = search_products(app_ctx, query, k=k, filters=filters, mode=_mode(mode), rewrite=rewrite)
    if json_output:
        console.print_json(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _print_result(result)


def _mode(mode: str) -> SearchMode:
    return "bm25" if mode == "bm25" else "vector" if mode == "vector" else "hybrid"


def warm_index(app_ctx: AppContext) -> int:
    """Products in the index (synced and built now if the catalog changed)."""
    return len(product_index(app_ctx))


def _print_panel(title: str, items: list[Recommendation], empty: str) -> None:
    if not items:
        console.print(f"[bold]{title}[/]: {escape(empty)}")
        return
    table = Table(title=title)
    for column in ("id", "product", "why"):
        table.add_column(column)
    for item in items:
        table.add_row(str(item.product_id), escape(item.title[:60]), escape(item.reason))
    console.print(table)


def recommend(
    ctx: typer.Context,
    product: str = typer.Argument(..., help="product id or handle"),
    k: int = typer.Option(5, "--k", "-k", min=1, max=50, help="items per panel"),
    aspect: str | None = typer.Option(
        None, "--aspect", help="alternatives with fewer complaints about this (default: the top one)"
    ),
    json_output: bool = typer.Option(False, "--json", help="print the panels as JSON"),
) -> None:
    """Similar items, items bought together, and alternatives with fewer complaints, each with its reason."""
    from shopops.search.recommendations import recommend_for

    app_ctx = get_ctx(ctx)
    if not json_output:
        report = sync_with_progress(app_ctx)
        if report.indexed:
            print_sync(report)
    result = recommend_for(app_ctx, product, k=k, aspect=aspect)
    if json_output:
        console.print_json(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    console.print(f"[bold]{escape(result.title)}[/] (id {result.product_id})")
    _print_panel("Similar items", result.similar, "no other product in the index")
    _print_panel("Bought together", result.complementary, "not bought together with anything twice or more")
    alt = result.alternatives
    if alt is not None:
        heading = f"Fewer complaints about {alt.aspect}" if alt.aspect else "Alternatives"
        _print_panel(heading, alt.items, alt.note or "no similar product draws clearly fewer complaints")
