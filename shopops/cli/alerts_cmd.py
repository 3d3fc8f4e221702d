"""``shopops alerts``: what the detectors found — list, show, acknowledge, resolve.

Thin over :mod:`shopops.workflow.alerts`. Detectors raise alerts (``shopops reviews alerts`` for
review aspects); this group is where people work them off.
"""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.cli.drafts_cmd import AS_OPTION, default_actor
from shopops.workflow.alerts import AlertView, get_alert, list_alerts, set_alert_status

app = typer.Typer(help="Alerts: crises the detectors found, for a person to work off.", no_args_is_help=True)
SEVERITY_STYLE = {"high": "red", "medium": "yellow", "low": "cyan"}


def _json(view: AlertView) -> str:
    return json.dumps(view.model_dump(mode="json"), indent=2, ensure_ascii=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str = typer.Option("open", "--status", help="open | acknowledged | resolved | all"),
    kind: str = typer.Option("", "--kind", help="kind prefix, e.g. review. or sales."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    json_output: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List alerts, most severe and newest first."""
    views = list_alerts(
        get_ctx(ctx).db, status=None if status == "all" else status, kind_prefix=kind or None, limit=limit
    )
    if json_output:
        console.print_json(json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False))
        return
    if not views:
        console.print(f"no {status if status != 'all' else ''} alerts".replace("  ", " "))
        return
    table = Table(show_lines=False)
    for column in ("id", "severity", "kind", "subject", "title", "status", "detected"):
        table.add_column(column)
    for v in views:
        style = SEVERITY_STYLE.get(v.severity, "white")
        table.add_row(
            str(v.id),
            f"[{style}]{v.severity}[/]",
            escape(v.kind),
            escape(f"{v.subject_type} {v.subject_id}"),
            escape(v.title),
            v.status,
            v.detected_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, alert_id: int = typer.Argument(..., min=1)) -> None:
    """One alert with its evidence (JSON)."""
    console.print(_json(get_alert(get_ctx(ctx).db, alert_id)), markup=False, highlight=False)


def _set(ctx: typer.Context, alert_id: int, status: str, actor: str | None) -> None:
    view = set_alert_status(get_ctx(ctx).db, alert_id, status, actor=default_actor(actor))
    console.print(f"alert #{view.id} {escape(view.title)}: {view.status}", highlight=False)


@app.command("ack")
def ack(
    ctx: typer.Context, alert_id: int = typer.Argument(..., min=1), actor: str | None = AS_OPTION
) -> None:
    """Acknowledge an alert (someone is on it)."""
    _set(ctx, alert_id, "acknowledged", actor)


@app.command("resolve")
def resolve(
    ctx: typer.Context, alert_id: int = typer.Argument(..., min=1), actor: str | None = AS_OPTION
) -> None:
    """Resolve an alert (a later detection of the same rise in the same week stays resolved)."""
    _set(ctx, alert_id, "resolved", actor)
