"""Forecasts over the store: sales history in, forecasts, inventory plans and alerts out.

``run_forecasts(ctx)`` is what ``shopops forecast run``, ``POST /api/forecasts/run`` and the pages
call. It reads the ``sales`` table into the engine's long frame (locations summed per SKU; a day
with ``in_stock = False`` anywhere is a censored stock-out, not a day of zero demand), chooses daily
or weekly buckets, forecasts and backtests (on Ray when ``settings.ray_address`` is set), plans
inventory from the ``inventory`` table, detects alerts and raises them through the crisis workflow
(idempotent by the detectors' ``dedupe_key``).

The run is stored as one JSON file, ``<data_dir>/forecasts/latest.json`` (written atomically), so
pages chart the last run without recomputing it. A file, not a table: a run is a cache of derived
numbers that the next run replaces whole, and the alerts it raised are in the database already.

Bucket choice: daily when the SKUs sell on at least half of their days (median over SKUs), else
weekly (``W-MON``, labelled by the week's Monday). Small shops sell a few units a week; daily
series of them are mostly zeros that no model forecasts better than a weekly rate. A trailing
partial week is dropped: it would read as a collapse of sales.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.context import AppContext
from shopops.errors import InputError
from shopops.forecast.detect import AlertConfig, detect_alerts
from shopops.forecast.engine import backtest, forecast
from shopops.forecast.inventory import InventoryPolicy, StockPosition, plan_all
from shopops.forecast.types import ForecastConfig, SeriesForecast
from shopops.store.models import InventoryLevel, ProductVariant, SalesRecord
from shopops.workflow.alerts import AlertView, raise_alerts

DAILY_HORIZON, WEEKLY_HORIZON = 28, 8
DAILY_WINDOW, WEEKLY_WINDOW = 14, 8  # backtest windows the sales-decline test looks at
HISTORY_POINTS = {"D": 120, "W-MON": 52}  # history kept in the stored run, for charts
DEFAULT_LEAD_TIME = 14
SYSTEM_ACTOR = "system:forecast"


class SkuSeries(BaseModel):
    """One SKU of a stored run: recent history, the forecast with its bands, and the plan numbers."""

    sku: str
    model: str
    demand_class: str
    n_censored: int
    history_ds: list[str]
    history_y: list[float]
    history_censored: list[bool]
    ds: list[str]
    mean: list[float]
    lo: dict[str, list[float]]  # by level ("80", "95")
    hi: dict[str, list[float]]
    plan: dict[str, Any] | None = None  # InventoryPlan.as_evidence(), when the SKU has stock rows


class ForecastRun(BaseModel):
    """A forecast run of the whole store, as stored in ``latest.json``."""

    generated_at: dt.datetime
    freq: str
    horizon: int
    levels: list[int]
    backend: str
    seconds: float
    history_end: dt.date
    models_chosen: dict[str, int]
    alert_ids: list[int] = Field(default_factory=list)
    series: list[SkuSeries]

    def get(self, sku: str) -> SkuSeries | None:
        return next((s for s in self.series if s.sku == sku), None)


ProgressFn = Callable[[str], None]


def sales_frame(ctx: AppContext, skus: Sequence[str] | None = None) -> pd.DataFrame:
    """Daily ``unique_id, ds, y, in_stock`` per SKU from its first sale to the store's last sales date.

    Days without a row are days without sales (in stock); locations are summed; a day out of stock
    at any location is censored.
    """
    query = select(
        SalesRecord.sku, SalesRecord.date, SalesRecord.units, SalesRecord.in_stock, SalesRecord.on_promotion
    )
    if skus:
        query = query.where(SalesRecord.sku.in_(list(skus)))
    with ctx.db.session() as session:
        rows = session.execute(query).all()
    if not rows:
        raise InputError(
            "no sales history in the store", hint="import sales first: shopops import sales FILE"
        )
    raw = pd.DataFrame(rows, columns=["unique_id", "ds", "y", "in_stock", "promo"])
    raw["ds"] = pd.to_datetime(raw["ds"])
    raw["in_stock"] = raw["in_stock"].ne(False).astype(bool)  # unknown: in stock
    raw["promo"] = raw["promo"].eq(True).astype(float)
    daily = raw.groupby(["unique_id", "ds"], as_index=False).agg(
        y=("y", "sum"), in_stock=("in_stock", "all"), promo=("promo", "max")
    )
    end = daily["ds"].max()
    parts = []
    for uid, own in daily.groupby("unique_id", sort=True):
        days = pd.date_range(own["ds"].min(), end, freq="D")
        dense = own.set_index("ds").reindex(days).rename_axis("ds").reset_index()
        dense["unique_id"] = uid
        dense["y"] = dense["y"].fillna(0.0)
        dense["in_stock"] = dense["in_stock"].ne(False).astype(bool)  # absent days: in stock
        dense["promo"] = dense["promo"].fillna(0.0)
        parts.append(dense)
    return pd.concat(parts, ignore_index=True)[["unique_id", "ds", "y", "in_stock", "promo"]]


def choose_freq(daily: pd.DataFrame) -> str:
    """``"D"`` when the median SKU sells on at least half its in-stock days, else ``"W-MON"``."""
    selling = daily[daily["in_stock"]].assign(sold=lambda d: d["y"] > 0).groupby("unique_id")["sold"].mean()
    return "D" if float(selling.median()) >= 0.5 else "W-MON"


def to_weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Weeks labelled by their Monday; a week is censored when most of its days were out of stock.

    Weeks before a SKU's first full week and the store's trailing partial week are dropped.
    """
    frame = daily.assign(week=daily["ds"] - pd.to_timedelta(daily["ds"].dt.weekday, unit="D"))
    if "promo" not in frame.columns:
        frame = frame.assign(promo=0.0)
    weekly = frame.groupby(["unique_id", "week"], as_index=False).agg(
        y=("y", "sum"),
        out_days=("in_stock", lambda s: int((~s).sum())),
        days=("y", "size"),
        promo=("promo", "mean"),  # the share of the week's days on promotion
    )
    weekly = weekly[weekly["days"] == 7]  # the dense frame leaves partial weeks only at the ends
    out = weekly.rename(columns={"week": "ds"})
    out["in_stock"] = out["out_days"] * 2 < out["days"]
    return out[["unique_id", "ds", "y", "in_stock", "promo"]].reset_index(drop=True)


