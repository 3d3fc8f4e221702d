"""Sales and stock alerts from forecasts: the numbers are computed here, the words come later.

Three kinds, each an :class:`~shopops.workflow.alerts.AlertCandidate` about one SKU (``subject_type
"sku"``) with the numbers behind it in ``evidence``:

``sales.decline`` — an interval-breach test. A backtest forecasts each series' last ``window``
points from the history before them (:func:`shopops.forecast.engine.backtest`); the alert is
raised when at least ``min_breaches`` of those actuals fall below the lower bound of the
``level`` % interval. On a series that behaves as its model expects, each point is below the
80 % lower bound with probability 0.1, so 5 of 8 happens by chance about once in 2,000 series
windows; a sustained drop breaches almost every point. Stock-out points are not demand and are
not counted (neither as breaches nor as points of the window). Intermittent series whose lower
bound is 0 cannot breach it and never raise this alert.

``stock.out_risk`` — on-hand stock runs out before the lead time ends (a reorder placed today
would arrive too late): from :func:`shopops.forecast.inventory.plan_inventory`.

``stock.overstock`` — weeks of supply above the policy's limit, stock without forecast demand,
or units older than the ageing limit.

Severity: decline by the shortfall against the forecast (≥ 50 % high, ≥ 25 % medium); stock-out
risk high when it runs out within half the lead time, low when stock already on order covers the
gap; overstock high above twice the limit. ``dedupe_key`` is kind, SKU and the month the window
ends in, so re-running detection refreshes the month's alert instead of raising another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopops.forecast.data import validate_frame
from shopops.forecast.inventory import InventoryPlan
from shopops.forecast.types import ForecastResult
from shopops.workflow.alerts import AlertCandidate


@dataclass(frozen=True)
class AlertConfig:
    """Thresholds of the detectors (see the module docstring)."""

    decline_level: int = 80
    decline_min_breaches: int = 5
    decline_high_shortfall: float = 0.5
    decline_medium_shortfall: float = 0.25


def _num(value: float | None, places: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), places)


def sales_decline(
    history: pd.DataFrame, backtest: ForecastResult, config: AlertConfig
) -> list[AlertCandidate]:
    """``sales.decline`` alerts: recent actuals below the backtest's lower bound (k of n)."""
    if config.decline_level not in backtest.levels:
        raise ValueError(f"the backtest has no {config.decline_level}% interval (levels {backtest.levels})")
    actual = validate_frame(history, source="history").set_index(["unique_id", "ds"])
    out: list[AlertCandidate] = []
    for uid, fc in backtest.series.items():
        keys = pd.MultiIndex.from_arrays([[uid] * len(fc.ds), fc.ds])
        rows = actual.reindex(keys)
        in_stock = rows["in_stock"].fillna(False).to_numpy(dtype=bool)
        y = rows["y"].to_numpy(dtype=float)
        lower = fc.lo[config.decline_level]
        breach = in_stock & (y < lower)
        needed = min(config.decline_min_breaches, int(in_stock.sum()))
        if needed == 0 or int(breach.sum()) < needed:
            continue
        expected = float(fc.mean[in_stock].sum())
        observed = float(y[in_stock].sum())
        shortfall = 1 - observed / expected if expected > 0 else 0.0
        if shortfall <= 0:
            continue
        severity = (
            "high"
            if shortfall >= config.decline_high_shortfall
            else "medium"
            if shortfall >= config.decline_medium_shortfall
            else "low"
        )
        first = fc.ds[int(np.flatnonzero(breach)[0])].date()
        end = fc.ds[-1].date()
        out.append(
            AlertCandidate(
                kind="sales.decline",
                severity=severity,
                subject_type="sku",
                subject_id=uid,
                title=f"{uid}: sales below forecast in {int(breach.sum())} of the last {int(in_stock.sum())} "
                f"periods ({shortfall:.0%} short)",
                evidence={
                    "skus": [uid],
                    "window_start": fc.ds[0].date().isoformat(),
                    "window_end": end.isoformat(),
                    "periods": int(in_stock.sum()),
                    "breaches": int(breach.sum()),
                    "min_breaches": needed,
                    "level": config.decline_level,
                    "first_breach": first.isoformat(),
                    "actual_total": _num(observed),
                    "expected_total": _num(expected),
                    "lower_total": _num(float(lower[in_stock].sum())),
                    "shortfall_pct": _num(100 * shortfall, 1),
                    "model": fc.model,
                    "actual": [_num(v) for v in y],
                    "expected": [_num(v) for v in fc.mean],
                    "lower": [_num(v) for v in lower],
                },
                dedupe_key=f"sales.decline:sku:{uid}:{end:%Y-%m}",
            )
        )
    return out


def stock_alerts(plans: list[InventoryPlan]) -> list[AlertCandidate]:
    """``stock.out_risk`` and ``stock.overstock`` alerts from inventory plans."""
    out: list[AlertCandidate] = []
    for plan in plans:
        month = f"{plan.as_of:%Y-%m}"
        evidence = plan.as_evidence() | {"skus": [plan.sku]}
        runs_out = plan.stockout_in_days
        if runs_out is not None and runs_out < plan.lead_time_days:
            gap = plan.demand_over_lead_time - plan.on_hand
            severity = "high" if runs_out <= plan.lead_time_days / 2 else "medium"
            if plan.position - plan.on_hand >= gap:
                severity = "low"  # stock already on order covers the gap, if it arrives in time
            out.append(
                AlertCandidate(
                    kind="stock.out_risk",
                    severity=severity,
                    subject_type="sku",
                    subject_id=plan.sku,
                    title=f"{plan.sku}: stock runs out in {runs_out:.0f} days, lead time "
                    f"{plan.lead_time_days:.0f} days",
                    evidence=evidence | {"shortfall_over_lead_time": _num(gap)},
                    dedupe_key=f"stock.out_risk:sku:{plan.sku}:{month}",
                )
            )
        weeks = plan.weeks_of_supply
        if plan.overstock or plan.aged_units > 0:
            if weeks is None:
                severity, what = "high", "stock with no forecast demand"
            elif weeks > plan.overstock_weeks_limit:
                severity = "high" if weeks > 2 * plan.overstock_weeks_limit else "medium"
                what = f"{weeks:.0f} weeks of supply (limit {plan.overstock_weeks_limit:.0f})"
            else:
                severity, what = "low", f"{plan.aged_units:.0f} units older than the ageing limit"
            out.append(
                AlertCandidate(
                    kind="stock.overstock",
                    severity=severity,
                    subject_type="sku",
                    subject_id=plan.sku,
                    title=f"{plan.sku}: {what}",
                    evidence=evidence,
                    dedupe_key=f"stock.overstock:sku:{plan.sku}:{month}",
                )
            )
    return out


def detect_alerts(
    history: pd.DataFrame,
    backtest: ForecastResult | None,
    plans: list[InventoryPlan] | None,
    config: AlertConfig | None = None,
) -> list[AlertCandidate]:
    """Every alert the inputs support, most severe first.

    ``history``: the long sales frame (``unique_id, ds, y[, in_stock]``) including the backtest
    window; ``backtest``: :func:`shopops.forecast.engine.backtest` of it (no decline check when
    ``None``); ``plans``: inventory plans from the forward forecast (no stock checks when ``None``).
    """
    config = config or AlertConfig()
    alerts: list[AlertCandidate] = []
    if backtest is not None:
        alerts += sales_decline(history, backtest, config)
    if plans:
        alerts += stock_alerts(plans)
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(alerts, key=lambda a: (order[a.severity], a.kind, a.subject_id))
