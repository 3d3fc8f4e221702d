"""``shopops eval forecast``: hold out the last H points of every series and score the forecasts.

Metrics (per series, then the mean over series, as the M4/M5 competitions report them):

- MASE: mean absolute error over the holdout divided by the in-sample MAE of the seasonal naive
  forecast on the training part (Hyndman & Koehler, 2006); naive-1 scale when the training part is
  shorter than a season plus one or its seasonal differences are all 0. Series whose scale is
  still 0 (constant history) are left out of MASE and counted in ``excluded``.
- sMAPE on the 0–200 scale: ``200·|y − ŷ| / (|y| + |ŷ|)`` per point, 0 where both are 0, then the
  mean over points and series.
- ``naive_mase``: the same MASE for statsforecast's ``SeasonalNaive`` on the same split — the
  baseline shopops must beat.

Holdout points marked ``in_stock = false`` are not scored (their demand is unknown). A series with
no more than H points has nothing to train on and is skipped (``skipped``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shopops.errors import InputError
from shopops.forecast.data import validate_frame
from shopops.forecast.engine import forecast
from shopops.forecast.types import ForecastConfig


@dataclass
class ForecastEvalReport:
    n_series: int
    mase: float | None
    smape: float | None
    naive_mase: float | None
    series_per_second: float
    seconds: float = 0.0
    statsforecast_seconds: float = 0.0
    skipped: int = 0
    excluded: int = 0
    models: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The evaluation contract: exactly these keys."""
        return {
            "n_series": self.n_series,
            "mase": self.mase,
            "smape": self.smape,
            "naive_mase": self.naive_mase,
            "series_per_second": self.series_per_second,
        }


def read_forecast_csv(path: Path) -> pd.DataFrame:
    """A long-format CSV (``unique_id, ds, y[, in_stock]``), validated row by row."""
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint="give the path of a CSV with unique_id, ds, y")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a readable CSV: {exc}", hint="save it as UTF-8 CSV") from exc
    raw.columns = [c.strip() for c in raw.columns]
    return validate_frame(raw, source=str(path))


def split_holdout(frame: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Training and holdout parts (the last ``horizon`` points of each series), and the skipped count."""
    frame = frame.sort_values(["unique_id", "ds"], kind="stable")
    sizes = frame.groupby("unique_id", sort=False)["ds"].transform("size")
    kept = frame[sizes > horizon]
    from_end = kept.groupby("unique_id", sort=False).cumcount(ascending=False)
    skipped = frame["unique_id"].nunique() - kept["unique_id"].nunique()
    return kept[from_end >= horizon], kept[from_end < horizon], skipped


def mase_scales(train: pd.DataFrame, season_length: int) -> pd.Series:
    """In-sample seasonal-naive MAE per series (naive-1 where that is undefined or 0)."""
    grouped = train.groupby("unique_id", sort=False)["y"]
    ids = train["unique_id"]
    seasonal = (train["y"] - grouped.shift(season_length)).abs().groupby(ids, sort=False).mean()
    naive = (train["y"] - grouped.shift(1)).abs().groupby(ids, sort=False).mean()
    return seasonal.where(seasonal > 0, naive).fillna(0.0)


def score(
    test: pd.DataFrame, predicted: pd.Series, scales: pd.Series
) -> tuple[float | None, float | None, int]:
    """Mean per-series MASE, mean per-series sMAPE (0–200), and the series left out of MASE."""
    scored = test.assign(yhat=predicted.to_numpy())
    scored = scored[scored["in_stock"]] if "in_stock" in scored else scored
    if scored.empty:
        return None, None, 0
    err = (scored["y"] - scored["yhat"]).abs()
    denom = scored["y"].abs() + scored["yhat"].abs()
    smape_point = np.where(denom > 0, 200.0 * err / denom.where(denom > 0, 1.0), 0.0)
    ids = scored["unique_id"]
    mae = err.groupby(ids, sort=False).mean()
    scale = scales.reindex(mae.index)
    usable = scale > 0
    mase = (mae[usable] / scale[usable]).mean() if usable.any() else None
    smape = pd.Series(smape_point, index=scored.index).groupby(ids, sort=False).mean().mean()
    return (None if mase is None else float(mase)), float(smape), int((~usable).sum())


def seasonal_naive(train: pd.DataFrame, freq: str, horizon: int, season_length: int) -> pd.DataFrame:
    """statsforecast's SeasonalNaive (Naive for series shorter than a season): ``unique_id, ds, yhat``."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive, SeasonalNaive

    sf = StatsForecast(models=[SeasonalNaive(season_length=season_length)], freq=freq, fallback_model=Naive())
    out = sf.forecast(h=horizon, df=train[["unique_id", "ds", "y"]])
    return out.rename(columns={"SeasonalNaive": "yhat"})


def _align(test: pd.DataFrame, fc: pd.DataFrame) -> pd.Series:
    merged = test[["unique_id", "ds"]].merge(
        fc[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"], how="left"
    )
    if merged["yhat"].isna().any():
        row = merged[merged["yhat"].isna()].iloc[0]
        raise InputError(
            f"{row['unique_id']} has a gap inside its last points (no forecast for {row['ds'].date()})",
            hint="the holdout needs consecutive dates; fill the missing dates with 0",
        )
    return merged["yhat"]


def evaluate_forecast(
    frame: pd.DataFrame, config: ForecastConfig, *, source: str = "frame"
) -> ForecastEvalReport:
    """Forecast the training part with shopops and with seasonal naive; score both on the holdout."""
    frame = validate_frame(frame, source=source)
    train, test, skipped = split_holdout(frame, config.horizon)
    if train.empty:
        raise InputError(
            f"no series in {source} has more than {config.horizon} points",
            hint="use a shorter --horizon or a longer history",
        )
    started = time.perf_counter()
    result = forecast(train, config, source=source)
    seconds = time.perf_counter() - started
    season = result.season_length
    ours = result.frame().rename(columns={"mean": "yhat"})
    scales = mase_scales(train, season)
    mase, smape, excluded = score(test, _align(test, ours), scales)
    naive = seasonal_naive(train, result.freq, config.horizon, season)
    naive_mase, _, _ = score(test, _align(test, naive), scales)
    n_series = int(train["unique_id"].nunique())
    return ForecastEvalReport(
        n_series=n_series,
        mase=mase,
        smape=smape,
        naive_mase=naive_mase,
        series_per_second=n_series / max(seconds, 1e-9),
        seconds=seconds,
        statsforecast_seconds=result.statsforecast_seconds,
        skipped=skipped,
        excluded=excluded,
        models=result.models_chosen(),
    )
