"""``shopops db``: schema migrations and a look at what the store holds."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import func, select

from shopops.cli.common import console, get_ctx
from shopops.store import models

app = typer.Typer(help="Database schema and status.", no_args_is_help=True)

COUNTED = {
    "products": models.Product,
    "variants": models.ProductVariant,
    "customers": models.Customer,
    "orders": models.Order,
    "order lines": models.OrderLine,
    "sales rows": models.SalesRecord,
    "inventory rows": models.InventoryLevel,
    "reviews": models.Review,
    "knowledge documents": models.KnowledgeDocument,
    "tickets": models.Ticket,
    "drafts": models.Draft,
    "generations logged": models.GenerationLog,
    "jobs": models.Job,
}


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the schema to the newest revision."""
    db = get_ctx(ctx).db  # opening the store runs the migrations
    console.print(f"schema at revision {db.current_revision()} in {db.shown_url}")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Revision and row counts."""
    db = get_ctx(ctx).db
    table = Table("entity", "rows", title=f"{db.shown_url} (revision {db.current_revision()})")
    with db.session() as session:
        for label, model in COUNTED.items():
            table.add_row(label, str(session.scalar(select(func.count()).select_from(model))))
    console.print(table)
