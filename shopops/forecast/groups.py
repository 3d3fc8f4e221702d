"""Per-series reductions over a long frame sorted by ``unique_id`` then ``ds``, in numpy.

pandas' ``groupby`` factorises the string ids again on every call; over a few million rows that is
most of shopops' own time next to statsforecast's. The series of a sorted frame are contiguous
runs, so one pass finds their boundaries and every reduction is an ``np.add.reduceat`` or a
``np.bincount`` over them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Groups:
    """The runs of a sorted id column: ``ids[g]`` starts at row ``starts[g]`` and has ``sizes[g]`` rows."""

    ids: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    codes: np.ndarray

    @classmethod
    def of(cls, unique_id: pd.Series | np.ndarray) -> Groups:
        values = np.asarray(unique_id, dtype=object)
        if values.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(values, empty, empty, empty)
        change = np.flatnonzero(values[1:] != values[:-1]) + 1
        starts = np.concatenate([[0], change]).astype(np.int64)
        sizes = np.diff(np.append(starts, values.size))
        codes = np.repeat(np.arange(starts.size), sizes)
        return cls(values[starts], starts, sizes, codes)

    def __len__(self) -> int:
        return int(self.ids.size)

    def index(self) -> pd.Index:
        return pd.Index(self.ids, name="unique_id")

    def sum(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(np.asarray(values, dtype=float), self.starts) if len(self) else np.zeros(0)

    def first(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values)[self.starts]

    def last(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values)[self.starts + self.sizes - 1]

    def lag_mae(self, y: np.ndarray, lag: int) -> np.ndarray:
        """Per series: mean ``|y[t] − y[t − lag]|`` within the series (NaN when it is too short)."""
        if lag >= y.size:
            return np.full(len(self), np.nan)
        same = self.codes[lag:] == self.codes[:-lag]
        diffs = np.abs(y[lag:] - y[:-lag])[same]
        owner = self.codes[lag:][same]
        total = np.bincount(owner, weights=diffs, minlength=len(self))
        count = np.bincount(owner, minlength=len(self))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def started(self, flags: np.ndarray) -> np.ndarray:
        """Per row: whether ``flags`` was true at this row or earlier in its series."""
        marks = np.where(flags, np.arange(flags.size), flags.size)
        first = np.minimum.reduceat(marks, self.starts) if len(self) else marks
        return np.arange(flags.size) >= first[self.codes]
