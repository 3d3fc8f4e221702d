"""Forecast accuracy and overhead on the development sales data: shopops vs statsforecast, one run.

Two datasets from ../shared/data/sales, each with the last H points of every series held out:

- **walmart**: weekly sales of 45 stores (143 weeks, W-FRI), season 52, H 12;
- **m5**: daily unit sales of the M5 subset (1,000 items, 1,941 days), season 7, H 28;
  ``--m5-series N`` takes a seeded sample of N items (default 100: AutoETS alone takes ~0.8 s
  per full-length series on these cores; ``--m5-series 1000`` for all of them).

Systems, scored by the harness of ``shopops eval forecast`` (mean per-series MASE with the
in-sample seasonal-naive scale; sMAPE on the 0–200 scale):

- **shopops**: :func:`shopops.forecast.engine.forecast` (validation, censoring, per-series model
  choice by rolling-origin CV, final fit, packaging);
- **seasonal_naive** and **auto_ets**: statsforecast's SeasonalNaive / AutoETS alone;
- **direct**: statsforecast called directly to do shopops' model work: for each demand class, the
  same ``cross_validation`` (same candidates, windows, step) and the same ``forecast`` (the
  candidates that won, same intervals) on the same frame, plus the per-series pick in pandas.

Overhead, two ways: ``shopops seconds / direct seconds − 1`` (end to end, both timed on this
machine in the same run), and ``(shopops seconds − its seconds inside statsforecast) /
its seconds inside statsforecast`` (shopops' own code). Goal: both ≤ 20 %. Timings are noisy on
shared cores: every system runs after a warm-up on two series that JIT-compiles numba, and shopops
and direct, when a run takes under 10 s, three times each (the fastest run counts).

Exogenous regressors: ``--exog`` passes Walmart's Holiday_Flag (which adds AutoARIMA, the model
that uses regressors, to the smooth candidates; ~3 s per fit at season 52, so it is opt-in). M5's
calendar (events, SNAP) is not used: all M5 items are intermittent, and the intermittent-demand
models take no regressors.

    .venv/bin/python bench/forecast.py [--m5-series 100] [--datasets walmart,m5] [--exog] [--json]

Exit status 0 when every dataset passes (shopops MASE below seasonal naive, overhead ≤ 20 %).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shopops.evals.forecast_eval import _align, mase_scales, score, split_holdout
from shopops.forecast.engine import _fallback, _select, build_model, forecast
from shopops.forecast.types import INTERMITTENT_CLASSES, ForecastConfig

SALES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sales"
OVERHEAD_GOAL = 0.20
CHEAP_SECONDS = 10.0
REPEATS = 3


def load_walmart() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(SALES / "walmart_weekly_45stores.csv")
    ds = pd.to_datetime(raw["Date"], format="%d/%m/%y")
    uid = "store_" + raw["Store"].astype(str).str.zfill(2)
    frame = pd.DataFrame({"unique_id": uid, "ds": ds, "y": raw["Weekly_Sales"].astype(float)})
    exog = pd.DataFrame({"unique_id": uid, "ds": ds, "holiday": raw["Holiday_Flag"].astype(float)})
    return frame, exog


def load_m5(n_series: int, seed: int = 7) -> pd.DataFrame:
    raw = pd.read_csv(SALES / "m5_subset_sales.csv")
    calendar = pd.read_csv(SALES / "m5_calendar.csv", usecols=["d", "date"])
    if n_series < len(raw):
        raw = raw.sample(n=n_series, random_state=seed)
    days = [c for c in raw.columns if c.startswith("d_")]
    dates = pd.to_datetime(calendar.set_index("d").loc[days, "date"]).to_numpy()
    values = raw[days].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(raw["id"].to_numpy(), len(days)),
            "ds": np.tile(dates, len(raw)),
            "y": values.ravel(),
        }
    )


def statsforecast_alone(model: Any, train: pd.DataFrame, freq: str, h: int) -> tuple[pd.DataFrame, float]:
    from statsforecast import StatsForecast

    started = time.perf_counter()
    out = StatsForecast(models=[model], freq=freq, fallback_model=_fallback()).forecast(
        h=h, df=train[["unique_id", "ds", "y"]]
    )
    return out.rename(columns={out.columns[-1]: "yhat"}), time.perf_counter() - started


def direct(result: Any, config: ForecastConfig, exog: pd.DataFrame | None) -> float:
    """shopops' statsforecast work, called directly on the frame shopops fitted (see the module)."""
    from statsforecast import StatsForecast

    history = result.history[["unique_id", "ds", "y"]]
    season, h = result.season_length, config.horizon
    started = time.perf_counter()
    classes = pd.Series({uid: s.demand_class for uid, s in result.series.items()})
    sparse = classes.isin(INTERMITTENT_CLASSES)
    for ids, names, with_exog in (
        (classes.index[~sparse & (classes != "short")], [*config.smooth_models], exog is not None),
        (classes.index[sparse], [*config.intermittent_models], False),
    ):
        if ids.empty:
            continue
        names = [*names, *(config.exog_models if with_exog else ())]
        frame = history[history["unique_id"].isin(ids)]
        future = None
        if with_exog and exog is not None:
            frame = frame.merge(exog, on=["unique_id", "ds"])
            last = frame.groupby("unique_id")["ds"].max()
            future = exog[exog["unique_id"].isin(ids) & (exog["ds"] > exog["unique_id"].map(last))]
            future = future.groupby("unique_id").head(h)
        sf = StatsForecast(
            models=[build_model(n, season) for n in names], freq=result.freq, fallback_model=_fallback()
        )
        cv = sf.cross_validation(h=h, df=frame, n_windows=result.cv_windows, step_size=config.step)
        scale = mase_scales(frame, season).where(lambda s: s > 0, 1.0)
        chosen, _ = _select(cv, names, scale)
        winners = [n for n in names if n in set(chosen)]
        models = [build_model(n, season, conformal_h=h) for n in winners]
        StatsForecast(models=models, freq=result.freq, fallback_model=_fallback()).forecast(
            h=h, df=frame, X_df=future, level=list(config.level)
        )
    return time.perf_counter() - started