def promotion_exog(frame: pd.DataFrame, freq: str, horizon: int) -> pd.DataFrame | None:
    """The store's promotion flags as a regressor (``unique_id, ds, promo``), or ``None`` when no
    sale was ever on promotion. The horizon is assumed promotion-free (the store holds no promotion
    calendar), so a promotion's lift is learned from history but not forecast as baseline demand."""
    if "promo" not in frame.columns or not frame["promo"].gt(0).any():
        return None
    step = pd.Timedelta(days=1) if freq == "D" else pd.Timedelta(weeks=1)
    history = frame[["unique_id", "ds", "promo"]]
    future = [
        pd.DataFrame({"unique_id": uid, "ds": [last + step * k for k in range(1, horizon + 1)], "promo": 0.0})
        for uid, last in history.groupby("unique_id")["ds"].max().items()
    ]
    return pd.concat([history, *future], ignore_index=True)


def season_length(freq: str, longest: int, horizon: int) -> int:
    """7 for daily data; 52 for weekly data with two years to learn a year's pattern from, else 1.

    With less, a yearly season would leave every series too short to cross-validate, and each would
    get seasonal naive, which repeats last year's week (mostly zeros in a small shop's week).
    """
    if freq == "D":
        return 7
    return 52 if longest >= 2 * 52 + horizon else 1


def stock_positions(ctx: AppContext, skus: set[str]) -> list[StockPosition]:
    """Inventory summed over locations; MOQ and case pack from the variant's ``attributes`` if set."""
    with ctx.db.session() as session:
        levels = session.execute(
            select(
                InventoryLevel.sku,
                InventoryLevel.on_hand,
                InventoryLevel.on_order,
                InventoryLevel.lead_time_days,
            )
        ).all()
        terms = {
            sku: attributes or {}
            for sku, attributes in session.execute(select(ProductVariant.sku, ProductVariant.attributes))
        }
    totals: dict[str, list[float]] = {}
    for sku, on_hand, on_order, lead in levels:
        if sku not in skus:
            continue
        row = totals.setdefault(sku, [0.0, 0.0, 0.0])
        row[0] += on_hand or 0
        row[1] += on_order or 0
        row[2] = max(row[2], float(lead if lead is not None else DEFAULT_LEAD_TIME))
    out = []
    for sku, (on_hand, on_order, lead) in sorted(totals.items()):
        extra = terms.get(sku, {})
        out.append(
            StockPosition(
                sku=sku,
                on_hand=on_hand,
                on_order=on_order,
                lead_time_days=lead,
                moq=float(extra.get("moq") or 0),
                case_pack=int(extra.get("case_pack") or 1),
            )
        )
    return out


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) for v in values]


def _series(fc: SeriesForecast, history: pd.DataFrame, keep: int, plan: dict[str, Any] | None) -> SkuSeries:
    own = history[history["unique_id"] == fc.unique_id].tail(keep)
    return SkuSeries(
        sku=fc.unique_id,
        model=fc.model,
        demand_class=fc.demand_class,
        n_censored=fc.n_censored,
        history_ds=[d.date().isoformat() for d in own["ds"]],
        history_y=_floats(own["y"].to_numpy()),
        history_censored=[not bool(v) for v in own["in_stock"]],
        ds=[d.date().isoformat() for d in fc.ds],
        mean=_floats(fc.mean),
        lo={str(level): _floats(values) for level, values in fc.lo.items()},
        hi={str(level): _floats(values) for level, values in fc.hi.items()},
        plan=plan,
    )


