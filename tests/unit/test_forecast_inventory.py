"""Inventory numbers from a forecast, checked against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from shopops.errors import InputError
from shopops.forecast.inventory import InventoryPolicy, StockPosition, daily_path, plan_all, plan_inventory
from shopops.forecast.types import SeriesForecast

Z95 = 1.6448536269514722  # NormalDist().inv_cdf(0.95)
Z975 = 1.959963984540054  # the 95 % interval's quantile


def constant_forecast(mean: float, sigma: float, *, days: int = 28, weekly: bool = False) -> SeriesForecast:
    """A flat forecast whose 95 % upper bound is ``mean + 1.96 σ`` (σ per step)."""
    freq = "W-MON" if weekly else "D"
    ds = pd.date_range("2024-03-04", periods=days, freq=freq)
    values = np.full(days, mean)
    return SeriesForecast(
        unique_id="sku-1",
        model="auto_ets",
        demand_class="smooth",
        cv_mase={},
        ds=ds,
        mean=values,
        lo={95: values - Z975 * sigma},
        hi={95: values + Z975 * sigma},
        n_obs=100,
        n_censored=0,
        history_start=dt.date(2023, 11, 26),
        history_end=dt.date(2024, 3, 3),
    )


def test_reorder_point_and_order_quantity_by_hand() -> None:
    # 10 units a day, σ 2 a day; lead time 4 days, review 7, 95 % service, MOQ 50, cases of 12.
    plan = plan_inventory(
        constant_forecast(10, 2),
        StockPosition("sku-1", on_hand=30, lead_time_days=4, review_period_days=7, moq=50, case_pack=12),
    )
    assert plan.demand_over_lead_time == pytest.approx(40)
    assert plan.safety_stock == pytest.approx(Z95 * 2 * math.sqrt(4))  # 6.58
    assert plan.reorder_point == pytest.approx(40 + 6.579, abs=1e-3)
    assert plan.order_up_to == pytest.approx(110 + Z95 * 2 * math.sqrt(11))  # 120.91
    # position 30 ≤ 46.58: order 120.91 − 30 = 90.91 (above the MOQ), rounded up to 8 cases = 96
    assert plan.order_quantity == 96
    assert plan.days_of_cover == pytest.approx(3) and plan.weeks_of_supply == pytest.approx(3 / 7)
    assert plan.stockout_in_days == pytest.approx(3) and plan.stockout_date == dt.date(2024, 3, 7)
    assert plan.as_of == dt.date(2024, 3, 3) and not plan.overstock


def test_moq_case_pack_and_no_order_above_the_reorder_point() -> None:
    forecast = constant_forecast(10, 2)
    small = plan_inventory(forecast, StockPosition("sku-1", on_hand=40, on_order=5, moq=100, case_pack=24))
    assert small.order_quantity == 120  # MOQ 100 → 5 cases of 24
    fine = plan_inventory(forecast, StockPosition("sku-1", on_hand=200))
    assert fine.order_quantity == 0 and fine.position == 200
    # on order counts towards the position (no order), not towards the days of cover
    covered = plan_inventory(forecast, StockPosition("sku-1", on_hand=10, on_order=500, lead_time_days=4))
    assert covered.order_quantity == 0 and covered.days_of_cover == pytest.approx(1)


def test_weekly_forecast_spreads_over_days() -> None:
    weekly = constant_forecast(70, 7, days=8, weekly=True)
    means, variances = daily_path(weekly, 14)
    assert means == pytest.approx(np.full(14, 10.0))
    assert variances == pytest.approx(np.full(14, 7.0))  # σ² 49 a week = 7 a day
    plan = plan_inventory(weekly, StockPosition("sku-1", on_hand=350, lead_time_days=7, service_level=0.95))
    assert plan.demand_over_lead_time == pytest.approx(70)
    assert plan.safety_stock == pytest.approx(Z95 * 7)
    assert plan.weeks_of_supply == pytest.approx(5)


def test_overstock_and_ageing() -> None:
    forecast = constant_forecast(1, 0.5)
    receipts = ((dt.date(2023, 6, 1), 100.0), (dt.date(2024, 2, 20), 50.0))
    plan = plan_inventory(
        forecast, StockPosition("sku-1", on_hand=200, receipts=receipts), InventoryPolicy(overstock_weeks=12)
    )
    assert plan.weeks_of_supply == pytest.approx(200 / 7)
    assert plan.overstock and plan.overstock_weeks_limit == 12
    # FIFO leaves the newest 50 and then 100 of the June receipt (older than 90 days); 50 unknown
    assert plan.aged_units == 100 and plan.oldest_age_days == (dt.date(2024, 3, 3) - dt.date(2023, 6, 1)).days
    idle = plan_inventory(constant_forecast(0, 0), StockPosition("sku-1", on_hand=5))
    assert idle.overstock and idle.days_of_cover is None and idle.stockout_in_days is None
    assert plan.as_evidence()["as_of"] == "2024-03-03"


def test_bad_terms_and_missing_forecasts_are_input_errors() -> None:
    with pytest.raises(InputError, match="service level"):
        StockPosition("x", on_hand=1, service_level=1.2)
    with pytest.raises(InputError, match="case pack"):
        StockPosition("x", on_hand=1, case_pack=0)
    with pytest.raises(InputError, match="no forecast for SKU"):
        plan_all({}, [StockPosition("x", on_hand=1)])
