"""Where statsforecast runs: in this process (``n_jobs`` workers) or on Ray.

Both backends make the same two calls, ``cross_validation`` and ``forecast``, and time them:
``seconds`` is the time spent inside statsforecast, which is how :class:`ForecastResult` tells
statsforecast's time from shopops' own.

Ray uses statsforecast's own distributed path: a frame handed to ``StatsForecast`` under a Fugue
Ray execution engine is partitioned by series and each partition is forecast on a Ray worker
(``statsforecast.distributed.fugue.FugueBackend``). That path needs ``fugue[ray]`` (``fugue_ray``,
which imports ``duckdb``) besides ``ray``. Every Ray call reshuffles the data, a few seconds each:
worth it for tens of thousands of series, not for a handful.
"""

from __future__ import annotations

import os
import time
import warnings
from abc import ABC, abstractmethod
from typing import Any

import pandas as pd

from shopops.errors import ConfigError, JobError

LOCAL_ADDRESSES = frozenset({"", "local"})


class Backend(ABC):
    """Runs one statsforecast method over a frame; subclasses say where (:meth:`_run`)."""

    name: str = "abstract"

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs
        self.seconds = 0.0

    @abstractmethod
    def _run(self, sf: Any, method: str, df: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        """``getattr(sf, method)(df=df, **kwargs)`` as a pandas frame, computed wherever."""

    def _timed(
        self, models: list[Any], freq: str, method: str, df: pd.DataFrame, **kwargs: Any
    ) -> pd.DataFrame:
        from statsforecast import StatsForecast

        fallback = kwargs.pop("fallback_model", None)
        started = time.perf_counter()
        sf = StatsForecast(models=models, freq=freq, n_jobs=self.n_jobs, fallback_model=fallback)
        with warnings.catch_warnings():
            # Fits that warn (a rank-deficient ARIMA design, a flat series) still return a forecast,
            # and the cross-validation judges it; hundreds of such lines would bury the output.
            warnings.filterwarnings("ignore", module=r"statsforecast\.")
            out = self._run(sf, method, df, **kwargs)
        self.seconds += time.perf_counter() - started
        return out

    def cross_validation(
        self,
        models: list[Any],
        freq: str,
        df: pd.DataFrame,
        *,
        h: int,
        n_windows: int,
        step_size: int,
        fallback_model: Any = None,
    ) -> pd.DataFrame:
        """Rolling-origin forecasts: ``unique_id, ds, cutoff, y`` and one column per model."""
        return self._timed(
            models, freq, "cross_validation", df, h=h, n_windows=n_windows, step_size=step_size,
            fallback_model=fallback_model,
        )  # fmt: skip

    def forecast(
        self,
        models: list[Any],
        freq: str,
        df: pd.DataFrame,
        *,
        h: int,
        level: list[int] | None,
        X_df: pd.DataFrame | None = None,
        fallback_model: Any = None,
    ) -> pd.DataFrame:
        """Forecasts with intervals: ``unique_id, ds`` and ``Model, Model-lo-80, …`` columns."""
        return self._timed(
            models, freq, "forecast", df, h=h, level=level, X_df=X_df, fallback_model=fallback_model
        )

    def close(self) -> None:  # noqa: B027 - most backends start nothing
        """Release what this backend started (a local Ray instance)."""


class LocalBackend(Backend):
    """statsforecast in this process; ``n_jobs`` > 1 forks worker processes per call."""

    name = "local"

    def _run(self, sf: Any, method: str, df: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        return getattr(sf, method)(df=df, **kwargs)


class RayBackend(Backend):
    """statsforecast's Fugue/Ray path; connects to ``address`` (or starts a local instance).

    A local instance started here (``address`` ``local``) is shut down by :meth:`close`; one
    already initialised in this process (a test fixture, a notebook) is used and left running.
    """

    name = "ray"

    def __init__(self, address: str, *, num_cpus: int | None = None) -> None:
        super().__init__()
        self.address = address.strip()
        self.num_cpus = num_cpus
        self._ray: Any = None
        self._started = False
        self._engine: Any = None

    def _connect(self) -> Any:
        if self._engine is not None:
            return self._engine
        try:
            import fugue_ray
            import ray
        except ImportError as exc:
            raise ConfigError(
                f"forecasting on Ray needs the 'ray' and 'fugue[ray]' packages ({exc})",
                hint="pip install 'ray[data]' 'fugue[ray]' (fugue's Ray engine also imports duckdb), "
                "or unset SHOPOPS_RAY_ADDRESS to forecast in this process",
            ) from exc
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address in LOCAL_ADDRESSES:
                options["num_cpus"] = self.num_cpus or os.cpu_count() or 1
            else:
                options["address"] = self.address
            try:
                ray.init(**options)
            except Exception as exc:  # Ray has no error tree of its own
                raise JobError(
                    f"could not connect to Ray at {self.address or 'a local instance'}: {exc}",
                    hint="check SHOPOPS_RAY_ADDRESS (ray://host:10001, auto, or local) and `ray status`",
                ) from exc
            self._started = True
        self._ray = ray
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # One shuffle partition per worker CPU (x2): Ray's default of 200 costs seconds per call.
        conf = {"fugue.ray.shuffle.partitions": max(2, 2 * cpus)}
        self._engine = fugue_ray.RayExecutionEngine(conf=conf)
        return self._engine

    def _run(self, sf: Any, method: str, df: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        import fugue.api as fa

        engine = self._connect()
        if kwargs.get("X_df") is None:
            kwargs.pop("X_df", None)
        with fa.engine_context(engine):
            result = getattr(sf, method)(df=df, **kwargs)
            out = fa.as_pandas(result)
        for column in ("ds", "cutoff"):
            if column in out.columns:
                out[column] = pd.to_datetime(out[column]).astype(df["ds"].dtype)
        out["unique_id"] = out["unique_id"].astype(str)
        keys = ["unique_id", "cutoff", "ds"] if "cutoff" in out.columns else ["unique_id", "ds"]
        return out.sort_values(keys, kind="stable").reset_index(drop=True)

    def close(self) -> None:
        if self._started and self._ray is not None:
            self._ray.shutdown()
        self._started = False
        self._engine = None


def make_backend(ray_address: str | None, n_jobs: int = 1) -> Backend:
    """Ray when an address is given (``local`` = a local instance), else this process."""
    if ray_address is None:
        return LocalBackend(n_jobs)
    return RayBackend(ray_address)