def run_forecasts(
    ctx: AppContext,
    *,
    horizon: int | None = None,
    skus: Sequence[str] | None = None,
    on_progress: ProgressFn | None = None,
    actor: str = SYSTEM_ACTOR,
) -> ForecastRun:
    """Forecast, plan and alert over the store's sales; store and return the run (see the module)."""
    say = on_progress or (lambda _message: None)
    started = time.perf_counter()
    daily = sales_frame(ctx, skus)
    freq = choose_freq(daily)
    frame = daily if freq == "D" else to_weekly(daily)
    if frame.empty:
        raise InputError("too little sales history to forecast", hint="import at least a few weeks of sales")
    horizon = horizon or (DAILY_HORIZON if freq == "D" else WEEKLY_HORIZON)
    window = DAILY_WINDOW if freq == "D" else WEEKLY_WINDOW
    longest = int(frame.groupby("unique_id").size().max())
    config = ForecastConfig(
        horizon=horizon,
        freq=freq,
        season_length=season_length(freq, longest, horizon),
        ray_address=getattr(ctx.settings, "ray_address", None),
        n_jobs=int(getattr(ctx.settings, "forecast_n_jobs", 1) or 1),
    )
    say(f"forecasting {frame['unique_id'].nunique()} SKUs ({'daily' if freq == 'D' else 'weekly'})")
    exog = promotion_exog(frame, freq, horizon)
    frame = frame.drop(columns=["promo"])
    result = forecast(frame, config, exog=exog, source="sales")
    say("backtesting the last periods for sales declines")
    checked = backtest(frame, config.model_copy(update={"level": (80, 95)}), window=window, exog=exog)
    positions = stock_positions(ctx, set(result.series))
    plans = plan_all(result.series, positions, InventoryPolicy())
    alert_config = AlertConfig(decline_min_breaches=5 if freq != "D" else 8)
    candidates = detect_alerts(frame, checked, plans, alert_config)
    say(f"raising {len(candidates)} alerts")
    views: list[AlertView] = raise_alerts(ctx.db, candidates, actor=actor)
    by_sku = {plan.sku: plan.as_evidence() for plan in plans}
    keep = HISTORY_POINTS.get(freq, 52)
    run = ForecastRun(
        generated_at=dt.datetime.now(dt.UTC),
        freq=freq,
        horizon=horizon,
        levels=list(result.levels),
        backend=result.backend,
        seconds=round(time.perf_counter() - started, 2),
        history_end=frame["ds"].max().date(),
        models_chosen=result.models_chosen(),
        alert_ids=[v.id for v in views],
        series=[_series(fc, frame, keep, by_sku.get(uid)) for uid, fc in result.series.items()],
    )
    save_run(ctx, run)
    say(f"done in {run.seconds:.1f}s")
    return run


def sku_chart(series: SkuSeries, *, history_points: int = 26) -> str:
    """An inline SVG of a SKU: recent sales, the forecast (dashed) and its widest interval as a band.

    The band is drawn over every label, so over the history it is the sales line itself (no width).
    """
    from shopops.charts import Series, line_chart

    hist_y = series.history_y[-history_points:]
    labels = [day[5:] for day in series.history_ds[-history_points:] + series.ds]  # "MM-DD": ISO dates
    level = max(series.lo, key=int) if series.lo else None
    sales = Series("sales", [*hist_y, *([None] * len(series.ds))])
    band = None
    if level is not None:
        band = ([*hist_y, *series.lo[level]], [*hist_y, *series.hi[level]])
    joined = [*([None] * (len(hist_y) - 1)), hist_y[-1]] if hist_y else []
    name = f"forecast ({series.model}{f', {level}%' if level else ''})"
    forecast_line = Series(name, [*joined, *series.mean], band=band, dashed=True)
    return line_chart(series.sku, labels, [sales, forecast_line], test_id=f"forecast-{series.sku}")


def run_path(ctx: AppContext) -> Path:
    return Path(ctx.settings.data_dir) / "forecasts" / "latest.json"


def save_run(ctx: AppContext, run: ForecastRun) -> Path:
    """Write the run atomically (a reader never sees half a file)."""
    path = run_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(run.model_dump(mode="json"), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_latest(ctx: AppContext) -> ForecastRun | None:
    """The last stored run, or ``None`` when there is none (or it is unreadable: run again)."""
    path = run_path(ctx)
    if not path.is_file():
        return None
    try:
        return ForecastRun.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
