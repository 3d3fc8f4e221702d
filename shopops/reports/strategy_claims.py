"""The claims of a strategy draft: computed by rules from trends and competitor prices.

:func:`strategy_claims` turns a :class:`~shopops.reports.trends.TrendsReport` (and, when there is
one, a :class:`~shopops.reports.competitors.PriceComparison`) into claims. A claim is a section
(strength, weakness, opportunity, threat), the code's own wording, and the named facts it rests on.
The rules, in the order a section takes them (the strongest claim of each rule first, then the
second strongest..., at most :data:`MAX_PER_SECTION` per section):

* **strengths**: the category with the largest share; categories (with at least
  :data:`MIN_SHARE_PCT` % of sales) or the store growing at least :data:`GROWTH_PCT` % on the
  previous window; categories with at least :data:`MIN_REVIEWS` reviews, at most
  :data:`LOW_NEGATIVE_PCT` % of them negative;
* **weaknesses**: categories (with that share) or the store falling at least :data:`GROWTH_PCT` %;
  categories whose reviews are at least :data:`HIGH_NEGATIVE_PCT` % negative, with the top complaint;
* **opportunities**: categories gaining at least :data:`SHARE_SHIFT_PTS` points of share; products
  where we are cheaper than competitors; a peak month (seasonal index at least :data:`PEAK_INDEX`)
  in the next :data:`LOOKAHEAD_MONTHS` months; the fastest-growing price band;
* **threats**: categories losing at least :data:`SHARE_SHIFT_PTS` points of share; a
  negative-review share up at least :data:`NEGATIVE_RISE_PTS` points; products where competitors
  are cheaper; a slow month (index at most :data:`SLOW_INDEX`) ahead.

:mod:`shopops.reports.strategy` has the model word them and checks the wording against
:class:`ClaimFacts`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from shopops.reports.competitors import PriceComparison
from shopops.reports.trends import TrendsReport

Section = Literal["strength", "weakness", "opportunity", "threat"]
SECTIONS: tuple[Section, ...] = ("strength", "weakness", "opportunity", "threat")
Direction = Literal["up", "down", ""]
Value = float | str

GROWTH_PCT = 10.0
MIN_SHARE_PCT = 5.0
MIN_REVIEWS = 5
LOW_NEGATIVE_PCT = 10.0
HIGH_NEGATIVE_PCT = 25.0
NEGATIVE_RISE_PTS = 5.0
SHARE_SHIFT_PTS = 2.0
PEAK_INDEX = 1.2
SLOW_INDEX = 0.8
LOOKAHEAD_MONTHS = 3
MAX_PER_SECTION = 3
MAX_CLAIMS = MAX_PER_SECTION * len(SECTIONS)
MONEY_FACTS = {"revenue", "previous_revenue"}


def fmt(name: str, value: Value) -> str:
    """How code writes a fact: money to 2 places, an index to 2, others whole or to 1 place; a
    signed change unsigned (the words say the direction)."""
    if isinstance(value, str):
        return value
    number = abs(float(value))
    if name in MONEY_FACTS:
        return f"{number:,.2f}"
    if name == "index":
        return f"{number:.2f}"
    return f"{int(number):,}" if number.is_integer() else f"{number:.1f}"


@dataclass(frozen=True)
class Claim:
    """One computed claim: its section, the code's wording (``{fact}`` fields) and its facts."""

    section: Section
    key: str  # the rule and its subject, e.g. "growth:Home & Garden > Decor"
    template: str
    facts: dict[str, Value]
    direction: Direction = ""
    strength: float = 0.0  # ranks claims within a section

    def shown(self) -> dict[str, str]:
        return {k: fmt(k, v) for k, v in self.facts.items()}

    def render(self) -> str:
        return self.template.format(**self.shown())

    def as_dict(self, text: str, source: str) -> dict[str, Any]:
        """As the draft stores it: {section, key, text, facts: [{name, value}], source: model|code}."""
        facts = [{"name": k, "value": v} for k, v in self.facts.items()]
        return {"section": self.section, "key": self.key, "text": text, "facts": facts, "source": source}


@dataclass(frozen=True)
class ClaimFacts:
    """What one claim may say, in the shape :mod:`shopops.forecast.plan_check` reads: numbers (and
    their magnitudes, since the words carry the sign), ``*_pct`` shares, ``*_date`` dates, and text
    facts (category names, months) as identifiers that are not read as numbers."""

    facts: dict[str, Value]

    def values(self) -> list[float]:
        numbers = [float(v) for v in self.facts.values() if not isinstance(v, str)]
        return numbers + [abs(v) for v in numbers]

    def percents(self) -> list[float]:
        numbers = [float(v) for k, v in self.facts.items() if k.endswith("_pct") and not isinstance(v, str)]
        return numbers + [abs(v) for v in numbers]

    def dates(self) -> dict[str, str]:
        return {k: v for k, v in self.facts.items() if isinstance(v, str) and k.endswith("_date")}

    def identifiers(self) -> list[str]:
        return [v for k, v in self.facts.items() if isinstance(v, str) and not k.endswith("_date")]


