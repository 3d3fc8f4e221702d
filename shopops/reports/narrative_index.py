"""What a report's narrative may state: the index :mod:`shopops.reports.narrative_check` checks against.

Principle 1: the numbers of a report are computed in code (:mod:`shopops.reports.facts`); the model
only words them. :func:`index_facts` turns :class:`~shopops.reports.facts.ReportFacts` into what a
sentence may state: levels (a KPI's value, previous and year-ago value, a mover's revenue, a count
of open alerts...), signed changes with their basis (``pop``: against the previous period; ``yoy``:
against a year earlier), each subject's direction, the words and names that point at each subject
(KPI and section words, SKU codes, product titles, aspects), and the report's dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from shopops.reports.facts import ReportFacts, change_pct
from shopops.reports.facts_sections import next_period
from shopops.reports.narrative_read import SUBJECT_WORDS, phrase_pattern

Basis = Literal["pop", "yoy"]
FactKind = Literal["money", "count", "number", "percent", "points"]
FLAT_OK_PCT = 1.0  # "flat", "unchanged", "持平": the change is under 1%
GENERAL = "period"  # the subject of facts any clause may state (the period's length in days)


@dataclass(frozen=True)
class CheckFact:
    subjects: frozenset[str]
    kind: FactKind
    value: float
    basis: Basis | None = None  # None: a level; else a signed change against that basis
    compared: bool = False  # a comparison's base (previous, year-ago value): only where the clause compares


@dataclass
class FactIndex:
    """What a narrative may state about one report (build it with :func:`index_facts`)."""

    facts: list[CheckFact] = field(default_factory=list)
    directions: dict[tuple[str, str], tuple[float, bool]] = field(default_factory=dict)  # (sign, flat)
    phrases: list[tuple[re.Pattern[str], frozenset[str]]] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    days: set[dt.date] = field(default_factory=set)
    current_days: set[dt.date] = field(default_factory=set)  # a date outside them makes a comparison

    def add(
        self,
        subjects: str | Iterable[str],
        kind: FactKind,
        value: float | None,
        basis: Basis | None = None,
        *,
        compared: bool = False,
    ) -> None:
        if value is not None:
            names = frozenset({subjects}) if isinstance(subjects, str) else frozenset(subjects)
            self.facts.append(CheckFact(names, kind, float(value), basis, compared))

    def change(
        self, subject: str, basis: Basis, kind: FactKind, delta: float | None, pct: float | None
    ) -> None:
        """A subject's change: its size (as ``kind``), its percent, and the direction they give."""
        self.add(subject, kind, delta, basis)
        self.add(subject, "percent", pct, basis)
        sign = pct if pct is not None else delta
        if sign is not None:
            flat = abs(pct) < FLAT_OK_PCT if pct is not None else delta == 0
            self.directions[(subject, basis)] = (sign, flat)

    def name(self, words: str, subject: str) -> None:
        if words.strip():
            self.phrases.append((phrase_pattern(words), frozenset({subject})))


def _days(start: dt.date, end: dt.date) -> set[dt.date]:
    return {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}


def _items(index: FactIndex, subject: str, sku: str, title: str) -> None:
    index.name(sku, subject)
    index.name(title, subject)
    index.identifiers += [sku, title]


