"""``shopops config``: show the effective configuration, secrets redacted."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.config import redacted

app = typer.Typer(help="Inspect configuration.", no_args_is_help=True)


@app.command("show")
def show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Print the effective configuration (flag > SHOPOPS_* env > shopops.toml > defaults)."""
    values = redacted(get_ctx(ctx).settings)
    if as_json:
        typer.echo(json.dumps(values, indent=2, default=str))
        return
    table = Table("setting", "value", title="shopops configuration")
    for name, value in values.items():
        table.add_row(name, "" if value is None else str(value))
    console.print(table)