def _amount(trends: TrendsReport, revenue: float, units: float) -> tuple[str, dict[str, Value]]:
    if trends.measure == "revenue":
        return "{revenue} in revenue", {"revenue": revenue}
    return "{units} units", {"units": units}


def _upcoming(month: int) -> list[int]:
    return [(month + i - 1) % 12 + 1 for i in range(1, LOOKAHEAD_MONTHS + 1)]


def _category_claims(trends: TrendsReport) -> Iterator[Claim]:
    w = {"window_days": float(trends.window_days)}
    if trends.categories:
        top = max(trends.categories, key=lambda c: c.share_pct)
        text, amount = _amount(trends, top.revenue, top.units)
        yield Claim(
            "strength",
            f"share:{top.category}",
            "{category} brings {share_pct}% of sales: " + text + " in the last {window_days} days.",
            {"category": top.category, "share_pct": top.share_pct, **amount, **w},
            strength=top.share_pct,
        )
    for c in trends.categories:
        text, amount = _amount(trends, c.revenue, c.units)
        facts = {"category": c.category, "growth_pct": c.growth_pct or 0.0, **amount, **w}
        if c.growth_pct is not None and c.share_pct >= MIN_SHARE_PCT and abs(c.growth_pct) >= GROWTH_PCT:
            up = c.growth_pct > 0
            yield Claim(
                "strength" if up else "weakness",
                f"growth:{c.category}",
                "{category} sales " + ("grew" if up else "fell") + " {growth_pct}% on the previous "
                "{window_days} days, to " + text + ".",
                facts,
                "up" if up else "down",
                abs(c.growth_pct),
            )
        if c.share_change_pts is not None and abs(c.share_change_pts) >= SHARE_SHIFT_PTS:
            up = c.share_change_pts > 0
            yield Claim(
                "opportunity" if up else "threat",
                f"share_shift:{c.category}",
                "{category} " + ("gained" if up else "lost") + " {share_change_pts} points of share, "
                "to {share_pct}% of sales.",
                {"category": c.category, "share_change_pts": c.share_change_pts, "share_pct": c.share_pct},
                "up" if up else "down",
                abs(c.share_change_pts),
            )


def _store_claims(trends: TrendsReport) -> Iterator[Claim]:
    if trends.growth_pct is None or abs(trends.growth_pct) < GROWTH_PCT:
        return
    up = trends.growth_pct > 0
    facts: dict[str, Value] = {"growth_pct": trends.growth_pct, "window_days": float(trends.window_days)}
    template = (
        "Store sales " + ("grew" if up else "fell") + " {growth_pct}% on the previous {window_days} days"
    )
    if trends.yoy_growth_pct is not None and (trends.yoy_growth_pct > 0) == up:
        facts["yoy_growth_pct"] = trends.yoy_growth_pct
        template += " and {yoy_growth_pct}% on the same days a year earlier"
    yield Claim(
        "strength" if up else "weakness",
        "store_growth:",
        template + ".",
        facts,
        "up" if up else "down",
        abs(trends.growth_pct),
    )


def _review_claims(trends: TrendsReport) -> Iterator[Claim]:
    for s in trends.sentiment:
        if s.reviews < MIN_REVIEWS:
            continue
        base: dict[str, Value] = {"category": s.category, "reviews": float(s.reviews)}
        if s.negative_pct <= LOW_NEGATIVE_PCT:
            yield Claim(
                "strength",
                f"reviews:{s.category}",
                "{category} reviews are {positive_pct}% positive and {negative_pct}% negative "
                "({reviews} reviews).",
                {**base, "positive_pct": s.positive_pct, "negative_pct": s.negative_pct},
                strength=s.positive_pct,
            )
        elif s.negative_pct >= HIGH_NEGATIVE_PCT:
            facts: dict[str, Value] = {**base, "negative_pct": s.negative_pct, "negative": float(s.negative)}
            template = "{negative_pct}% of {category} reviews are negative ({negative} of {reviews})"
            if s.top_negative_aspects:
                top = s.top_negative_aspects[0]
                facts.update(aspect=top.aspect, aspect_reviews=float(top.reviews))
                template += "; the commonest complaint is {aspect}, in {aspect_reviews} reviews"
            yield Claim("weakness", f"reviews:{s.category}", template + ".", facts, strength=s.negative_pct)
        if s.negative_change_pts is not None and s.negative_change_pts >= NEGATIVE_RISE_PTS:
            yield Claim(
                "threat",
                f"reviews_rise:{s.category}",
                "Negative reviews of {category} rose from {previous_negative_pct}% to {negative_pct}%.",
                {
                    "category": s.category,
                    "previous_negative_pct": s.previous_negative_pct or 0.0,
                    "negative_pct": s.negative_pct,
                },
                "up",
                s.negative_change_pts,
            )


