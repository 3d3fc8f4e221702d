"""``shopops strategy …`` (trends, SWOT drafts, competitor prices) and ``shopops briefing``.

Thin over :mod:`shopops.reports.trends`, :mod:`shopops.reports.strategy`,
:mod:`shopops.reports.competitors` and :mod:`shopops.reports.briefing`:

* ``shopops strategy draft [--category PATH] [--competitors FILE]``: a SWOT draft into the review
  queue (``shopops drafts show ID`` to read it);
* ``shopops strategy trends [--category PATH] [--json]``: the numbers behind it;
* ``shopops strategy competitors import FILE`` / ``compare``: competitor prices against ours;
* ``shopops briefing [--role operations|service|merchandising] [--json]``: what needs each team
  today (cron-friendly: ``--json`` or ``--markdown`` for a chat tool).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.cli.drafts_cmd import AS_OPTION, default_actor
from shopops.reports.briefing import Briefing, all_briefings, briefing_markdown, parse_role
from shopops.reports.competitors import PriceComparison, compare_prices, import_competitor_prices, load_import
from shopops.reports.strategy import draft_strategy
from shopops.reports.trends import DEFAULT_WINDOW_DAYS, TrendsReport, market_trends

app = typer.Typer(
    help="Strategy drafts: category trends and a SWOT whose every claim is a computed number.",
    no_args_is_help=True,
)
competitors_app = typer.Typer(
    help="Competitor prices: import a file, compare with ours.", no_args_is_help=True
)
app.add_typer(competitors_app, name="competitors")

CATEGORY = typer.Option(None, "--category", help="limit to a category path, e.g. 'Home & Garden'")
WINDOW = typer.Option(
    DEFAULT_WINDOW_DAYS, "--window-days", min=7, max=365, help="days compared with the days before"
)
JSON = typer.Option(False, "--json", help="print JSON")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}%"


def print_trends(trends: TrendsReport) -> None:
    scope = trends.scope or "whole store"
    console.print(
        f"[bold]{escape(scope)}[/]: {trends.window_days} days to {trends.as_of} ({trends.source}, by "
        f"{trends.measure}); growth {_pct(trends.growth_pct)}, year on year {_pct(trends.yoy_growth_pct)}",
        highlight=False,
    )
    table = Table("category", trends.measure, "share", "Δ share (pts)", "growth", "year on year")
    for c in trends.categories:
        amount = c.revenue if trends.measure == "revenue" else c.units
        shift = "–" if c.share_change_pts is None else f"{c.share_change_pts:+.1f}"
        table.add_row(
            escape(c.category),
            f"{amount:,.2f}",
            f"{c.share_pct}%",
            shift,
            _pct(c.growth_pct),
            _pct(c.yoy_growth_pct),
        )
    console.print(table)
    bands = Table("price band", "SKUs", trends.measure, "share", "growth")
    for b in trends.price_bands:
        amount = b.revenue if trends.measure == "revenue" else b.units
        bands.add_row(b.label, str(b.skus), f"{amount:,.2f}", f"{b.share_pct}%", _pct(b.growth_pct))
    console.print(bands)


@app.command("trends")
def trends(
    ctx: typer.Context,
    category: str | None = CATEGORY,
    window_days: int = WINDOW,
    json_output: bool = JSON,
) -> None:
    """Growth, share, seasonality, price bands and review sentiment per category."""
    report = market_trends(get_ctx(ctx).db, category=category, window_days=window_days)
    if json_output:
        console.print_json(report.model_dump_json())
        return
    print_trends(report)


@app.command("draft")
def draft(
    ctx: typer.Context,
    category: str | None = CATEGORY,
    competitors: Path | None = typer.Option(
        None, "--competitors", help="import this competitor price file first and compare with it"
    ),
    no_competitors: bool = typer.Option(
        False, "--no-competitors", help="leave stored competitor prices out of the draft"
    ),
    window_days: int = WINDOW,
    max_tokens: int = typer.Option(900, "--max-tokens", min=128, max=4000),
    actor: str | None = AS_OPTION,
    json_output: bool = JSON,
) -> None:
    """Draft a SWOT strategy from the store's trends; it lands in the review queue."""
    result = draft_strategy(
        get_ctx(ctx),
        actor=default_actor(actor),
        category=category,
        window_days=window_days,
        competitors_file=competitors,
        use_stored_competitors=not no_competitors,
        max_tokens=max_tokens,
    )
    if json_output:
        out = {
            "draft_id": result.draft_id,
            "summary": result.summary,
            "claims": result.claims,
            "flags": [f.model_dump() for f in result.flags],
            "numbers_checked": result.numbers_checked,
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
        return
    console.print(f"draft #{result.draft_id} (report.strategy):", highlight=False)
    console.print(escape(result.text), highlight=False)
    if result.flags:
        console.print(f"[yellow]{len(result.flags)} wording(s) removed or replaced by the checker[/]")
        for flag in result.flags:
            console.print(f"  [dim]{escape(flag.message)}[/]", highlight=False)


def print_comparison(comparison: PriceComparison, limit: int = 20) -> None:
    console.print(
        f"compared {comparison.compared} product(s) in {comparison.store_currency}: "
        f"{comparison.cheaper} cheaper, {comparison.dearer} dearer, {comparison.same} the same"
        + (f"; {comparison.skipped_currency} in another currency" if comparison.skipped_currency else "")
        + (f"; {comparison.skipped_unpriced} without our price" if comparison.skipped_unpriced else ""),
        highlight=False,
    )
    if not comparison.gaps:
        return
    table = Table("product", "competitor", "ours", "theirs", "difference")
    for gap in comparison.gaps[:limit]:
        name = gap.sku or gap.handle
        table.add_row(
            escape(name),
            escape(gap.competitor),
            f"{gap.our_price:.2f}",
            f"{gap.their_price:.2f}",
            f"{gap.diff_pct:+.1f}%",
        )
    console.print(table)


@competitors_app.command("import")
def competitors_import(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="CSV/TSV/JSON/JSONL: sku or handle, competitor, price, observed_at"
    ),
    category: str | None = CATEGORY,
    actor: str | None = AS_OPTION,
    json_output: bool = JSON,
) -> None:
    """Import competitor prices (every row valid, or nothing stored) and compare them with ours."""
    app_ctx = get_ctx(ctx)
    imported = import_competitor_prices(app_ctx, path, actor=default_actor(actor))
    comparison = compare_prices(app_ctx.db, imported, category=category)
    if json_output:
        out = {
            "import_id": imported.id,
            "created": imported.created,
            "rows": len(imported.rows),
            "competitors": imported.competitors,
            "comparison": comparison.model_dump(mode="json"),
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
        return
    what = "imported" if imported.created else "already imported (same rows)"
    console.print(
        f"{what}: {len(imported.rows)} price(s) from {len(imported.competitors)} competitor(s), "
        f"import {imported.id}",
        highlight=False,
    )
    print_comparison(comparison)


@competitors_app.command("compare")
def competitors_compare(
    ctx: typer.Context,
    import_id: str | None = typer.Option(None, "--id", help="an import id (default: the newest)"),
    category: str | None = CATEGORY,
    json_output: bool = JSON,
) -> None:
    """Compare a stored competitor price import with our current prices."""
    app_ctx = get_ctx(ctx)
    imported = load_import(app_ctx, import_id)
    if imported is None:
        console.print("no competitor prices imported yet: `shopops strategy competitors import FILE`")
        raise typer.Exit(1)
    comparison = compare_prices(app_ctx.db, imported, category=category)
    if json_output:
        console.print_json(comparison.model_dump_json())
        return
    print_comparison(comparison)


def _print_briefing(briefing: Briefing) -> None:
    console.print(f"[bold]{briefing.role.title()}[/] · {briefing.date}", highlight=False)
    for item in briefing.items:
        style = "bold" if item.count else "dim"
        where = f" [dim]{escape(item.link)}[/]" if item.link and item.count else ""
        detail = f" ({escape(item.detail)})" if item.detail else ""
        console.print(f"  [{style}]{item.count:>4}[/] {escape(item.title)}{detail}{where}", highlight=False)
        for example in item.examples:
            link = f" [dim]{escape(example.link)}[/]" if example.link else ""
            console.print(f"         · {escape(example.label)}{link}", highlight=False)


def briefing(
    ctx: typer.Context,
    role: str | None = typer.Option(
        None, "--role", help="operations, service or merchandising (default: all)"
    ),
    json_output: bool = JSON,
    markdown: bool = typer.Option(False, "--markdown", help="print Markdown (for a chat tool or email)"),
) -> None:
    """Today's briefing per team: what needs operations, service and merchandising."""
    roles = [parse_role(role)] if role else None
    found = all_briefings(get_ctx(ctx).db, roles)
    if json_output:
        console.print_json(json.dumps([b.model_dump(mode="json") for b in found], ensure_ascii=False))
    elif markdown:
        typer.echo("\n\n".join(briefing_markdown(b) for b in found))
    else:
        for b in found:
            _print_briefing(b)
