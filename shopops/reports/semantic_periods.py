"""Periods in plain words ("last week", "March", "the last 30 days") as date ranges.

Every range is resolved against the store's *today*: by default the date of its newest order (see
:func:`shopops.reports.semantic_query.store_today`), because a store's data is often historical
(the demo store, an imported export) and "last week" should mean the last week of its data, not of
the calendar. Weeks start on Monday. Ranges are half-open: ``start <= date < end``.

Comparisons: ``previous`` is the period just before of the same kind (a week before a week, the
month before a month: for a month to date, the same days of the month before); ``year_ago`` is the
same dates a year earlier.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shopops.errors import InputError
from shopops.reports.semantic_spec import Period

EPOCH = dt.date(1970, 1, 1)
DAY = dt.timedelta(days=1)
MONTH_KINDS = {"this_month": 1, "last_month": 1, "month": 1}
QUARTER_KINDS = {"this_quarter", "last_quarter", "quarter"}
YEAR_KINDS = {"this_year", "last_year", "year"}
WEEK_KINDS = {"this_week", "last_week"}
NAMES_ZH = {
    "all_time": "全部时间",
    "today": "今天",
    "yesterday": "昨天",
    "this_week": "本周",
    "last_week": "上周",
    "this_month": "本月",
    "last_month": "上月",
    "this_quarter": "本季度",
    "last_quarter": "上季度",
    "this_year": "今年",
    "last_year": "去年",
}


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date  # exclusive
    name: str
    name_zh: str

    @property
    def last_day(self) -> dt.date:
        return self.end - DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def dates(self) -> str:
        if self.start == EPOCH:
            return f"up to {self.last_day.isoformat()}"
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def describe(self, language: str = "en") -> str:
        name = self.name_zh if language == "zh" else self.name
        return f"{name} ({self.dates()})"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month (31 Mar - 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    return start, add_months(start, 1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def resolve_period(period: Period, today: dt.date) -> DateRange:
    """The dates ``period`` covers when the store's today is ``today``."""
    kind = period.kind
    tomorrow = today + DAY
    monday = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    quarter_start = _quarter_start(today)
    year_start = today.replace(month=1, day=1)
    n = period.n or 1
    fixed: dict[str, tuple[dt.date, dt.date, str]] = {
        "all_time": (EPOCH, tomorrow, "all time"),
        "today": (today, tomorrow, "today"),
        "yesterday": (today - DAY, today, "yesterday"),
        "this_week": (monday, tomorrow, "this week"),
        "last_week": (monday - dt.timedelta(days=7), monday, "last week"),
        "this_month": (month_start, tomorrow, "this month"),
        "last_month": (add_months(month_start, -1), month_start, "last month"),
        "this_quarter": (quarter_start, tomorrow, "this quarter"),
        "last_quarter": (add_months(quarter_start, -3), quarter_start, "last quarter"),
        "this_year": (year_start, tomorrow, "this year"),
        "last_year": (year_start.replace(year=today.year - 1), year_start, "last year"),
    }
    if kind in fixed:
        start, end, name = fixed[kind]
        return DateRange(start, end, name, NAMES_ZH[kind])
    if kind == "last_n_days":
        return DateRange(tomorrow - dt.timedelta(days=n), tomorrow, f"the last {n} days", f"最近{n}天")
    if kind == "last_n_weeks":
        return DateRange(monday - dt.timedelta(weeks=n), monday, f"the last {n} full weeks", f"最近{n}个整周")
    if kind == "last_n_months":
        return DateRange(
            add_months(month_start, -n), month_start, f"the last {n} full months", f"最近{n}个整月"
        )
    if kind == "month":
        assert period.month is not None
        year = period.year or (today.year if period.month <= today.month else today.year - 1)
        start, end = _month(year, period.month)
        return DateRange(
            start, end, f"{calendar.month_name[period.month]} {year}", f"{year}年{period.month}月"
        )
    if kind == "quarter":
        assert period.quarter is not None
        first_month = 3 * (period.quarter - 1) + 1
        year = period.year or (today.year if first_month <= today.month else today.year - 1)
        start = dt.date(year, first_month, 1)
        return DateRange(
            start, add_months(start, 3), f"Q{period.quarter} {year}", f"{year}年第{period.quarter}季度"
        )
    if kind == "year":
        assert period.year is not None
        return DateRange(
            dt.date(period.year, 1, 1), dt.date(period.year + 1, 1, 1), str(period.year), f"{period.year}年"
        )
    assert kind == "between" and period.start is not None and period.end is not None
    return DateRange(period.start, period.end + DAY, "between", "期间")


def _shift(current: DateRange, *, months: int = 0, days: int = 0) -> tuple[dt.date, dt.date]:
    if months:
        return add_months(current.start, -months), add_months(current.end, -months)
    return current.start - dt.timedelta(days=days), current.end - dt.timedelta(days=days)


def comparison_range(
    period: Period, current: DateRange, compare_to: Literal["previous", "year_ago"]
) -> DateRange:
    """The range ``current`` is compared with (see the module docstring)."""
    if period.kind == "all_time":
        raise InputError(
            "all time has nothing before it to compare with",
            hint='name a period, e.g. "revenue this year vs last year"',
        )
    if compare_to == "year_ago":
        start, end = _shift(current, months=12)
        return DateRange(start, end, "the same period a year earlier", "去年同期")
    kind = period.kind
    if kind in MONTH_KINDS or kind == "last_n_months":
        start, end = _shift(current, months=MONTH_KINDS.get(kind, period.n or 1))
        name, name_zh = "the month before", "上一个月"
        if kind == "last_n_months":
            name, name_zh = "the previous period", "上一周期"
    elif kind in QUARTER_KINDS:
        start, end = _shift(current, months=3)
        name, name_zh = "the quarter before", "上一季度"
    elif kind in YEAR_KINDS:
        start, end = _shift(current, months=12)
        name, name_zh = "the year before", "上一年"
    elif kind in WEEK_KINDS or kind == "last_n_weeks":
        weeks = (period.n or 1) if kind == "last_n_weeks" else 1
        start, end = _shift(current, days=7 * weeks)
        name, name_zh = (
            ("the week before", "前一周") if kind in WEEK_KINDS else ("the previous period", "上一周期")
        )
    else:
        start, end = _shift(current, days=current.days)
        name, name_zh = (
            ("the day before", "前一天") if current.days == 1 else ("the previous period", "上一周期")
        )
    return DateRange(start, end, name, name_zh)
