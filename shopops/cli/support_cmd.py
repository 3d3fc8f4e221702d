"""``shopops support``: the customer-service knowledge base and replies.

``support index`` chunks and embeds the knowledge documents that changed since the last run (see
:mod:`shopops.support.kb_store`); import documents first with ``shopops import knowledge``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopops.cli.common import console, err_console, get_ctx

if TYPE_CHECKING:  # numpy and the index load only when a support command runs
    from shopops.support.kb_store import SyncReport

app = typer.Typer(
    help="Customer service: the knowledge base that grounds reply drafts.", no_args_is_help=True
)


def print_sync_report(report: SyncReport) -> None:
    table = Table(title="knowledge index", caption=f"embedding model: {report.embed_model}")
    table.add_column("", justify="left")
    table.add_column("count", justify="right")
    for label, value in (
        ("documents in the store", report.documents),
        ("documents indexed now", report.indexed),
        ("documents unchanged", report.unchanged),
        ("documents removed", report.removed),
        ("passages embedded", report.passages),
    ):
        table.add_row(label, str(value))
    console.print(table)
    if not report.documents:
        console.print("[yellow]no knowledge documents[/]: import some with `shopops import knowledge PATH`")


@app.command("index")
def index(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable report"),
) -> None:
    """Chunk and embed new or changed knowledge documents (unchanged ones are not re-embedded)."""
    from shopops.support.kb_store import sync_knowledge

    app_ctx = get_ctx(ctx)
    db, embedder = app_ctx.db, app_ctx.embedder
    if quiet or as_json or not err_console.is_terminal:
        report = sync_knowledge(db, embedder)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("indexing knowledge", total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=f"{phase} passages", completed=done, total=total)

            report = sync_knowledge(db, embedder, progress=progress)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        print_sync_report(report)


def _register_reply_commands() -> None:
    """``ask`` and ``gaps`` live in :mod:`shopops.cli.support_ask` (one concern per module)."""
    from shopops.cli.support_ask import ask, gaps

    app.command("ask")(ask)
    app.command("gaps")(gaps)


_register_reply_commands()
