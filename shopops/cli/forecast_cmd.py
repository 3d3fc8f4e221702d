"""``shopops forecast run``: forecast the store's sales, plan inventory and raise alerts.

Thin over :func:`shopops.forecast.service.run_forecasts`; the run is stored for the pages and the
API (``<data_dir>/forecasts/latest.json``), and its alerts are listed by ``shopops alerts list``.
"""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.forecast.service import ForecastRun, load_latest, run_forecasts

app = typer.Typer(help="Demand forecasts, inventory plans and stock/sales alerts.", no_args_is_help=True)


def _summary(run: ForecastRun) -> dict[str, object]:
    return {
        "generated_at": run.generated_at.isoformat(),
        "freq": run.freq,
        "horizon": run.horizon,
        "series": len(run.series),
        "backend": run.backend,
        "seconds": run.seconds,
        "models_chosen": run.models_chosen,
        "alerts": len(run.alert_ids),
    }


def _print(run: ForecastRun, top: int) -> None:
    bucket = "days" if run.freq == "D" else "weeks"
    console.print(
        f"{len(run.series)} SKUs forecast {run.horizon} {bucket} ahead on {run.backend} "
        f"in {run.seconds:.1f}s; "
        f"{len(run.alert_ids)} open alerts (shopops alerts list)",
        highlight=False,
    )
    table = Table()
    for column in ("sku", "model", "demand", "next period", "days of cover", "order qty"):
        table.add_column(column)
    ranked = sorted(run.series, key=lambda s: (s.plan or {}).get("days_of_cover") or float("inf"))
    for series in ranked[:top]:
        plan = series.plan or {}
        cover = plan.get("days_of_cover")
        table.add_row(
            escape(series.sku),
            series.model,
            series.demand_class,
            f"{series.mean[0]:.1f}" if series.mean else "",
            "" if cover is None else f"{cover:.0f}",
            "" if not plan else f"{plan.get('order_quantity', 0):.0f}",
        )
    console.print(table)


@app.command("run")
def run(
    ctx: typer.Context,
    horizon: int | None = typer.Option(
        None, "--horizon", min=1, max=365, help="periods ahead (default 28 d / 8 w)"
    ),
    sku: list[str] | None = typer.Option(None, "--sku", help="only these SKUs (repeatable)"),
    top: int = typer.Option(20, "--top", min=1, help="rows shown, shortest cover first"),
    json_output: bool = typer.Option(False, "--json", help="print the run summary as JSON"),
) -> None:
    """Forecast every SKU's sales, plan stock and raise stock-out, overstock and sales-decline alerts."""
    app_ctx = get_ctx(ctx)
    say = None if json_output else (lambda message: console.print(f"[dim]{escape(message)}[/]"))
    result = run_forecasts(app_ctx, horizon=horizon, skus=sku or None, on_progress=say)
    if json_output:
        console.print_json(json.dumps(_summary(result)))
        return
    _print(result, top)


@app.command("show")
def show(
    ctx: typer.Context,
    top: int = typer.Option(20, "--top", min=1, help="rows shown, shortest cover first"),
    json_output: bool = typer.Option(False, "--json", help="print the run summary as JSON"),
) -> None:
    """The last stored run, without recomputing it."""
    latest = load_latest(get_ctx(ctx))
    if latest is None:
        console.print("no forecast run yet: shopops forecast run")
        raise typer.Exit(1)
    if json_output:
        console.print_json(json.dumps(_summary(latest)))
        return
    _print(latest, top)
