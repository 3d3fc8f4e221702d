"""The same forecast call on a local Ray instance (statsforecast's Fugue/Ray path) gives the local
result. Ray takes seconds to start and each distributed call reshuffles the data, so the series are
few and short and the models cheap (each distributed call costs ~8 s of Ray Data set-up
here); skipped when ray or fugue's Ray engine (``fugue[ray]``, which imports duckdb) is
missing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from shopops.forecast.engine import forecast
from shopops.forecast.types import ForecastConfig

ray = pytest.importorskip("ray")
pytest.importorskip("fugue_ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    parts = []
    for i in range(3):
        n = 70
        y = 15 + 5 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 1, n)
        parts.append(
            pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-02-01", periods=n), "y": y})
        )
    return pd.concat(parts, ignore_index=True)


def test_ray_forecast_matches_local(local_ray: None) -> None:
    config = ForecastConfig(horizon=7, cv_windows=2, smooth_models=("seasonal_naive", "naive"), level=(80,))
    local = forecast(frame(), config)
    distributed = forecast(frame(), config.model_copy(update={"ray_address": "local"}))
    assert (local.backend, distributed.backend) == ("local", "ray")
    assert distributed.statsforecast_seconds > 0
    for uid, mine in local.series.items():
        theirs = distributed.series[uid]
        assert theirs.model == mine.model
        assert theirs.cv_mase == pytest.approx(mine.cv_mase)
        assert (theirs.ds == mine.ds).all()
        np.testing.assert_allclose(theirs.mean, mine.mean, rtol=1e-6)
        np.testing.assert_allclose(theirs.lo[80], mine.lo[80], rtol=1e-6)
        np.testing.assert_allclose(theirs.hi[80], mine.hi[80], rtol=1e-6)
    assert ray.is_initialized()  # an instance this process started is left running for its owner
