"""Demand forecasting, inventory and sales/stock alerts (issue 8), over pandas frames.

    forecast(frame, ForecastConfig(horizon=28))  -> ForecastResult   engine.py
    backtest(frame, config, window=8)            -> ForecastResult   engine.py
    plan_inventory(series_forecast, StockPosition(...)) -> InventoryPlan   inventory.py
    detect_alerts(history, backtest, plans)      -> list[AlertCandidate]   detect.py

The models are statsforecast's (seasonal naive, AutoETS, AutoTheta, AutoARIMA, Croston SBA, ADIDA,
IMAPA, TSB); shopops validates the input, treats stock-outs as censored demand, picks a model per
series by rolling-origin cross-validation and packages the forecasts with their evidence. The
numbers of every alert are computed here; a model may only phrase them.

Importing this package loads no statsforecast, numba or Ray: they load on the first forecast.
"""

from __future__ import annotations

from shopops.forecast.types import ForecastConfig, ForecastResult, SeriesForecast

__all__ = ["ForecastConfig", "ForecastResult", "SeriesForecast"]
