"""Market and category trends from the store's own sales and reviews: the numbers a strategy states.

**Sales** and **windows** come from :mod:`shopops.reports.trends_sales`: ``source`` picks the sales
rows or the orders (``auto``: sales rows when the store has any), and the windows end at ``as_of``
(default: the last day with a sale), inclusive, *current* being the last ``window_days`` days,
*previous* the same number of days before it, *year ago* 52 weeks earlier. Growth and share are of
revenue, or of units where no revenue is known at all (``measure``). A growth figure is ``None``
when the history does not reach back to the start of the window it compares with, or that window
sold nothing.

**Categories**: category paths (``Home & Garden > Decor``) cut to ``depth`` levels (default 2, or
one below the ``category`` a report is scoped to). Sales of SKUs not in the catalog: "(no category)".

**Seasonality**: for each calendar month, the average daily sales in that month over the complete
months of history, divided by the mean of the twelve monthly averages (1.0 = an average month);
computed only with at least 12 complete months, and not detrended (read it beside the growth).

**Price bands** group SKUs by their list price; the default edges are the quartiles of the SKU
prices in scope, rounded to two significant digits so that a band reads "20–45".

**Review sentiment** per category: the review analysis's label when the review was analysed, else
its stars (1–2 negative, 3 neutral, 4–5 positive); negative aspects come from analyses only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select

from shopops.errors import InputError
from shopops.reports.trends_sales import YEAR_DAYS as YEAR_DAYS
from shopops.reports.trends_sales import Catalog as Catalog
from shopops.reports.trends_sales import Key as Key
from shopops.reports.trends_sales import ProductInfo as ProductInfo
from shopops.reports.trends_sales import Row as Row
from shopops.reports.trends_sales import Source as Source
from shopops.reports.trends_sales import Totals as Totals
from shopops.reports.trends_sales import Windows as Windows
from shopops.reports.trends_sales import load_catalog as load_catalog
from shopops.reports.trends_sales import sales_span as sales_span
from shopops.reports.trends_sales import sales_totals as sales_totals
from shopops.reports.trends_sales import store_currency as store_currency
from shopops.store.db import Database
from shopops.store.models import Product, Review, ReviewAnalysis

NO_CATEGORY = "(no category)"
MIN_SEASON_MONTHS = 12
TOP_ASPECTS = 3
DEFAULT_WINDOW_DAYS = 90
STARS = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}  # unanalysed reviews


# -- categories ------------------------------------------------------------------------------------


def category_parts(path: str) -> list[str]:
    return [part.strip() for part in (path or "").split(">") if part.strip()]


def category_key(path: str, depth: int) -> str:
    return " > ".join(category_parts(path)[:depth]) or NO_CATEGORY


def in_scope(path: str, scope: list[str]) -> bool:
    """Whether a category path lies under ``scope`` (its parts, compared without case)."""
    parts = [p.casefold() for p in category_parts(path)]
    return parts[: len(scope)] == [s.casefold() for s in scope]


def growth_pct(now: float, before: float, comparable: bool = True) -> float | None:
    return round(100 * (now - before) / before, 1) if comparable and before > 0 else None


def share_pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0.0


class CategoryTrend(BaseModel):
    category: str
    revenue: float
    units: float
    previous_revenue: float
    previous_units: float
    growth_pct: float | None  # of the report's measure, current vs previous window
    yoy_growth_pct: float | None
    share_pct: float
    previous_share_pct: float | None
    share_change_pts: float | None
    skus: int  # distinct SKUs sold in the current window


class SeasonalityIndex(BaseModel):
    category: str  # "" = everything in scope
    months_of_data: int
    index: dict[int, float]  # calendar month (1-12) -> index; empty below 12 complete months
    peak_month: int | None = None
    peak_index: float | None = None
    trough_month: int | None = None
    trough_index: float | None = None


class PriceBand(BaseModel):
    label: str
    low: float
    high: float | None  # None = open-ended
    skus: int  # catalog SKUs with a list price in this band
    revenue: float
    units: float
    previous_revenue: float
    growth_pct: float | None
    share_pct: float


class AspectCount(BaseModel):
    aspect: str
    reviews: int


class CategorySentiment(BaseModel):
    category: str
    reviews: int
    analysed: int
    negative: int
    positive: int
    negative_pct: float
    positive_pct: float
    avg_rating: float | None
    previous_reviews: int
    previous_negative_pct: float | None
    negative_change_pts: float | None
    top_negative_aspects: list[AspectCount]


class TrendsReport(BaseModel):
    scope: str  # the category the report is limited to; "" = the whole store
    depth: int
    source: str
    measure: Literal["revenue", "units"]
    as_of: dt.date
    window_days: int
    first_day: dt.date | None
    revenue: float
    units: float
    previous_revenue: float
    growth_pct: float | None
    yoy_growth_pct: float | None
    categories: list[CategoryTrend]
    seasonality: list[SeasonalityIndex]
    price_edges: list[float]
    price_bands: list[PriceBand]
    unpriced_share_pct: float  # sales of SKUs without a list price, in no band
    sentiment: list[CategorySentiment]


def _group(rows: dict[Key, Row], name_of: Callable[[Key], str]) -> dict[str, Row]:
    out: dict[str, Row] = defaultdict(lambda: [0.0] * 6)
    for key, row in rows.items():
        name = name_of(key)
        out[name] = [a + b for a, b in zip(out[name], row, strict=True)]
    return out


def category_trends(
    totals: Totals, name_of: Callable[[Key], str], windows: Windows, measure: str
) -> list[CategoryTrend]:
    """Per category: revenue, units, growth, year-on-year growth and share, largest first."""
    m = 0 if measure == "revenue" else 1
    grouped = _group(totals.windows, name_of)
    whole, whole_before = sum(t[m] for t in grouped.values()), sum(t[2 + m] for t in grouped.values())
    has_previous, has_year = windows.covers(windows.days), windows.covers(YEAR_DAYS)
    skus: dict[str, set[str]] = defaultdict(set)
    for key, row in totals.windows.items():
        if row[1] > 0:
            skus[name_of(key)].add(key[0])
    out = []
    for name, t in grouped.items():
        share = share_pct(t[m], whole)
        before = share_pct(t[2 + m], whole_before) if has_previous and whole_before > 0 else None
        out.append(
            CategoryTrend(
                category=name,
                revenue=round(t[0], 2),
                units=round(t[1], 2),
                previous_revenue=round(t[2], 2),
                previous_units=round(t[3], 2),
                growth_pct=growth_pct(t[m], t[2 + m], has_previous),
                yoy_growth_pct=growth_pct(t[m], t[4 + m], has_year),
                share_pct=share,
                previous_share_pct=before,
                share_change_pts=None if before is None else round(share - before, 1),
                skus=len(skus[name]),
            )
        )
    return sorted(out, key=lambda c: (-(c.revenue if m == 0 else c.units), c.category))


def _complete_months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(year, month) of every calendar month wholly inside ``first``..``last``."""
    start = first.year * 12 + first.month - (1 if first.day == 1 else 0)
    ends = last.day == calendar.monthrange(last.year, last.month)[1]
    end = last.year * 12 + last.month - (1 if ends else 2)
    return [(i // 12, i % 12 + 1) for i in range(start, end + 1)]


def seasonality_index(
    totals: Totals, keep: Callable[[Key], bool], windows: Windows, category: str, measure: str
) -> SeasonalityIndex:
    """The month-of-year index (see the module) of the SKUs ``keep`` accepts, over complete months."""
    months = _complete_months(windows.first_day, windows.as_of) if windows.first_day else []
    if len(months) < MIN_SEASON_MONTHS:
        return SeasonalityIndex(category=category, months_of_data=len(months), index={})
    m = 0 if measure == "revenue" else 1
    sold: Counter[tuple[int, int]] = Counter()
    for key, by_month in totals.months.items():
        if keep(key):
            sold.update({month: values[m] for month, values in by_month.items()})
    daily: dict[int, list[float]] = defaultdict(list)
    for year, month in months:
        daily[month].append(sold[(year, month)] / calendar.monthrange(year, month)[1])
    means = {month: statistics.fmean(values) for month, values in daily.items()}
    overall = statistics.fmean(means.values())
    if overall <= 0:
        return SeasonalityIndex(category=category, months_of_data=len(months), index={})
    index = {month: round(means[month] / overall, 2) for month in sorted(means)}
    peak, trough = max(index, key=lambda k: index[k]), min(index, key=lambda k: index[k])
    return SeasonalityIndex(
        category=category,
        months_of_data=len(months),
        index=index,
        peak_month=peak,
        peak_index=index[peak],
        trough_month=trough,
        trough_index=index[trough],
    )


def nice(value: float) -> float:
    """``value`` rounded to two significant digits (23.47 -> 23, 156.2 -> 160, 7.45 -> 7.5)."""
    if value <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return float(round(round(value / step) * step, 2))


def default_price_edges(prices: Iterable[float]) -> list[float]:
    """The quartiles of ``prices``, each rounded by :func:`nice`; fewer when prices are few or equal."""
    values = sorted(p for p in prices if p > 0)
    if len(set(values)) < 2:
        return []
    cuts = statistics.quantiles(values, n=4, method="inclusive")
    return sorted({nice(c) for c in cuts if values[0] < nice(c) <= values[-1]})


def band_label(low: float, high: float | None) -> str:
    if high is None:
        return f"{low:g} and over"
    return f"under {high:g}" if low == 0 else f"{low:g}–{high:g}"


def price_bands(
    totals: Totals, windows: Windows, edges: list[float], measure: str, skus: set[str]
) -> tuple[list[PriceBand], float]:
    """Sales per list-price band (bands from ``edges``) and the share of sales in no band."""
    bounds = [0.0, *sorted(set(edges))]
    ranges = [(low, bounds[i + 1] if i + 1 < len(bounds) else None) for i, low in enumerate(bounds)]

    def band_of(price: float | None) -> int | None:
        if price is None:
            return None
        return max(i for i, (low, _) in enumerate(ranges) if price >= low)

    m = 0 if measure == "revenue" else 1
    prices = totals.catalog.sku_price
    grouped = _group(totals.windows, lambda key: str(band_of(prices.get(key[0]))))
    whole = sum(t[m] for t in grouped.values())
    catalog = Counter(band_of(prices[sku]) for sku in skus if sku in prices)
    has_previous = windows.covers(windows.days)
    bands = []
    for i, (low, high) in enumerate(ranges):
        t = grouped.get(str(i), [0.0] * 6)
        bands.append(
            PriceBand(
                label=band_label(low, high),
                low=low,
                high=high,
                skus=catalog.get(i, 0),
                revenue=round(t[0], 2),
                units=round(t[1], 2),
                previous_revenue=round(t[2], 2),
                growth_pct=growth_pct(t[m], t[2 + m], has_previous),
                share_pct=share_pct(t[m], whole),
            )
        )
    return bands, share_pct(grouped.get("None", [0.0] * 6)[m], whole)


def category_sentiment(
    db: Database, windows: Windows, depth: int, scope: list[str]
) -> list[CategorySentiment]:
    """Review sentiment per category in the current window, with the previous window's negative share."""
    start = dt.datetime.combine(windows.start(windows.days), dt.time())
    end = dt.datetime.combine(windows.as_of + dt.timedelta(days=1), dt.time())
    query = (
        select(Review.rating, Review.reviewed_at, Product.category)
        .add_columns(ReviewAnalysis.sentiment, ReviewAnalysis.aspects)
        .join(Product, Review.product_id == Product.id)
        .outerjoin(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
        .where(Review.reviewed_at >= start, Review.reviewed_at < end)
    )
    now: dict[str, Counter[str]] = defaultdict(Counter)
    before: dict[str, Counter[str]] = defaultdict(Counter)
    ratings: dict[str, list[int]] = defaultdict(list)
    aspects: dict[str, Counter[str]] = defaultdict(Counter)
    with db.session() as session:
        rows = session.execute(query).all()
    for rating, reviewed_at, path, sentiment, mentions in rows:
        if scope and not in_scope(path or "", scope):
            continue
        key = category_key(path or "", depth)
        analysed, sentiment = bool(sentiment), sentiment or STARS.get(rating or 0, "")
        current = windows.start() <= reviewed_at.date() <= windows.as_of
        counts = now[key] if current else before[key]
        counts.update(reviews=1, analysed=analysed, negative=sentiment == "negative")
        counts.update(positive=sentiment == "positive")
        if current:
            if rating is not None:
                ratings[key].append(rating)
            names = {m.get("aspect") for m in mentions or [] if m.get("polarity") == "negative"}
            aspects[key].update(name for name in names if name)
    out = []
    for key, c in now.items():
        previous = before.get(key, Counter())
        prev_pct = share_pct(previous["negative"], previous["reviews"]) if previous["reviews"] else None
        neg_pct = share_pct(c["negative"], c["reviews"])
        out.append(
            CategorySentiment(
                category=key,
                **{name: c[name] for name in ("reviews", "analysed", "negative", "positive")},
                negative_pct=neg_pct,
                positive_pct=share_pct(c["positive"], c["reviews"]),
                avg_rating=round(statistics.fmean(ratings[key]), 2) if ratings[key] else None,
                previous_reviews=previous["reviews"],
                previous_negative_pct=prev_pct,
                negative_change_pts=None if prev_pct is None else round(neg_pct - prev_pct, 1),
                top_negative_aspects=[
                    AspectCount(aspect=a, reviews=n)
                    for a, n in sorted(aspects[key].items(), key=lambda x: (-x[1], x[0]))[:TOP_ASPECTS]
                ],
            )
        )
    return sorted(out, key=lambda s: (-s.reviews, s.category))


def _last_review_day(db: Database) -> dt.date | None:
    with db.session() as session:
        last = session.scalar(select(func.max(Review.reviewed_at)))
    return last.date() if last else None


def market_trends(
    db: Database,
    *,
    category: str | None = None,
    depth: int | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: dt.date | None = None,
    source: Source = "auto",
    price_edges: list[float] | None = None,
) -> TrendsReport:
    """Growth, share, seasonality, price bands and review sentiment per category (see the module)."""
    if not 7 <= window_days <= 365:
        raise InputError(f"window_days must be 7..365 (got {window_days})")
    scope = category_parts(category or "")
    depth = depth or (len(scope) + 1 if scope else 2)
    if not 1 <= depth <= 10:
        raise InputError(f"depth must be 1..10 (got {depth})")
    if price_edges is not None and any(e <= 0 or not math.isfinite(e) for e in price_edges):
        raise InputError("price band edges must be positive numbers", hint="e.g. 10,25,50")
    used, first, last = sales_span(db, source=source)
    as_of = as_of or last or _last_review_day(db) or dt.date.today()
    windows = Windows(as_of, window_days, first if first and first <= as_of else None)
    totals = sales_totals(db, windows, source=source)
    paths = {pid: info.category for pid, info in totals.catalog.products.items()}
    inside = {pid: in_scope(path, scope) for pid, path in paths.items()}
    if scope:
        totals = totals.only(lambda key: key[1] is not None and inside.get(key[1], False))
    names = {pid: category_key(path, depth) for pid, path in paths.items()}

    def name_of(key: Key) -> str:
        return names.get(key[1], NO_CATEGORY) if key[1] is not None else NO_CATEGORY

    sold = [v for months in totals.months.values() for v in months.values()]
    measure: Literal["revenue", "units"] = "revenue" if any(v[0] > 0 for v in sold) else "units"
    categories = category_trends(totals, name_of, windows, measure)
    seasonality = [  # the whole scope ("") first, then each category
        seasonality_index(totals, lambda k, c=c: c in ("", name_of(k)), windows, c, measure)
        for c in ["", *(c.category for c in categories)]
    ]
    skus = {sku for sku, pid in totals.catalog.sku_product.items() if not scope or inside.get(pid, False)}
    prices = totals.catalog.sku_price
    edges = (
        default_price_edges(prices[s] for s in skus if s in prices)
        if price_edges is None
        else sorted(set(price_edges))
    )
    bands, unpriced = price_bands(totals, windows, edges, measure, skus)
    m = 0 if measure == "revenue" else 1
    total = _group(totals.windows, lambda _k: "").get("", [0.0] * 6)
    return TrendsReport(
        scope=" > ".join(scope),
        depth=depth,
        source=used,
        measure=measure,
        as_of=as_of,
        window_days=window_days,
        first_day=first,
        revenue=round(total[0], 2),
        units=round(total[1], 2),
        previous_revenue=round(total[2], 2),
        growth_pct=growth_pct(total[m], total[2 + m], windows.covers(window_days)),
        yoy_growth_pct=growth_pct(total[m], total[4 + m], windows.covers(YEAR_DAYS)),
        categories=categories,
        seasonality=seasonality,
        price_edges=edges,
        price_bands=bands,
        unpriced_share_pct=unpriced,
        sentiment=category_sentiment(db, windows, depth, scope),
    )