def index_facts(facts: ReportFacts) -> FactIndex:
    """Every level, change, direction, name and date a narrative of ``facts`` may use."""
    index = FactIndex()
    for subject, words in SUBJECT_WORDS.items():
        for words_ in words:
            index.name(words_, subject)
    for k in facts.kpis:
        index.add(k.name, k.unit, k.value)
        index.add(k.name, k.unit, k.previous, compared=True)
        index.add(k.name, k.unit, k.year_ago, compared=True)
        step: FactKind = "points" if k.unit == "percent" else k.unit
        index.change(k.name, "pop", step, k.change, k.change_pct)
        index.change(k.name, "yoy", step, k.yoy_change, k.yoy_pct)
    if (c := facts.customers) is not None:
        index.add("customers", "count", c.customers)
        index.add("customers", "count", c.previous_customers, compared=True)
        index.add({"customers", "new_customers"}, "percent", c.new_share_pct)
        if c.previous_customers is not None:
            delta = c.customers - c.previous_customers
            index.change("customers", "pop", "count", delta, change_pct(c.customers, c.previous_customers))
    money: FactKind = "money" if facts.mover_metric == "revenue" else "number"
    for m in [*facts.movers_up, *facts.movers_down]:
        subject = f"sku:{m.sku}"
        _items(index, subject, m.sku, m.title)
        index.add(subject, money, m.value)
        index.add(subject, money, m.previous, compared=True)
        index.add(subject, "number", m.units)
        index.add(subject, "number", m.previous_units, compared=True)
        index.change(subject, "pop", money, m.change, m.change_pct)
    if (s := facts.stock) is not None:
        index.add("stock", "count", s.skus)
        index.add("out_of_stock", "count", s.out_of_stock)
        index.add("out_of_stock", "count", s.stockout_days)
        index.add("low_cover", "count", s.low_cover)
        index.add("overstock", "count", s.overstock)
        index.add({"cover", "stock"}, "number", s.median_cover_days)
        index.add({"cover", "stock", "low_cover"}, "number", s.demand_days)
        index.add("overstock", "number", s.overstock_days)
        index.add("overstock", "number", round(s.overstock_days / 7))
        for item in [*s.at_risk, *s.overstocked]:
            subject = f"sku:{item.sku}"
            _items(index, subject, item.sku, item.title)
            for value in (item.on_hand, item.daily_units, item.cover_days, item.lead_time_days):
                index.add(subject, "number", value)
    if (r := facts.reviews) is not None:
        index.add("reviews", "count", r.reviews)
        index.add("reviews", "count", r.analyzed)
        index.add("rating", "number", r.average_rating)
        index.add("rating", "number", r.previous_average_rating, compared=True)
        if r.average_rating is not None and r.previous_average_rating is not None:
            delta = round(r.average_rating - r.previous_average_rating, 2)
            index.change(
                "rating", "pop", "number", delta, change_pct(r.average_rating, r.previous_average_rating)
            )
        index.add("negative", "percent", r.negative_pct)
        index.add("negative", "percent", r.previous_negative_pct, compared=True)
        index.change(
            "negative",
            "pop",
            "points",
            r.negative_change_pts,
            change_pct(r.negative_pct, r.previous_negative_pct),
        )
        index.add("positive", "percent", r.positive_pct)
        for aspect in [*r.top_complaints, *r.top_praise]:
            index.name(aspect.aspect, f"aspect:{aspect.aspect}")
            index.add(f"aspect:{aspect.aspect}", "count", aspect.count)
            index.add(f"aspect:{aspect.aspect}", "percent", aspect.share_pct)
    if (f := facts.forecast) is not None:
        index.add("forecast", "count", f.units)
        for value in (f.days_covered, f.days, f.daily_units):
            index.add("forecast", "number", value)
        index.add("forecast", "number", f.current_daily_units, compared=True)
        if f.current_daily_units is not None:
            index.change(
                "forecast", "pop", "number", round(f.daily_units - f.current_daily_units, 1), f.change_pct
            )
        index.days |= _days(f.start, f.end)
    w = facts.work
    for value in (w.open_alerts, w.high_alerts, w.new_alerts, *w.by_kind.values()):
        index.add("alerts", "count", value)
    index.add("plans", "count", w.plans_pending)
    index.add("plans", "count", w.plans_approved)
    index.identifiers += [f"#{a.id}" for a in w.top_alerts] + [f"#{p.draft_id}" for p in w.plans]
    index.add(GENERAL, "number", facts.period.days)
    index.current_days = _days(facts.period.start, facts.period.end)
    for period in (facts.period, facts.previous, facts.year_ago, next_period(facts.period)):
        if period is not None:
            index.days |= _days(period.start, period.end)
    fresh = facts.freshness
    for moment in (
        fresh.generated_at,
        fresh.last_order_at,
        fresh.last_sale_on,
        fresh.last_review_at,
        fresh.inventory_updated_at,
        fresh.forecast_generated_at,
    ):
        if moment is not None:
            index.days.add(moment.date() if isinstance(moment, dt.datetime) else moment)
    index.phrases.sort(key=lambda p: len(p[0].pattern), reverse=True)
    index.identifiers = sorted({i for i in index.identifiers if i.strip()}, key=len, reverse=True)
    return index
