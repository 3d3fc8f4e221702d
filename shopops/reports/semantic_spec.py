"""A question in the semantic layer's names: :class:`QuerySpec` and its :class:`Period`.

Validation is against the registry of :mod:`shopops.reports.semantic`: an unknown metric or
dimension, a split the metric's facts do not have, or top-N without a split fails here, before
any SQL is built. This is the shape the rule reader and the model both fill.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shopops.reports.semantic import CATEGORICAL, DIMENSIONS, METRICS, Measure

PeriodKind = Literal[
    "all_time",
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "last_n_days",
    "last_n_weeks",
    "last_n_months",
    "month",
    "quarter",
    "year",
    "between",
]
PERIOD_KINDS: tuple[str, ...] = PeriodKind.__args__  # type: ignore[attr-defined]


class Period(BaseModel):
    """A period, resolved against the store's "today" (see :mod:`shopops.reports.semantic_periods`).

    ``month`` without ``year`` is the latest such month up to today; ``between`` is inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: PeriodKind = "all_time"
    n: int | None = Field(default=None, ge=1, le=3660)
    year: int | None = Field(default=None, ge=1970, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    quarter: int | None = Field(default=None, ge=1, le=4)
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _needs(self) -> Period:
        needed = {
            "last_n_days": ("n",),
            "last_n_weeks": ("n",),
            "last_n_months": ("n",),
            "month": ("month",),
            "quarter": ("quarter",),
            "year": ("year",),
            "between": ("start", "end"),
        }.get(self.kind, ())
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"period {self.kind} needs {', '.join(missing)}")
        if self.kind == "between" and self.start and self.end and self.end < self.start:
            raise ValueError("period between: end is before start")
        return self


class QuerySpec(BaseModel):
    """One question, in the registry's names. Invalid names or combinations fail validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: str
    dimension: str | None = None
    period: Period = Field(default_factory=Period)
    compare_to: Literal["previous", "year_ago"] | None = None
    top_n: int | None = Field(default=None, ge=1, le=50)
    order: Literal["desc", "asc"] = "desc"
    filters: dict[str, str] = Field(default_factory=dict, max_length=3)

    @model_validator(mode="after")
    def _in_registry(self) -> QuerySpec:
        metric = METRICS.get(self.metric)
        if metric is None:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(METRICS)}")
        if self.dimension is not None and self.dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.dimension!r}; known: {', '.join(DIMENSIONS)}")
        for name, value in self.filters.items():
            if name not in CATEGORICAL:
                raise ValueError(f"cannot filter on {name!r}; filters: {', '.join(CATEGORICAL)}")
            if not 0 < len(value.strip()) <= 200:
                raise ValueError(f"filter {name}: the value must be 1 to 200 characters")
        wanted = set(self.filters) | ({self.dimension} if self.dimension else set())
        if metric.measure_for(wanted) is None:
            raise ValueError(
                f"{self.metric} cannot be split or filtered by {', '.join(sorted(wanted))}; "
                f"it can by: {', '.join(metric.dimensions)}"
            )
        if self.top_n is not None and (self.dimension is None or DIMENSIONS[self.dimension].grain):
            raise ValueError("top_n needs a dimension such as sku, product or category")
        return self

    @property
    def measure(self) -> Measure:
        wanted = set(self.filters) | ({self.dimension} if self.dimension else set())
        measure = METRICS[self.metric].measure_for(wanted)
        assert measure is not None  # checked by validation
        return measure
