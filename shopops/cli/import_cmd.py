"""``shopops import``: load products, orders, reviews, sales, inventory, customers and knowledge
documents into the store. Thin over :func:`shopops.ingest.import_file`.

An invalid row stops the import before anything is written (ImportValidationError, exit 1);
``--skip-invalid`` imports the valid rows and writes the rejected ones to a rejects file.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx
from shopops.errors import InputError
from shopops.ingest import ImportReport, import_file

app = typer.Typer(
    help="Import store data: products (Shopify, WooCommerce, generic), orders, reviews, sales, inventory, "
    "customers, knowledge documents.",
    no_args_is_help=True,
)

PATH = typer.Argument(..., help="a file, or a directory: every supported file in it is imported")
SKIP = typer.Option(False, "--skip-invalid", help="import the valid rows; write rejected rows to a file")
REJECTS = typer.Option(
    None, "--rejects", help="where rejected rows go (default: NAME.rejects.EXT beside the input)"
)
MAP = typer.Option(
    [], "--map", help="FIELD=COLUMN: read FIELD from the file's COLUMN (repeatable), e.g. --map title=name"
)
MAPPING_FILE = typer.Option(None, "--mapping", help="a JSON or TOML file of {FIELD: COLUMN} pairs")
LARGE_FILE = 2_000_000  # bytes; above this the import shows a progress bar


def parse_mapping(pairs: list[str], mapping_file: Path | None) -> dict[str, str] | None:
    """``--map`` pairs over an optional mapping file (the pairs win)."""
    mapping: dict[str, str] = {}
    if mapping_file is not None:
        try:
            text = mapping_file.read_text(encoding="utf-8")
            data = tomllib.loads(text) if mapping_file.suffix.lower() == ".toml" else json.loads(text)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the mapping file {mapping_file}: {exc}") from exc
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise InputError(f'{mapping_file}: a mapping file holds FIELD = "COLUMN" pairs')
        mapping.update({str(k): v for k, v in data.items()})
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InputError(f"--map {pair!r}: expected FIELD=COLUMN", hint="e.g. --map title=product_name")
        mapping[field.strip()] = column.strip()
    return mapping or None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def run(
    typer_ctx: typer.Context,
    kind: str,
    path: Path,
    *,
    skip_invalid: bool,
    rejects: Path | None,
    pairs: list[str],
    mapping_file: Path | None,
    fmt: str | None = None,
) -> ImportReport:
    mapping = parse_mapping(pairs, mapping_file)
    db = get_ctx(typer_ctx).db
    options = dict(skip_invalid=skip_invalid, rejects_path=rejects, mapping=mapping, fmt=fmt)
    if _size(path) < LARGE_FILE or not console.is_terminal:
        report = import_file(db, kind, path, **options)  # type: ignore[arg-type]
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task(f"importing {kind}", total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=f"{phase} {kind}", completed=done, total=total)

            report = import_file(db, kind, path, progress=progress, **options)  # type: ignore[arg-type]
    print_report(report)
    return report


def print_report(report: ImportReport) -> None:
    formats = ", ".join(report.formats)
    table = Table(title=f"{report.kind} from {report.path} ({formats}; {report.rows} rows)")
    for column in ("entity", "created", "updated", "unchanged", "deleted"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for name, counts in report.entities.items():
        table.add_row(
            name, str(counts.created), str(counts.updated), str(counts.unchanged), str(counts.deleted)
        )
    console.print(table)
    if report.rejected:
        where = ", ".join(str(p) for p in report.rejects_paths) or "see the warnings"
        console.print(f"[yellow]{report.rejected} row(s) rejected[/]: {where}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


@app.command("products")
def products(
    ctx: typer.Context,
    path: Path = PATH,
    skip_invalid: bool = SKIP,
    rejects: Path | None = REJECTS,
    map_: list[str] = MAP,
    mapping: Path | None = MAPPING_FILE,
    fmt: str | None = typer.Option(
        None, "--format", help="shopify | woocommerce | generic (default: detected from the header)"
    ),
    index: bool = typer.Option(True, "--index/--no-index", help="update the search index afterwards"),
) -> None:
    """Products with their variants, from a Shopify or WooCommerce export or any CSV/JSON/JSONL.

    The product search index is brought in step afterwards (only new and changed products are
    embedded); --no-index leaves that to the first search or `shopops search-index`."""
    report = run(
        ctx,
        "products",
        path,
        skip_invalid=skip_invalid,
        rejects=rejects,
        pairs=map_,
        mapping_file=mapping,
        fmt=fmt,
    )
    changed = sum(c.created + c.updated + c.deleted for c in report.entities.values())
    if index and changed:
        from shopops.cli.search_cmd import print_sync, sync_with_progress

        print_sync(sync_with_progress(get_ctx(ctx)))


def _tabular(kind: str, doc: str) -> None:
    def command(
        ctx: typer.Context,
        path: Path = PATH,
        skip_invalid: bool = SKIP,
        rejects: Path | None = REJECTS,
        map_: list[str] = MAP,
        mapping: Path | None = MAPPING_FILE,
    ) -> None:
        run(ctx, kind, path, skip_invalid=skip_invalid, rejects=rejects, pairs=map_, mapping_file=mapping)

    command.__doc__ = doc
    app.command(kind)(command)


_tabular("orders", "Orders, one row per order line (order fields repeated or on the first line only).")
_tabular("reviews", "Product reviews, upserted by review id.")
_tabular("sales", "Sales history: units of a SKU at a location on a date.")
_tabular("inventory", "Inventory levels: units on hand (and on order) of a SKU at a location.")
_tabular("customers", "Customers, upserted by customer id or email.")


@app.command("knowledge")
def knowledge(
    ctx: typer.Context,
    path: Path = PATH,
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="skip invalid documents, import the rest"
    ),
) -> None:
    """Store policies, guides and FAQs: Markdown, text, HTML, JSON FAQ (a file or a folder)."""
    run(ctx, "knowledge", path, skip_invalid=skip_invalid, rejects=None, pairs=[], mapping_file=None)