def _season_claims(trends: TrendsReport) -> Iterator[Claim]:
    ahead = _upcoming(trends.as_of.month)
    for season in trends.seasonality:
        months = [m for m in ahead if m in season.index]
        if not months:
            continue
        name = season.category or "the store"
        peak = max(months, key=lambda m: season.index[m])
        slow = min(months, key=lambda m: season.index[m])
        chances: tuple[tuple[int, Section, bool], ...] = (
            (peak, "opportunity", season.index[peak] >= PEAK_INDEX),
            (slow, "threat", season.index[slow] <= SLOW_INDEX),
        )
        for month, section, notable in chances:
            if not notable:
                continue
            index = season.index[month]
            kind = "a peak" if section == "opportunity" else "a slow"
            yield Claim(
                section,
                f"season:{section}:{name}",
                "{month} is " + kind + " month for {category}: sales run at {index} times an average "
                "month ({months_of_data} months of history).",
                {
                    "month": calendar.month_name[month],
                    "category": name,
                    "index": index,
                    "months_of_data": float(season.months_of_data),
                },
                strength=abs(index - 1),
            )


def _band_claims(trends: TrendsReport) -> Iterator[Claim]:
    growing = [b for b in trends.price_bands if b.growth_pct is not None and b.share_pct >= MIN_SHARE_PCT]
    if growing:
        band = max(growing, key=lambda b: b.growth_pct or 0.0)
        if (band.growth_pct or 0.0) >= GROWTH_PCT:
            facts: dict[str, Value] = {"band": band.label, "growth_pct": band.growth_pct or 0.0}
            facts.update({"band_low": band.low} if band.low else {})
            facts.update({"band_high": band.high} if band.high else {})
            yield Claim(
                "opportunity",
                f"price_band:{band.label}",
                "Products priced {band} grew {growth_pct}% and bring {share_pct}% of sales.",
                {**facts, "share_pct": band.share_pct},
                "up",
                band.growth_pct or 0.0,
            )


def _competitor_claims(prices: PriceComparison | None) -> Iterator[Claim]:
    if prices is None or not prices.compared:
        return
    counts: dict[str, Value] = {"compared": float(prices.compared)}
    if prices.cheaper and prices.median_cheaper_pct is not None:
        yield Claim(
            "opportunity",
            "price:cheaper",
            "We are cheaper than competitors on {cheaper} of {compared} compared products, by a median "
            "of {median_cheaper_pct}%.",
            {**counts, "cheaper": float(prices.cheaper), "median_cheaper_pct": prices.median_cheaper_pct},
            strength=prices.cheaper / prices.compared * 100,
        )
    if prices.dearer and prices.median_dearer_pct is not None:
        yield Claim(
            "threat",
            "price:dearer",
            "Competitors are cheaper than us on {dearer} of {compared} compared products; our price is a "
            "median {median_dearer_pct}% above theirs.",
            {**counts, "dearer": float(prices.dearer), "median_dearer_pct": prices.median_dearer_pct},
            strength=prices.dearer / prices.compared * 100,
        )


def strategy_claims(trends: TrendsReport, prices: PriceComparison | None = None) -> list[Claim]:
    """The claims the rules make (see the module), by section: the strongest claim of each rule
    first (so one rule does not fill a section), then the second strongest, and so on."""
    found = [
        *_category_claims(trends),
        *_store_claims(trends),
        *_review_claims(trends),
        *_competitor_claims(prices),
        *_season_claims(trends),
        *_band_claims(trends),
    ]
    out: list[Claim] = []
    for section in SECTIONS:
        rules: dict[str, list[Claim]] = {}  # by rule, in the order the rules are listed above
        for claim in (c for c in found if c.section == section):
            rules.setdefault(claim.key.split(":", 1)[0], []).append(claim)
        ranked = [sorted(group, key=lambda c: (-c.strength, c.key)) for group in rules.values()]
        turns = (group[turn] for turn in range(MAX_CLAIMS) for group in ranked if turn < len(group))
        out += list(turns)[:MAX_PER_SECTION]  # the best of each rule first, then the second best...
    return out
