"""Types of the forecasting engine: what a forecast is asked for, and what comes back.

:class:`ForecastConfig` is validated user input (pydantic). The results are plain dataclasses over
numpy arrays: a store forecasts thousands of series, and building a pydantic object per forecast
point would cost more than some of the models do.

Model names are shopops' own (``auto_ets``), not statsforecast's class names, so that a
configuration file or API request never has to know the library; :data:`SMOOTH_MODELS` and
:data:`INTERMITTENT_MODELS` list them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ModelName = Literal[
    "seasonal_naive",
    "naive",
    "auto_ets",
    "auto_arima",
    "auto_theta",
    "croston_optimized",
    "croston_sba",
    "tsb",
    "adida",
    "imapa",
    "window_average",
]
SMOOTH_MODELS: tuple[ModelName, ...] = ("seasonal_naive", "auto_ets", "auto_theta")
INTERMITTENT_MODELS: tuple[ModelName, ...] = ("croston_sba", "adida", "imapa", "tsb", "window_average")
# Added to the smooth candidates when exogenous regressors are given: the model that uses them.
EXOG_MODELS: tuple[ModelName, ...] = ("auto_arima",)

# Syntetos–Boylan classes; "short" = too little history for cross-validation (a default model).
DemandClass = Literal["smooth", "erratic", "intermittent", "lumpy", "short"]
INTERMITTENT_CLASSES: frozenset[str] = frozenset({"intermittent", "lumpy"})


class ForecastConfig(BaseModel):
    """What to forecast and how models are chosen.

    ``freq``: ``"D"`` or ``"W-MON"`` … ``"W-SUN"``; ``None`` infers it from the dates.
    ``season_length``: ``None`` takes 7 for daily and 52 for weekly data.
    ``cv_windows`` rolling-origin windows, ``cv_step`` points apart (default: the horizon); fewer
    windows are used when the shortest series cannot hold them (see :mod:`shopops.forecast.engine`).
    ``gap_policy``: a date missing inside a series is a day without sales (``zero``) or unknown
    demand, imputed like a stock-out (``impute``).
    ``ray_address``: run the statsforecast calls on Ray (``ray://host:10001``, ``auto`` or
    ``local``); ``None`` runs them in this process with ``n_jobs`` workers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon: int = Field(ge=1, le=1000)
    season_length: int | None = Field(default=None, ge=1, le=400)
    freq: str | None = None
    level: tuple[int, ...] = (80, 95)
    cv_windows: int = Field(default=3, ge=1, le=20)
    cv_step: int | None = Field(default=None, ge=1)
    smooth_models: tuple[ModelName, ...] = SMOOTH_MODELS
    intermittent_models: tuple[ModelName, ...] = INTERMITTENT_MODELS
    exog_models: tuple[ModelName, ...] = EXOG_MODELS
    adi_threshold: float = Field(default=1.32, gt=1.0)
    cv2_threshold: float = Field(default=0.49, gt=0.0)
    gap_policy: Literal["zero", "impute"] = "zero"
    trim_leading_zeros: bool = True
    n_jobs: int = Field(default=1, ge=-1)
    ray_address: str | None = None

    @field_validator("level")
    @classmethod
    def _levels(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 < v < 100 for v in value):
            raise ValueError("every level must be between 0 and 100 (e.g. 80, 95)")
        return tuple(sorted(set(value)))

    @field_validator("freq")
    @classmethod
    def _freq(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if value == "D" or (value.startswith("W-") and value[2:] in WEEKDAYS) or value == "W":
            return "W-SUN" if value == "W" else value
        raise ValueError("freq must be 'D' (daily) or 'W-MON' … 'W-SUN' (weekly)")

    @model_validator(mode="after")
    def _candidates(self) -> ForecastConfig:
        if not self.smooth_models or not self.intermittent_models:
            raise ValueError("smooth_models and intermittent_models need at least one model each")
        return self

    @property
    def step(self) -> int:
        return self.cv_step or self.horizon


WEEKDAYS: tuple[str, ...] = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True, slots=True)
class SeriesForecast:
    """The forecast of one series, with the evidence of how its model was chosen.

    ``cv_mase``: mean absolute scaled error of each candidate over the cross-validation windows
    (empty for ``short`` series, which get a default model). ``lo``/``hi``: the interval bounds per
    level. ``n_censored``: points of the history that were stock-outs (or gaps, with
    ``gap_policy="impute"``) and were imputed before fitting.
    """

    unique_id: str
    model: ModelName
    demand_class: DemandClass
    cv_mase: dict[str, float]
    ds: pd.DatetimeIndex
    mean: np.ndarray
    lo: dict[int, np.ndarray]
    hi: dict[int, np.ndarray]
    n_obs: int
    n_censored: int
    history_start: dt.date
    history_end: dt.date

    def frame(self) -> pd.DataFrame:
        """One row per forecast date: ``ds, mean, lo-80, hi-80, …``."""
        data: dict[str, object] = {"ds": self.ds, "mean": self.mean}
        for level in sorted(self.lo):
            data[f"lo-{level}"] = self.lo[level]
            data[f"hi-{level}"] = self.hi[level]
        return pd.DataFrame(data)


@dataclass(frozen=True)
class ForecastResult:
    """All series' forecasts of one call.

    ``history``: the frame the models were fitted on (``unique_id, ds, y, censored``), imputed
    points flagged in ``censored``. ``statsforecast_seconds``: time spent inside statsforecast's
    own calls; the rest of ``total_seconds`` is shopops' overhead (validation, censoring,
    selection, packaging) — :attr:`overhead_ratio`.
    """

    config: ForecastConfig
    freq: str
    season_length: int
    series: dict[str, SeriesForecast]
    history: pd.DataFrame
    backend: str
    cv_windows: int
    total_seconds: float
    statsforecast_seconds: float
    levels: tuple[int, ...] = field(default=())

    @property
    def overhead_ratio(self) -> float:
        """Shopops' own time over statsforecast's time (0.1 = 10% on top of calling it directly)."""
        inside = max(self.statsforecast_seconds, 1e-9)
        return max(self.total_seconds - self.statsforecast_seconds, 0.0) / inside

    def frame(self) -> pd.DataFrame:
        """Long frame of every series' forecast: ``unique_id, ds, model, mean, lo-…, hi-…``."""
        if not self.series:
            return pd.DataFrame(columns=["unique_id", "ds", "model", "mean"])
        parts = []
        for sf in self.series.values():
            part = sf.frame()
            part.insert(0, "unique_id", sf.unique_id)
            part.insert(2, "model", sf.model)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def models_chosen(self) -> dict[str, int]:
        """How many series each model was chosen for."""
        counts: dict[str, int] = {}
        for sf in self.series.values():
            counts[sf.model] = counts.get(sf.model, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))
