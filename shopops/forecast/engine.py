"""``forecast(frame, config)``: per-series model choice by rolling-origin cross-validation.

The models are statsforecast's; shopops decides which one each series gets:

1. :func:`shopops.forecast.data.prepare` validates the frame, fills gaps, imputes stock-outs
   (censored demand) and sorts the series into demand classes.
2. Series with enough history (``2·season``, ``2·horizon`` and 8 points, plus one horizon) are
   cross-validated: one statsforecast ``cross_validation`` call per class over all its series and
   all its candidates (smooth: seasonal naive, AutoETS, AutoTheta, + AutoARIMA when regressors are
   given; intermittent: Croston SBA, ADIDA, IMAPA, TSB, an 8-week moving average), ``cv_windows`` windows
   ``cv_step`` points apart — fewer when the shortest such series cannot hold them.
3. Each series takes the candidate with the lowest MASE over its windows (scale: the in-sample
   seasonal-naive MAE of the series; ties go to the earlier, simpler candidate).
4. One ``forecast`` call per class with the candidates that won somewhere, intervals at
   ``config.level``; each series keeps its own model's columns. Shorter series get seasonal naive
   (naive below one season) without cross-validation.

Exogenous regressors (promotions, holidays) reach every smooth-class model; AutoARIMA fits them
as regression terms, while seasonal naive, AutoETS and AutoTheta accept and ignore them, so the
cross-validation decides whether a regressor-aware model is worth it. The intermittent models
take no regressors. Intervals of models without their own (Croston, ADIDA, IMAPA, TSB) are
conformal (statsforecast's ``ConformalIntervals``, two windows of the horizon). Forecasts and
bounds are clipped at zero: units sold are never negative.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from shopops.forecast.backends import Backend, make_backend
from shopops.forecast.data import Prepared, prepare, validate_frame
from shopops.forecast.groups import Groups
from shopops.forecast.types import (
    INTERMITTENT_CLASSES,
    ForecastConfig,
    ForecastResult,
    ModelName,
    SeriesForecast,
)

_CLASSES = {
    "seasonal_naive": "SeasonalNaive",
    "naive": "Naive",
    "auto_ets": "AutoETS",
    "auto_arima": "AutoARIMA",
    "auto_theta": "AutoTheta",
    "croston_optimized": "CrostonOptimized",
    "croston_sba": "CrostonSBA",
    "tsb": "TSB",
    "adida": "ADIDA",
    "imapa": "IMAPA",
    "window_average": "WindowAverage",
}
_SEASONAL = frozenset({"seasonal_naive", "auto_ets", "auto_arima", "auto_theta"})
_NATIVE_INTERVALS = frozenset({"seasonal_naive", "naive", "auto_ets", "auto_arima", "auto_theta"})
TSB_ALPHAS = (0.1, 0.1)  # demand and probability smoothing (statsforecast has no auto-TSB)


def build_model(name: ModelName, season_length: int, *, conformal_h: int | None = None) -> Any:
    """The statsforecast model behind a shopops model name, aliased to that name.

    ``conformal_h``: give models without intervals of their own conformal ones for this horizon.
    """
    from statsforecast import models
    from statsforecast.utils import ConformalIntervals

    options: dict[str, Any] = {"alias": name}
    if name in _SEASONAL:
        options["season_length"] = season_length
    if name == "tsb":
        options["alpha_d"], options["alpha_p"] = TSB_ALPHAS
    if name == "window_average":
        options["window_size"] = average_window(season_length)
    if conformal_h and name not in _NATIVE_INTERVALS:
        options["prediction_intervals"] = ConformalIntervals(h=conformal_h, n_windows=2)
    return getattr(models, _CLASSES[name])(**options)


def average_window(season_length: int) -> int:
    """The window of ``window_average``: 8 weeks (56 days of daily data, 8 points otherwise)."""
    return 8 * season_length if season_length <= 7 else 8


def _fallback() -> Any:
    from statsforecast.models import Naive

    return Naive()


def min_train_length(config: ForecastConfig, season_length: int) -> int:
    """The shortest training window a cross-validation fold may have."""
    return max(2 * season_length, 2 * config.horizon, 8)


def _mase_scale(y: np.ndarray, groups: Groups, season_length: int) -> pd.Series:
    """Per series: in-sample MAE of the seasonal naive (naive-1 when that is 0 or undefined; else 1)."""
    seasonal = groups.lag_mae(y, season_length)
    naive = groups.lag_mae(y, 1)
    scale = np.where(seasonal > 0, seasonal, naive)
    return pd.Series(np.where(scale > 0, scale, 1.0), index=groups.index())


def _select(cv: pd.DataFrame, candidates: list[str], scale: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Each series' best candidate by MASE over the windows, and every candidate's MASE."""
    errors = cv[candidates].sub(cv["y"], axis=0).abs()
    mae = errors.groupby(cv["unique_id"], sort=False).mean()
    mase = mae.div(scale.reindex(mae.index), axis=0)
    chosen = mase.fillna(np.inf).idxmin(axis=1)  # first candidate on ties
    return chosen, mase


