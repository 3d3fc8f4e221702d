"""Sales histories made ready for the models: validated, regular, and honest about stock-outs.

Input is long format, one row per series and date: ``unique_id, ds, y`` and optionally
``in_stock`` (``False`` = a stock-out: what sold is not what was demanded). Problems are reported
per row and field, the way the importers do (row 1 is the header of the file).

Censored demand. A stock-out day's ``y`` is what was left to sell, not the demand, so it is
neither a zero nor an observation: it is set aside and imputed before any model sees it. The
imputation is the median of the same season position (same weekday, same week of the year) in up
to :data:`PHASE_NEIGHBOURS` cycles on either side that were in stock; with none, the median of
the nearest in-stock points. A model fitted on zeros would learn that demand vanished; one fitted
on the imputed points keeps the level and the season the series had.

Intermittency (Syntetos & Boylan, 2005): ADI, the average interval between non-zero demands, and
CV², the squared coefficient of variation of the non-zero demand sizes, sort series into smooth,
erratic (ADI < 1.32), intermittent and lumpy (ADI ≥ 1.32; CV² below or above 0.49). The last two
go to the intermittent-demand models (Croston, TSB, ADIDA, IMAPA).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopops.errors import InputError, RowError
from shopops.forecast.groups import Groups
from shopops.forecast.types import WEEKDAYS, ForecastConfig

REQUIRED = ("unique_id", "ds", "y")
PHASE_NEIGHBOURS = 4
MAX_LISTED = 20
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


@dataclass(frozen=True)
class Prepared:
    """A history ready for statsforecast: ``df`` has ``unique_id, ds, y, censored`` (+ exogenous
    columns), sorted, regular, imputed. ``future_exog``: the regressors over the horizon."""

    df: pd.DataFrame
    groups: Groups
    freq: str
    season_length: int
    classes: pd.Series
    exog_columns: tuple[str, ...]
    future_exog: pd.DataFrame | None


def _raise(errors: list[RowError], source: str) -> None:
    listed = "\n".join(f"  {source}: {e}" for e in errors[:MAX_LISTED])
    more = f"\n  ... and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
    raise InputError(
        f"{len(errors)} invalid row(s) in {source}; nothing was forecast.\n{listed}{more}",
        hint="correct those rows (long format: unique_id, ds as YYYY-MM-DD, y a number ≥ 0, "
        "optional in_stock true/false) and run again",
    )


def _row_errors(mask: np.ndarray, frame: pd.DataFrame, column: str, message: str) -> list[RowError]:
    rows = np.flatnonzero(mask)[:MAX_LISTED]
    return [RowError(int(i) + 2, column, message, str(frame[column].iloc[i])) for i in rows]


def _ids(uid: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stripped string ids, their sorted codes, and which rows have no id (work on the uniques)."""
    codes, uniques = pd.factorize(uid, sort=False, use_na_sentinel=True)
    names = pd.Index(uniques).astype(str).str.strip()
    empty = np.append(np.asarray(names == ""), True)  # the last slot: code -1, a missing id
    order = np.argsort(names.to_numpy(), kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    sorted_codes = np.where(codes >= 0, rank[codes] if len(rank) else codes, -1)
    values = (
        names.to_numpy(dtype=object)[np.where(codes >= 0, codes, 0)] if len(names) else np.array([], object)
    )
    return values, sorted_codes, empty[codes]


def validate_frame(frame: pd.DataFrame, *, source: str = "frame") -> pd.DataFrame:
    """Check and normalise a long-format frame; raise :class:`InputError` naming row and field.

    Returns ``unique_id`` (str), ``ds`` (datetime64), ``y`` (float), ``in_stock`` (bool, all True
    when the column is absent), sorted by ``unique_id`` then ``ds`` (statsforecast's order).
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source} lacks the column(s) {', '.join(missing)}",
            hint="forecast input is long format: one row per series and date with unique_id, ds, y",
        )
    frame = frame.reset_index(drop=True)
    errors: list[RowError] = []
    uid, codes, bad_uid = _ids(frame["unique_id"])
    errors += _row_errors(bad_uid, frame, "unique_id", "is empty")

    ds = frame["ds"]
    if not pd.api.types.is_datetime64_any_dtype(ds):
        ds = pd.to_datetime(ds.astype(str).str.strip(), format="ISO8601", errors="coerce")
    errors += _row_errors(ds.isna().to_numpy(), frame, "ds", "is not a date (use YYYY-MM-DD)")

    y = frame["y"]
    if not pd.api.types.is_numeric_dtype(y):
        y = pd.to_numeric(y.astype(str).str.strip(), errors="coerce")
    y = y.to_numpy(dtype=float)
    errors += _row_errors(~np.isfinite(y), frame, "y", "is not a number")
    errors += _row_errors(y < 0, frame, "y", "is negative (units sold cannot be)")

    in_stock = np.ones(len(frame), dtype=bool)
    if "in_stock" in frame.columns:
        raw = frame["in_stock"]
        if pd.api.types.is_bool_dtype(raw):
            in_stock = raw.to_numpy(dtype=bool)
        else:
            text = raw.astype(str).str.strip().str.lower()
            blank = (raw.isna() | (text == "") | (text == "nan")).to_numpy()
            in_stock = text.isin(_TRUE).to_numpy() | blank
            bad = ~(in_stock | text.isin(_FALSE).to_numpy())
            errors += _row_errors(bad, frame, "in_stock", "must be true or false")

    if not errors:
        stamps = ds.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        order = np.lexsort((stamps, codes))
        same = (codes[order][1:] == codes[order][:-1]) & (stamps[order][1:] == stamps[order][:-1])
        dup = np.zeros(len(frame), dtype=bool)
        dup[order[1:][same]] = True
        errors += _row_errors(dup, frame, "ds", "repeats a date of the same unique_id")
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        _raise(errors, source)
    out = pd.DataFrame(
        {
            "unique_id": uid[order],
            "ds": ds.to_numpy(dtype="datetime64[ns]")[order],
            "y": y[order],
            "in_stock": in_stock[order],
        }
    )
    return out


def infer_freq(df: pd.DataFrame, groups: Groups) -> str:
    """``"D"`` or ``"W-XXX"`` from the most common step between consecutive dates of a series."""
    stamps = df["ds"].to_numpy(dtype="datetime64[ns]")
    steps = (stamps[1:] - stamps[:-1])[groups.codes[1:] == groups.codes[:-1]]
    if steps.size == 0:
        raise InputError(
            "cannot infer the frequency: every series has a single date",
            hint="pass --freq D or --freq W-MON … W-SUN",
        )
    day, week = np.timedelta64(1, "D"), np.timedelta64(7, "D")
    daily, weekly = int((steps == day).sum()), int((steps == week).sum())
    if max(daily, weekly) * 2 > steps.size:
        return "D" if daily >= weekly else f"W-{WEEKDAYS[int(df['ds'].iloc[0].weekday())]}"
    values, counts = np.unique(steps, return_counts=True)
    raise InputError(
        f"dates are mostly {pd.Timedelta(values[np.argmax(counts)])} apart; shopops forecasts daily or "
        "weekly sales",
        hint="aggregate the sales to days or weeks first",
    )


def _check_alignment(df: pd.DataFrame, freq: str) -> None:
    if not freq.startswith("W-"):
        return
    wanted = WEEKDAYS.index(freq[2:])
    off = np.flatnonzero(df["ds"].dt.weekday.to_numpy() != wanted)
    if off.size:
        row = df.iloc[off[0]]
        raise InputError(
            f"weekly data ({freq}) but {row['unique_id']} has {row['ds'].date()}, a "
            f"{WEEKDAYS[row['ds'].weekday()]}",
            hint="give every week the same weekday (e.g. the week's start) or pass the matching --freq",
        )


def fill_gaps(df: pd.DataFrame, groups: Groups, freq: str, policy: str) -> pd.DataFrame:
    """Insert the dates missing inside each series: zero sales, or censored (``policy="impute"``).

    Returns ``df`` itself when nothing is missing, else a new frame in the same sorted order.
    """
    stamps = df["ds"].to_numpy(dtype="datetime64[ns]")
    step = np.timedelta64(7 if freq.startswith("W") else 1, "D")
    expected = (groups.last(stamps) - groups.first(stamps)) // step + 1
    holed = np.flatnonzero(expected != groups.sizes)
    if holed.size == 0:
        return df
    offset = pd.tseries.frequencies.to_offset(freq)
    parts = []
    holes = set(holed.tolist())
    for g in range(len(groups)):
        own = df.iloc[groups.starts[g] : groups.starts[g] + groups.sizes[g]]
        if g in holes:
            own = own.set_index("ds").reindex(
                pd.date_range(own["ds"].iloc[0], own["ds"].iloc[-1], freq=offset)
            )
            own = own.rename_axis("ds").reset_index()
            absent = own["y"].isna()
            own["unique_id"] = groups.ids[g]
            own.loc[absent, "in_stock"] = policy == "zero"
            own.loc[absent, "y"] = 0.0
        parts.append(own)
    out = pd.concat(parts, ignore_index=True)
    out["in_stock"] = out["in_stock"].astype(bool)
    return out[["unique_id", "ds", "y", "in_stock"]]


def impute_censored(y: np.ndarray, censored: np.ndarray, season_length: int) -> np.ndarray:
    """Replace the censored points of one series (see the module docstring); a copy."""
    out = y.astype(float).copy()
    observed = ~censored
    if not observed.any():
        return np.zeros_like(out)
    positions = np.flatnonzero(observed)
    for i in np.flatnonzero(censored):
        phase = [
            i + k * season_length
            for k in range(-PHASE_NEIGHBOURS, PHASE_NEIGHBOURS + 1)
            if k and season_length > 1 and 0 <= i + k * season_length < len(y)
        ]
        same = [j for j in phase if observed[j]]
        if same:
            out[i] = float(np.median(y[same]))
            continue
        nearest = positions[np.argsort(np.abs(positions - i), kind="stable")[: max(season_length, 7)]]
        out[i] = float(np.median(y[nearest]))
    return out


def classify_demand(y: np.ndarray, groups: Groups, adi_threshold: float, cv2_threshold: float) -> pd.Series:
    """Syntetos–Boylan class of every series (``smooth``, ``erratic``, ``intermittent``, ``lumpy``)."""
    positive = y > 0
    nonzero = groups.sum(positive)
    size_sum = groups.sum(np.where(positive, y, 0.0))
    size_sq = groups.sum(np.where(positive, y * y, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = size_sum / nonzero
        variance = np.maximum(size_sq / nonzero - mean**2, 0.0)
        cv2 = np.nan_to_num(variance / mean**2)
    adi = groups.sizes / np.maximum(nonzero, 1)
    sparse = (adi >= adi_threshold) | (nonzero == 0)
    variable = cv2 >= cv2_threshold
    classes = np.select(
        [sparse & variable, sparse, variable], ["lumpy", "intermittent", "erratic"], default="smooth"
    )
    return pd.Series(classes, index=groups.index(), name="demand_class")


def _merge_exog(
    df: pd.DataFrame, exog: pd.DataFrame, freq: str, horizon: int
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    if "ds" not in exog.columns:
        raise InputError(
            "the exogenous frame lacks a ds column", hint="give ds (and unique_id if per series)"
        )
    exog = exog.copy()
    exog["ds"] = pd.to_datetime(exog["ds"])
    keys = ["unique_id", "ds"] if "unique_id" in exog.columns else ["ds"]
    if "unique_id" in exog.columns:
        exog["unique_id"] = exog["unique_id"].astype(str)
    columns = [c for c in exog.columns if c not in keys]
    if not columns:
        raise InputError(
            "the exogenous frame has no regressor columns", hint="add e.g. a promo or holiday flag"
        )
    merged = df.merge(exog, on=keys, how="left")
    absent = merged[columns].isna().any(axis=1).to_numpy()
    if absent.any():
        row = merged.iloc[np.flatnonzero(absent)[0]]
        raise InputError(
            f"no exogenous values for {row['unique_id']} on {row['ds'].date()}",
            hint="the regressors must cover every date of the history and of the horizon",
        )
    last = df.groupby("unique_id", sort=False)["ds"].max()
    offset = pd.tseries.frequencies.to_offset(freq)
    future = pd.DataFrame(
        {
            "unique_id": np.repeat(last.index.to_numpy(), horizon),
            "ds": np.concatenate([pd.date_range(d, periods=horizon + 1, freq=offset)[1:] for d in last]),
        }
    )
    future = future.merge(exog, on=keys, how="left")
    gaps = future[columns].isna().any(axis=1).to_numpy()
    if gaps.any():
        row = future.iloc[np.flatnonzero(gaps)[0]]
        raise InputError(
            f"no exogenous values for {row['unique_id']} on {row['ds'].date()} (inside the horizon)",
            hint="give the regressors' future values (planned promotions, known holidays) for every "
            "forecast date",
        )
    return merged, future[["unique_id", "ds", *columns]], tuple(columns)


def prepare(
    frame: pd.DataFrame,
    config: ForecastConfig,
    *,
    exog: pd.DataFrame | None = None,
    source: str = "frame",
) -> Prepared:
    """Validate, regularise, impute censored demand, classify and attach regressors."""
    df = validate_frame(frame, source=source)
    groups = Groups.of(df["unique_id"])
    freq = config.freq or infer_freq(df, groups)
    _check_alignment(df, freq)
    season = config.season_length or (7 if freq == "D" else 52)
    filled = fill_gaps(df, groups, freq, config.gap_policy)
    if filled is not df:
        df, groups = filled, Groups.of(filled["unique_id"])
    in_stock = df["in_stock"].to_numpy(dtype=bool)
    y = df["y"].to_numpy(dtype=float)
    if config.trim_leading_zeros:
        # Zeros before a series' first sale: the product was not on sale yet (a stock-out counts
        # as on sale). A series that never sold keeps all its zeros.
        keep = groups.started((y > 0) | ~in_stock)
        keep |= (groups.sum(keep) == 0)[groups.codes]
        if not keep.all():
            df = df[keep]
            groups, y, in_stock = Groups.of(df["unique_id"]), y[keep], in_stock[keep]
    censored = ~in_stock
    if censored.any():
        y = y.copy()
        for g in np.unique(groups.codes[censored]):
            rows = slice(groups.starts[g], groups.starts[g] + groups.sizes[g])
            y[rows] = impute_censored(y[rows], censored[rows], season)
    df = pd.DataFrame(
        {"unique_id": df["unique_id"].to_numpy(), "ds": df["ds"].to_numpy(), "y": y, "censored": censored}
    )
    classes = classify_demand(y, groups, config.adi_threshold, config.cv2_threshold)
    future: pd.DataFrame | None = None
    columns: tuple[str, ...] = ()
    if exog is not None:
        df, future, columns = _merge_exog(df, exog, freq, config.horizon)
    return Prepared(df, groups, freq, season, classes, columns, future)
