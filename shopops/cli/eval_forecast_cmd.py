"""``shopops eval forecast FILE --horizon H``: score shopops' forecasts against seasonal naive.

Thin over :func:`shopops.evals.forecast_eval.evaluate_forecast`; registered on the ``eval`` group
in :mod:`shopops.cli.eval_cmd`. Runs on Ray when ``SHOPOPS_RAY_ADDRESS`` (``--ray-address`` in
the settings) is set, in this process otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.table import Table

from shopops.cli.common import console, get_ctx
from shopops.errors import InputError

if TYPE_CHECKING:
    from shopops.forecast.types import ForecastConfig


def _config(**options: object) -> ForecastConfig:
    from shopops.forecast.types import ForecastConfig

    try:
        return ForecastConfig(**{k: v for k, v in options.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'option'}: {e['msg']}" for e in exc.errors())
        raise InputError(
            f"invalid forecast options: {problems}", hint="see shopops eval forecast --help"
        ) from exc


def forecast(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV in long format: unique_id, ds, y (optional in_stock)"),
    horizon: int = typer.Option(..., "--horizon", min=1, help="points held out and forecast per series"),
    season_length: int | None = typer.Option(
        None, "--season-length", min=1, help="default: 7 for daily, 52 for weekly data"
    ),
    freq: str | None = typer.Option(None, "--freq", help="D or W-MON … W-SUN (default: inferred)"),
    cv_windows: int = typer.Option(3, "--cv-windows", min=1, help="rolling-origin windows for model choice"),
    n_jobs: int = typer.Option(1, "--n-jobs", help="local worker processes (-1: all cores)"),
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Hold out the last H points of every series of FILE, forecast them, and score MASE and sMAPE.

    Prints n_series, mase, smape (0–200 scale), naive_mase (statsforecast's seasonal naive on the same split) and series_per_second. Each series' model is chosen by rolling-origin cross-validation on its training part.
    """  # noqa: E501 - one paragraph: typer re-wraps help text, but keeps hard line breaks
    from shopops.evals.forecast_eval import evaluate_forecast, read_forecast_csv

    settings = get_ctx(ctx).settings
    config = _config(
        horizon=horizon,
        season_length=season_length,
        freq=freq,
        cv_windows=cv_windows,
        n_jobs=n_jobs,
        ray_address=settings.ray_address,
    )
    frame = read_forecast_csv(file)
    report = evaluate_forecast(frame, config, source=str(file))
    data = report.as_json()
    if json_output:
        typer.echo(json.dumps(data))
        return
    table = Table("metric", "value", title=f"eval forecast: {file.name} (horizon {horizon})")
    for name, value in data.items():
        shown = "–" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(name, shown)
    table.add_row("skipped (≤ horizon points)", str(report.skipped))
    table.add_row("models chosen", ", ".join(f"{k} {v}" for k, v in report.models.items()) or "–")
    console.print(table)
