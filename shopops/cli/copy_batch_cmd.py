"""``shopops copy generate`` and ``shopops copy export``: catalog-scale copy and its export.

Registered onto the ``copy`` group of :mod:`shopops.cli.copy_cmd` (``shopops.cli.main`` imports
this module so the commands exist). Thin over :mod:`shopops.copy.batch` and
:mod:`shopops.copy.export`.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from shopops.cli.common import console, get_ctx
from shopops.cli.copy_cmd import app
from shopops.cli.jobs_cmd import print_summary
from shopops.context import AppContext
from shopops.copy.batch import DEFAULT_BATCH_PARALLEL, ProductSelector, generate_catalog
from shopops.copy.types import CopyKind
from shopops.errors import InputError


def _selector(all_: bool, category: str | None, handles: list[str], status: str | None) -> ProductSelector:
    if not (all_ or category or handles or status):
        raise InputError(
            "say which products: --all, --category NAME, --handle HANDLE (repeatable) or --status",
            hint="e.g. `shopops copy generate --all --kind description --lang en`",
        )
    if all_ and (category or handles):
        raise InputError("--all cannot be combined with --category or --handle", hint="use one of them")
    return ProductSelector(category=category, handles=handles, status=status)


def _with_slots(app_ctx: AppContext, parallel: int) -> None:
    """Give the local model ``parallel`` generation slots, unless it has already loaded."""
    if "llm" not in app_ctx.__dict__ and app_ctx.settings.llm_parallel != parallel:
        app_ctx.settings = app_ctx.settings.model_copy(update={"llm_parallel": parallel})


@app.command("generate")
def generate(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="every product"),
    category: str | None = typer.Option(
        None, "--category", help="a category path, its leading part or last segment, or a product Type"
    ),
    handles: list[str] = typer.Option([], "--handle", help="a product handle (repeatable)"),
    status: str | None = typer.Option(None, "--status", help="only products with this status"),
    kind: CopyKind = typer.Option(CopyKind.DESCRIPTION, "--kind", help="what to write"),
    lang: str = typer.Option("en", "--lang", help="en, zh, es, pt, id, vi, th or ar"),
    variants: int = typer.Option(1, "--variants", min=1, max=5, help="drafts per product"),
    job: str | None = typer.Option(None, "--job", help="job name (default from kind, language, filter)"),
    restart: bool = typer.Option(False, "--restart", help="start the job again from scratch"),
    executor: str | None = typer.Option(
        None, "--executor", help="local | ray (default: ray when SHOPOPS_RAY_ADDRESS is set, else local)"
    ),
    parallel: int | None = typer.Option(
        None, "--parallel", min=1, max=16, help="products at once / local-model slots (default: measured)"
    ),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=16, help="cap on each generation"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable summary"),
) -> None:
    """Write copy drafts for many products as a resumable job (re-run or `shopops jobs resume` to
    continue after a stop); each product's drafts land in the review queue with their checks."""
    if executor not in (None, "local", "ray"):
        raise InputError(f"unknown executor {executor!r}", hint="use --executor local or --executor ray")
    app_ctx = get_ctx(ctx)
    selector = _selector(all_, category, handles, status)
    use_ray = executor == "ray" or (executor is None and bool(app_ctx.settings.ray_address))
    if not use_ray:
        slots = parallel or max(app_ctx.settings.llm_parallel, DEFAULT_BATCH_PARALLEL)
        _with_slots(app_ctx, slots)
        parallel = slots
    summary = generate_catalog(
        app_ctx,
        kind=kind,
        language=lang,
        filter=selector,
        variants=variants,
        job_name=job,
        restart=restart,
        executor="ray" if use_ray else "local",
        parallel=parallel,
        max_tokens=max_tokens,
        progress=not quiet and not as_json,
    )
    if as_json:
        typer.echo(json.dumps(summary.__dict__, indent=2, default=str))
    else:
        print_summary(summary)
        if summary.done:
            console.print("review the drafts with `shopops drafts list`")
    if summary.status != "done":
        raise typer.Exit(1)


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="the CSV file to write"),
    fmt: str = typer.Option("shopify", "--format", help="shopify (product import CSV)"),
    lang: str | None = typer.Option(None, "--lang", help="only copy written in this language"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable report"),
) -> None:
    """Write approved copy, merged onto each product, as a Shopify product import CSV."""
    from shopops.copy.export import export_approved

    report = export_approved(get_ctx(ctx).db, out, format=fmt, language=lang)
    if as_json:
        typer.echo(json.dumps({**report.__dict__, "path": str(report.path)}, indent=2))
        return
    if not report.products:
        console.print("no approved copy to export yet: approve drafts with `shopops drafts approve ID`")
    fields = ", ".join(f"{name} {count}" for name, count in sorted(report.fields.items())) or "none"
    console.print(
        f"wrote {report.path}: {report.products} product(s), {report.rows} row(s) from "
        f"{report.drafts} approved draft(s); fields from copy: {fields}",
        highlight=False,
        soft_wrap=True,
    )
