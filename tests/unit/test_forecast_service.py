"""Forecasts over the store: the demo store end to end (alerts raised once, the run stored and
loadable), a stock-out that must not drag the forecast to zero, weekly buckets, and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import typer
from typer.testing import CliRunner

from shopops.cli import forecast_cmd, plan_cmd
from shopops.context import AppContext
from shopops.demo.run import load_demo_store
from shopops.forecast.service import choose_freq, load_latest, run_forecasts, sales_frame, to_weekly
from shopops.store import models
from shopops.workflow.alerts import list_alerts

START = dt.date(2026, 1, 5)  # a Monday


def add_steady_sku(ctx: AppContext, *, days: int = 120, out_last: int = 10, on_hand: int = 12) -> None:
    """6 units a day (±1), the last ``out_last`` days out of stock; ``on_hand`` left, 14-day lead time."""
    with ctx.db.session() as session:
        for i in range(days):
            out = i >= days - out_last
            session.add(
                models.SalesRecord(
                    sku="STEADY",
                    location="main",
                    date=START + dt.timedelta(days=i),
                    units=0 if out else 6 + (i % 3) - 1,
                    in_stock=not out,
                )
            )
        session.add(models.InventoryLevel(sku="STEADY", location="main", on_hand=on_hand, lead_time_days=14))


def cli(ctx: AppContext) -> typer.Typer:
    """The two command groups under a root that hands them ``ctx`` (the lead registers them in main)."""
    root = typer.Typer()

    @root.callback()
    def _root(typer_ctx: typer.Context) -> None:
        typer_ctx.obj = ctx

    root.add_typer(forecast_cmd.app, name="forecast")
    root.add_typer(plan_cmd.app, name="plan")
    return root


def test_demo_store_run_raises_alerts_once_and_stores_the_run(ctx: AppContext) -> None:
    load_demo_store(ctx.db)
    messages: list[str] = []
    first = run_forecasts(ctx, on_progress=messages.append)
    assert first.freq == "W-MON" and len(first.series) >= 50 and first.alert_ids
    assert any(m.startswith("forecasting") for m in messages) and messages[-1].startswith("done")
    stored = list_alerts(ctx.db, status=None, limit=1000)
    assert {a.id for a in stored} == set(first.alert_ids)
    assert {a.kind for a in stored} <= {"stock.out_risk", "stock.overstock", "sales.decline"}
    second = run_forecasts(ctx)
    assert sorted(second.alert_ids) == sorted(first.alert_ids)  # refreshed, not raised again
    assert len(list_alerts(ctx.db, status=None, limit=1000)) == len(stored)
    latest = load_latest(ctx)
    assert latest is not None and latest.generated_at == second.generated_at
    series = latest.get("LL-BTL-750-SAGE")
    assert series is not None and len(series.ds) == latest.horizon == 8
    assert set(series.lo) == {"80", "95"} and all(
        lo <= m for lo, m in zip(series.lo["95"], series.mean, strict=True)
    )
    # its July stock-out weeks are censored in the stored history, and the forecast is not zero
    assert series.plan is not None and sum(series.mean) > 0


def test_a_stock_out_does_not_drag_the_forecast_to_zero(ctx: AppContext) -> None:
    add_steady_sku(ctx)
    run = run_forecasts(ctx, horizon=14)
    assert run.freq == "D"
    series = run.get("STEADY")
    assert series is not None and series.n_censored == 10
    assert series.history_censored[-10:] == [True] * 10
    assert min(series.mean) > 4.0, series.mean  # ~6 a day, not the zeros of the stock-out
    kinds = {a.kind for a in list_alerts(ctx.db)}
    assert "sales.decline" not in kinds  # stock-out days are not demand
    (risk,) = [a for a in list_alerts(ctx.db) if a.kind == "stock.out_risk"]
    assert risk.subject_id == "STEADY" and risk.evidence["order_quantity"] > 0
    assert risk.evidence["days_of_cover"] < 14


def test_weekly_buckets_drop_partial_weeks_and_censor_mostly_out_weeks() -> None:
    days = pd.date_range("2026-01-07", "2026-02-03", freq="D")  # Wednesday .. Tuesday
    daily = pd.DataFrame({"unique_id": "A", "ds": days, "y": 1.0, "in_stock": True})
    daily.loc[daily["ds"].between("2026-01-19", "2026-01-22"), "in_stock"] = False  # 4 of 7 days out
    weekly = to_weekly(daily)
    assert list(weekly["ds"].dt.date) == [dt.date(2026, 1, 12), dt.date(2026, 1, 19), dt.date(2026, 1, 26)]
    assert list(weekly["y"]) == [7.0, 7.0, 7.0]
    assert list(weekly["in_stock"]) == [True, False, True]
    assert choose_freq(daily) == "D"
    assert choose_freq(daily.assign(y=[1.0 if i % 5 == 0 else 0.0 for i in range(len(daily))])) == "W-MON"


def test_sales_frame_fills_days_without_sales_to_the_stores_last_date(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.add(models.SalesRecord(sku="A", location="x", date=START, units=2, in_stock=True))
        session.add(models.SalesRecord(sku="A", location="y", date=START, units=3, in_stock=False))
        session.add(models.SalesRecord(sku="B", location="x", date=START + dt.timedelta(days=4), units=1))
    frame = sales_frame(ctx)
    a = frame[frame["unique_id"] == "A"]
    assert len(a) == 5 and a["y"].tolist() == [5.0, 0.0, 0.0, 0.0, 0.0]
    assert a["in_stock"].tolist() == [False, True, True, True, True]  # out at one location: censored


def test_cli_forecast_run_and_plan_draft(ctx: AppContext) -> None:
    add_steady_sku(ctx)
    runner = CliRunner()
    result = runner.invoke(cli(ctx), ["forecast", "run", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["series"] == 1 and summary["alerts"] >= 1 and summary["freq"] == "D"
    shown = runner.invoke(cli(ctx), ["forecast", "show"])
    assert shown.exit_code == 0 and "STEADY" in shown.output
    (risk,) = [a for a in list_alerts(ctx.db) if a.kind == "stock.out_risk"]
    drafted = runner.invoke(cli(ctx), ["plan", "draft", str(risk.id), "--json", "--as", "lead@test.example"])
    assert drafted.exit_code == 0, drafted.output
    out = json.loads(drafted.output)
    assert out["draft_id"] and out["alert_id"] == risk.id
    assert out["facts"]["order_quantity"] > 0 and out["text"].strip()
    with ctx.db.session() as session:
        row = session.get(models.Draft, out["draft_id"])
        assert row is not None and row.kind == "plan.response" and row.subject_id == str(risk.id)


def test_promotion_flags_become_a_regressor_with_a_promotion_free_horizon() -> None:
    import pandas as pd

    from shopops.forecast.service import promotion_exog

    ds = pd.date_range("2026-01-05", periods=6, freq="W-MON")
    frame = pd.DataFrame(
        {"unique_id": "A", "ds": ds, "y": 5.0, "in_stock": True, "promo": [0, 0, 1, 0, 0.5, 0]}
    )
    exog = promotion_exog(frame, "W-MON", horizon=3)
    assert exog is not None and list(exog.columns) == ["unique_id", "ds", "promo"]
    future = exog[exog["ds"] > ds[-1]]
    assert list(future["ds"]) == list(pd.date_range(ds[-1] + pd.Timedelta(weeks=1), periods=3, freq="W-MON"))
    assert future["promo"].eq(0).all() and exog["promo"].sum() == 1.5
    assert promotion_exog(frame.assign(promo=0.0), "W-MON", horizon=3) is None