def run_dataset(
    name: str, frame: pd.DataFrame, exog: pd.DataFrame | None, config: ForecastConfig
) -> dict[str, Any]:
    frame = frame.assign(in_stock=True)
    train, test, _ = split_holdout(frame, config.horizon)
    ids = train["unique_id"].unique()[:2]
    forecast(train[train["unique_id"].isin(ids)], config, exog=exog)  # warm-up: numba JIT compiles
    result = forecast(train, config, exog=exog)
    if result.total_seconds < CHEAP_SECONDS:  # sub-second timings on shared cores: best of REPEATS
        runs = [result, *(forecast(train, config, exog=exog) for _ in range(REPEATS - 1))]
        result = min(runs, key=lambda r: r.total_seconds)
    shopops_seconds = result.total_seconds
    season, h = result.season_length, config.horizon
    scales = mase_scales(train, season)
    ours = result.frame().rename(columns={"mean": "yhat"})
    rows: dict[str, Any] = {}
    mase, smape, _ = score(test, _align(test, ours), scales)
    rows["shopops"] = {"mase": mase, "smape": smape, "seconds": shopops_seconds}
    for label, model in (("seasonal_naive", "seasonal_naive"), ("auto_ets", "auto_ets")):
        fc, seconds = statsforecast_alone(build_model(model, season), train, result.freq, h)  # type: ignore[arg-type]
        mase_, smape_, _ = score(test, _align(test, fc), scales)
        rows[label] = {"mase": mase_, "smape": smape_, "seconds": seconds}
    direct_seconds = direct(result, config, exog)
    if direct_seconds < CHEAP_SECONDS:
        direct_seconds = min([direct_seconds, *(direct(result, config, exog) for _ in range(REPEATS - 1))])
    end_to_end = shopops_seconds / direct_seconds - 1
    own_code = result.overhead_ratio
    passed = (
        mase is not None
        and mase < rows["seasonal_naive"]["mase"]
        and max(end_to_end, own_code) <= OVERHEAD_GOAL
    )
    return {
        "dataset": name,
        "n_series": int(train["unique_id"].nunique()),
        "horizon": h,
        "season_length": season,
        "cv_windows": result.cv_windows,
        "models_chosen": result.models_chosen(),
        "systems": rows,
        "direct_seconds": direct_seconds,
        "statsforecast_seconds_inside_shopops": result.statsforecast_seconds,
        "overhead_end_to_end": end_to_end,
        "overhead_own_code": own_code,
        "pass": bool(passed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default="walmart,m5")
    parser.add_argument("--m5-series", type=int, default=100)
    parser.add_argument("--walmart-horizon", type=int, default=12)
    parser.add_argument("--m5-horizon", type=int, default=28)
    parser.add_argument("--cv-windows", type=int, default=3)
    parser.add_argument("--exog", action="store_true", help="Walmart Holiday_Flag as a regressor")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not SALES.is_dir():
        print(f"no sales data at {SALES}", file=sys.stderr)
        return 2
    reports = []
    for name in args.datasets.split(","):
        if name == "walmart":
            frame, exog = load_walmart()
            config = ForecastConfig(horizon=args.walmart_horizon, cv_windows=args.cv_windows)
            reports.append(run_dataset(name, frame, exog if args.exog else None, config))
        elif name == "m5":
            config = ForecastConfig(horizon=args.m5_horizon, cv_windows=args.cv_windows)
            reports.append(run_dataset(name, load_m5(args.m5_series), None, config))
        else:
            parser.error(f"unknown dataset {name!r}")
    if args.json:
        print(json.dumps(reports, indent=2))
    for r in reports:
        head = f"{r['dataset']}: {r['n_series']} series, horizon {r['horizon']}, season {r['season_length']}"
        print(f"\n{head}, {r['cv_windows']} CV windows; chosen {r['models_chosen']}")
        print(f"  {'system':<16}{'MASE':>8}{'sMAPE':>8}{'seconds':>10}")
        for system, m in r["systems"].items():
            print(f"  {system:<16}{m['mase']:>8.3f}{m['smape']:>8.2f}{m['seconds']:>10.1f}")
        print(f"  {'direct (same work)':<32}{r['direct_seconds']:>10.1f}")
        print(
            f"  overhead: end to end {r['overhead_end_to_end']:+.1%} "
            f"(shopops {r['systems']['shopops']['seconds']:.1f} s "
            f"vs direct {r['direct_seconds']:.1f} s); own code {r['overhead_own_code']:.2%} "
            f"({r['statsforecast_seconds_inside_shopops']:.1f} s inside statsforecast)"
        )
        verdict = "PASS" if r["pass"] else "FAIL"
        print(f"  {verdict}: MASE below seasonal naive and overhead <= {OVERHEAD_GOAL:.0%}")
    return 0 if all(r["pass"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