def _statsforecast_frame(prepared: Prepared, ids: pd.Index, *, exog: bool) -> pd.DataFrame:
    df = prepared.df
    columns = ["unique_id", "ds", "y", *(prepared.exog_columns if exog else ())]
    if len(ids) == len(prepared.groups):
        return df[columns]
    return df.loc[df["unique_id"].isin(ids), columns]


def _package(
    fc: pd.DataFrame,
    chosen: pd.Series,
    mase: pd.DataFrame | None,
    config: ForecastConfig,
    info: dict[str, dict[str, Any]],
    classes: pd.Series,
) -> dict[str, SeriesForecast]:
    """Per series, the columns of its own model: statsforecast returns ``h`` sorted rows each."""
    h = config.horizon
    uids = fc["unique_id"].to_numpy()[::h]
    order = chosen.reindex(uids).to_numpy()
    dates = fc["ds"].to_numpy().reshape(len(uids), h)

    def pick(suffix: str) -> np.ndarray:
        out = np.full((len(uids), h), np.nan)
        for model in pd.unique(order):
            column = f"{model}{suffix}"
            if column in fc.columns:
                mask = order == model
                out[mask] = fc[column].to_numpy(dtype=float).reshape(len(uids), h)[mask]
        return np.clip(out, 0.0, None)

    mean = pick("")
    bounds = {level: (pick(f"-lo-{level}"), pick(f"-hi-{level}")) for level in config.level}
    scores = mase.to_dict("index") if mase is not None else {}
    result: dict[str, SeriesForecast] = {}
    for i in range(len(uids)):
        uid = str(uids[i])
        row = info[uid]
        result[uid] = SeriesForecast(
            unique_id=uid,
            model=order[i],
            demand_class="short" if mase is None else classes[uid],
            cv_mase={k: float(v) for k, v in scores.get(uid, {}).items()},
            ds=pd.DatetimeIndex(dates[i]),
            mean=mean[i],
            lo={level: lo[i] for level, (lo, _) in bounds.items()},
            hi={level: hi[i] for level, (_, hi) in bounds.items()},
            n_obs=int(row["n_obs"]),
            n_censored=int(row["n_censored"]),
            history_start=row["start"].date(),
            history_end=row["end"].date(),
        )
    return result


