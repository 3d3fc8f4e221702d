"""The forecasting engine on small synthetic series: validation, censoring, routing, model choice.

Series are short (≤ 150 points) and few, so the statsforecast fits take seconds; the first test
in a process also pays numba's compilation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopops.errors import InputError
from shopops.forecast.data import classify_demand, impute_censored, prepare, validate_frame
from shopops.forecast.engine import forecast
from shopops.forecast.groups import Groups
from shopops.forecast.types import ForecastConfig

RNG_SEED = 3


def seasonal(uid: str, n: int = 140, level: float = 20.0, seed: int = RNG_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = level + 0.4 * level * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.05 * level, n)
    ds = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.clip(y, 0, None)})


def sparse(uid: str, n: int = 140, seed: int = RNG_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.2, rng.integers(1, 4, n), 0).astype(float)
    y[0] = 2.0
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y})


@pytest.fixture(scope="module")
def mixed_result():
    frame = pd.concat(
        [seasonal("smooth-a"), seasonal("smooth-b", seed=4), sparse("rare"), seasonal("new", n=20)]
    )
    return forecast(frame, ForecastConfig(horizon=7, cv_windows=2))


def test_each_series_gets_its_best_cross_validated_model(mixed_result) -> None:
    assert set(mixed_result.series) == {"smooth-a", "smooth-b", "rare", "new"}
    assert mixed_result.freq == "D" and mixed_result.season_length == 7 and mixed_result.cv_windows == 2
    smooth = mixed_result.series["smooth-a"]
    assert smooth.demand_class == "smooth"
    assert set(smooth.cv_mase) == {"seasonal_naive", "auto_ets", "auto_theta"}
    assert smooth.model == min(smooth.cv_mase, key=smooth.cv_mase.get)
    rare = mixed_result.series["rare"]
    assert rare.demand_class in {"intermittent", "lumpy"}
    assert set(rare.cv_mase) == {"croston_sba", "adida", "imapa", "tsb", "window_average"}
    new = mixed_result.series["new"]
    assert (new.demand_class, new.model, new.cv_mase) == ("short", "seasonal_naive", {})


def test_forecasts_follow_the_history_with_ordered_intervals(mixed_result) -> None:
    for sf in mixed_result.series.values():
        assert len(sf.mean) == 7 and sf.ds[0] == pd.Timestamp(sf.history_end) + pd.Timedelta(days=1)
        assert (sf.lo[95] <= sf.lo[80] + 1e-9).all() and (sf.lo[80] <= sf.mean + 1e-9).all()
        assert (sf.mean <= sf.hi[80] + 1e-9).all() and (sf.hi[80] <= sf.hi[95] + 1e-9).all()
        assert (sf.lo[95] >= 0).all()
    smooth = mixed_result.series["smooth-a"]
    assert 12 < smooth.mean.mean() < 28  # the level is 20
    frame = mixed_result.frame()
    assert list(frame.columns) == ["unique_id", "ds", "model", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert len(frame) == 28
    assert 0 <= mixed_result.statsforecast_seconds <= mixed_result.total_seconds


def test_a_stock_out_is_censored_demand_not_zero_demand() -> None:
    frame = seasonal("sku-1")
    frame.loc[frame.index[-14:], "y"] = 0.0  # two weeks without stock at the end of the history
    censored = frame.assign(in_stock=[True] * (len(frame) - 14) + [False] * 14)
    config = ForecastConfig(horizon=7, cv_windows=2, smooth_models=("seasonal_naive", "auto_ets"))
    honest = forecast(censored, config).series["sku-1"]
    naive_zeros = forecast(frame, config).series["sku-1"]
    assert honest.n_censored == 14
    assert honest.mean.mean() > 15  # demand is still ~20 a day
    assert naive_zeros.mean.mean() < 0.5 * honest.mean.mean()  # zeros taken as demand drag it down


def test_impute_uses_the_same_season_position() -> None:
    y = np.array([10, 20, 30, 10, 20, 30, 0, 0, 30, 10, 20, 30], dtype=float)
    censored = np.zeros(12, dtype=bool)
    censored[[6, 7]] = True
    out = impute_censored(y, censored, 3)
    assert out[6] == 10 and out[7] == 20 and out[8] == 30
    assert (impute_censored(y, np.ones(12, bool), 3) == 0).all()


def test_validation_names_row_and_field() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "", "b"],
            "ds": ["2024-01-01", "2024-01-02", "2024-01-03", "someday"],
            "y": ["1", "-2", "3", "x"],
            "in_stock": ["true", "false", "maybe", ""],
        }
    )
    with pytest.raises(InputError) as raised:
        validate_frame(frame, source="sales.csv")
    text = str(raised.value)
    assert "sales.csv: row 3, field 'y': is negative" in text
    assert "sales.csv: row 4, field 'unique_id': is empty" in text
    assert "sales.csv: row 4, field 'in_stock': must be true or false" in text
    assert "sales.csv: row 5, field 'ds': is not a date" in text
    assert "sales.csv: row 5, field 'y': is not a number" in text
    dup = pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2024-01-01", "2024-01-01"], "y": [1, 2]})
    with pytest.raises(InputError, match=r"row 3, field 'ds': repeats a date"):
        validate_frame(dup)
    with pytest.raises(InputError, match="lacks the column"):
        validate_frame(pd.DataFrame({"unique_id": ["a"], "y": [1]}))


def test_weekly_frequency_gaps_and_leading_zeros() -> None:
    ds = pd.date_range("2024-01-05", periods=10, freq="W-FRI")
    frame = pd.DataFrame({"unique_id": "w", "ds": ds, "y": [0, 0, 5, 6, 7, 8, 9, 10, 11, 12]}).drop(index=5)
    prepared = prepare(frame, ForecastConfig(horizon=2))
    assert prepared.freq == "W-FRI" and prepared.season_length == 52
    assert len(prepared.df) == 8  # the two leading zeros dropped, the missing week filled
    assert prepared.df["y"].tolist() == [5, 6, 7, 0, 9, 10, 11, 12]
    imputed = prepare(frame, ForecastConfig(horizon=2, gap_policy="impute"))
    assert imputed.df["censored"].sum() == 1 and imputed.df["y"].iloc[3] > 0
    shifted = frame.assign(ds=frame["ds"] + pd.Timedelta(days=1))
    with pytest.raises(InputError, match="same weekday"):
        prepare(shifted, ForecastConfig(horizon=2, freq="W-FRI"))


def test_syntetos_boylan_classes() -> None:
    ids = np.repeat(["smooth", "erratic", "intermittent", "lumpy"], 8)
    y = np.array(
        [*[5, 6] * 4, *[1, 20, 1, 30, 2, 25, 1, 1], *[0, 3, 0, 0, 3, 0, 0, 3], *[0, 1, 0, 0, 30, 0, 0, 2]],
        dtype=float,
    )
    classes = classify_demand(y, Groups.of(ids), 1.32, 0.49)
    assert classes.to_dict() == {k: k for k in ("smooth", "erratic", "intermittent", "lumpy")}


def test_promotions_reach_the_regression_model() -> None:
    rng = np.random.default_rng(5)
    n, h = 112, 7
    promo = (rng.random(n + h) < 0.2).astype(float)
    ds = pd.date_range("2024-01-01", periods=n + h, freq="D")
    y = 10 + 15 * promo + rng.normal(0, 0.5, n + h)
    frame = pd.DataFrame({"unique_id": "p", "ds": ds[:n], "y": y[:n]})
    exog = pd.DataFrame({"ds": ds, "promo": promo})  # shared by all series: keyed by ds only
    config = ForecastConfig(horizon=h, cv_windows=2, smooth_models=("seasonal_naive",))
    result = forecast(frame, config, exog=exog).series["p"]
    assert set(result.cv_mase) == {"seasonal_naive", "auto_arima"} and result.model == "auto_arima"
    on, off = promo[n:] == 1, promo[n:] == 0
    if on.any() and off.any():
        assert result.mean[on].mean() > result.mean[off].mean() + 10
    with pytest.raises(InputError, match="inside the horizon"):
        forecast(frame, config, exog=exog.iloc[: n + 3])
