"""Sales and stock alerts: a sustained drop alerts, a clean seasonal series does not, stock-outs
in the window are not a decline; stock alerts carry their numbers. One backtest serves the module."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shopops.forecast.detect import AlertConfig, detect_alerts, sales_decline, stock_alerts
from shopops.forecast.engine import backtest
from shopops.forecast.inventory import InventoryPolicy, StockPosition, plan_inventory
from shopops.forecast.types import ForecastConfig, SeriesForecast

WINDOW = 8


def seasonal(uid: str, seed: int, n: int = 126) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 30 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1.5, n)
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y})


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    clean = [seasonal(f"clean-{i}", seed=i) for i in range(3)]
    drop = seasonal("dropping", seed=10)
    drop.loc[drop.index[-6:], "y"] *= 0.4  # a 60 % drop in the last 6 days of the 8-day window
    outage = seasonal("stocked-out", seed=11)
    outage.loc[outage.index[-6:], "y"] = 0.0
    frame = pd.concat([*clean, drop, outage], ignore_index=True)
    frame["in_stock"] = ~((frame["unique_id"] == "stocked-out") & frame["ds"].isin(outage["ds"].iloc[-6:]))
    return frame


@pytest.fixture(scope="module")
def backtested(history: pd.DataFrame):
    config = ForecastConfig(horizon=WINDOW, cv_windows=2, smooth_models=("seasonal_naive", "auto_ets"))
    return backtest(history, config, window=WINDOW)


def test_sustained_drop_raises_a_decline_within_the_window(history, backtested) -> None:
    alerts = sales_decline(history, backtested, AlertConfig())
    assert [a.subject_id for a in alerts] == ["dropping"]
    alert = alerts[0]
    assert alert.kind == "sales.decline" and alert.subject_type == "sku" and alert.severity == "medium"
    ev = alert.evidence
    assert ev["skus"] == ["dropping"] and ev["periods"] == WINDOW and ev["level"] == 80
    assert ev["breaches"] >= 5 and ev["breaches"] >= ev["min_breaches"]
    assert ev["window_end"] == "2024-05-05" and len(ev["actual"]) == WINDOW
    assert 30 <= ev["shortfall_pct"] <= 60  # 6 of 8 days at 40 %: 45 % short
    assert ev["actual_total"] < ev["lower_total"] < ev["expected_total"]
    assert alert.dedupe_key == "sales.decline:sku:dropping:2024-05"
    assert "6 of the last 8" in alert.title or f"{ev['breaches']} of the last 8" in alert.title


def test_clean_seasonal_series_and_stock_outs_raise_no_decline(history, backtested) -> None:
    alerts = detect_alerts(history, backtested, None)
    quiet = {"clean-0", "clean-1", "clean-2", "stocked-out"}
    assert not quiet & {a.subject_id for a in alerts}


def test_a_shorter_drop_than_the_breach_count_does_not_alert(history, backtested) -> None:
    strict = AlertConfig(decline_min_breaches=7)
    assert sales_decline(history, backtested, strict) == []


def flat(mean: float, sigma: float) -> SeriesForecast:
    ds = pd.date_range("2024-03-04", periods=14, freq="D")
    values = np.full(14, mean)
    return SeriesForecast(
        "sku-9", "auto_ets", "smooth", {}, ds, values, {95: values - 2 * sigma}, {95: values + 1.96 * sigma},
        60, 0, dt.date(2024, 1, 4), dt.date(2024, 3, 3),
    )  # fmt: skip


def test_stock_out_risk_and_overstock_alerts_carry_the_numbers() -> None:
    forecast = flat(10, 2)
    risky = plan_inventory(forecast, StockPosition("sku-9", on_hand=15, lead_time_days=6))
    ordered = plan_inventory(forecast, StockPosition("sku-9", on_hand=45, on_order=100, lead_time_days=6))
    heavy = plan_inventory(
        forecast, StockPosition("sku-9", on_hand=5000), InventoryPolicy(overstock_weeks=26)
    )
    alerts = stock_alerts([risky, ordered, heavy])
    kinds = [(a.kind, a.severity) for a in alerts]
    assert kinds == [("stock.out_risk", "high"), ("stock.out_risk", "low"), ("stock.overstock", "high")]
    risk = alerts[0].evidence
    assert risk["stockout_in_days"] == 1.5 and risk["demand_over_lead_time"] == 60
    assert risk["shortfall_over_lead_time"] == 45 and risk["skus"] == ["sku-9"]
    assert alerts[0].dedupe_key == "stock.out_risk:sku:sku-9:2024-03"
    assert alerts[2].evidence["weeks_of_supply"] == pytest.approx(71.43)
    assert "71 weeks of supply (limit 26)" in alerts[2].title
    fine = plan_inventory(forecast, StockPosition("sku-9", on_hand=100, lead_time_days=6))
    assert stock_alerts([fine]) == []
    ordered_all = detect_alerts(pd.DataFrame(), None, [ordered, heavy, risky])
    assert [a.severity for a in ordered_all] == ["high", "high", "low"]