def _cv_windows(config: ForecastConfig, lengths: pd.Series, min_train: int) -> int:
    if lengths.empty:
        return 0
    room = int(lengths.min()) - min_train - config.horizon
    return max(1, min(config.cv_windows, room // config.step + 1))


def _future(prepared: Prepared, ids: pd.Index) -> pd.DataFrame | None:
    if prepared.future_exog is None:
        return None
    return prepared.future_exog[prepared.future_exog["unique_id"].isin(ids)]


def run_prepared(
    prepared: Prepared, config: ForecastConfig, backend: Backend
) -> tuple[dict[str, SeriesForecast], int]:
    """Cross-validate, choose and forecast every series of ``prepared``; and the windows used."""
    df, groups, season, h = prepared.df, prepared.groups, prepared.season_length, config.horizon
    stamps = df["ds"].to_numpy()
    info = pd.DataFrame(
        {
            "n_obs": groups.sizes,
            "n_censored": groups.sum(df["censored"].to_numpy()).astype(int),
            "start": groups.first(stamps),
            "end": groups.last(stamps),
        },
        index=groups.index(),
    )
    rows = info.to_dict("index")
    min_train = min_train_length(config, season)
    eligible = info.index[info["n_obs"] >= min_train + h]
    n_windows = _cv_windows(config, info.loc[eligible, "n_obs"], min_train)
    scale = _mase_scale(df["y"].to_numpy(dtype=float), groups, season)
    classes = prepared.classes.reindex(info.index)
    sparse = classes.isin(INTERMITTENT_CLASSES)
    exog = bool(prepared.exog_columns)
    groups = [
        (
            eligible.intersection(info.index[~sparse]),
            [*config.smooth_models, *(config.exog_models if exog else ())],
            exog,
        ),
        (eligible.intersection(info.index[sparse]), list(config.intermittent_models), False),
    ]
    levels = list(config.level) or None
    result: dict[str, SeriesForecast] = {}
    for ids, names, with_exog in groups:
        if ids.empty:
            continue
        names = list(dict.fromkeys(names))
        frame = _statsforecast_frame(prepared, ids, exog=with_exog)
        cv = backend.cross_validation(
            [build_model(n, season) for n in names], prepared.freq, frame,
            h=h, n_windows=n_windows, step_size=config.step, fallback_model=_fallback(),
        )  # fmt: skip
        chosen, mase = _select(cv, names, scale)
        winners = [n for n in names if n in set(chosen)]
        fc = backend.forecast(
            [build_model(n, season, conformal_h=h) for n in winners], prepared.freq, frame,
            h=h, level=levels, X_df=_future(prepared, ids) if with_exog else None, fallback_model=_fallback(),
        )  # fmt: skip
        result.update(_package(fc, chosen, mase, config, rows, classes))
    short = info.index.difference(eligible)
    for name, ids in (
        ("seasonal_naive", short.intersection(info.index[info["n_obs"] >= season])),
        ("naive", short.intersection(info.index[info["n_obs"] < season])),
    ):
        if ids.empty:
            continue
        frame = _statsforecast_frame(prepared, ids, exog=False)
        fc = backend.forecast(
            [build_model(name, season)], prepared.freq, frame, h=h, level=levels, fallback_model=_fallback()
        )
        chosen = pd.Series(name, index=ids)
        result.update(_package(fc, chosen, None, config, rows, classes))
    return dict(sorted(result.items())), n_windows


def forecast(
    frame: pd.DataFrame,
    config: ForecastConfig,
    *,
    exog: pd.DataFrame | None = None,
    source: str = "frame",
    backend: Backend | None = None,
) -> ForecastResult:
    """Forecast every series of a long frame (``unique_id, ds, y[, in_stock]``) ``config.horizon`` ahead.

    ``exog``: regressors by ``ds`` (shared by all series) or by ``unique_id, ds``, covering the
    history and the horizon. ``source`` names the input in error messages (a file's path).
    ``backend``: where statsforecast runs (default: Ray when ``config.ray_address`` is set).
    """
    started = time.perf_counter()
    owned = backend is None
    backend = backend or make_backend(config.ray_address, config.n_jobs)
    try:
        prepared = prepare(frame, config, exog=exog, source=source)
        series, n_windows = run_prepared(prepared, config, backend)
    finally:
        if owned:
            backend.close()
    return ForecastResult(
        config=config,
        freq=prepared.freq,
        season_length=prepared.season_length,
        series=series,
        history=prepared.df[["unique_id", "ds", "y", "censored"]],
        backend=backend.name,
        cv_windows=n_windows,
        total_seconds=time.perf_counter() - started,
        statsforecast_seconds=backend.seconds,
        levels=config.level,
    )


def backtest(
    frame: pd.DataFrame,
    config: ForecastConfig,
    *,
    window: int,
    exog: pd.DataFrame | None = None,
    backend: Backend | None = None,
) -> ForecastResult:
    """Forecast each series' last ``window`` points from the history before them.

    What sales monitoring compares the recent actuals with: :func:`shopops.forecast.detect.detect_alerts`.
    """
    df = validate_frame(frame).sort_values(["unique_id", "ds"], kind="stable")
    from_end = df.groupby("unique_id", sort=False).cumcount(ascending=False)
    return forecast(
        df[from_end >= window], config.model_copy(update={"horizon": window}), exog=exog, backend=backend
    )
