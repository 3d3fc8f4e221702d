"""Weekly review trends and the alert on a negative aspect rising beyond normal variation.

Weeks are ISO weeks (Monday to Sunday, by ``reviewed_at`` read as UTC; naive times are taken as
UTC). A week with no reviews is still a point in the series (zero-filled), so a chart shows gaps
as zeros and the baseline is not shortened by quiet weeks. Reviews without ``reviewed_at`` are not
placed in any week; ``WeeklyTrends.undated`` says how many were left out.

Counts are of reviews: an aspect's weekly ``negative`` count is the number of that week's reviews
with at least one negative mention of it, and its share divides by all of the week's reviews.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel
from scipy import stats

from shopops.reviews.types import SENTIMENTS, AnalyzedReview


class WeekPoint(BaseModel):
    week_start: dt.date  # the Monday
    iso_week: str  # "2026-W03"
    reviews: int
    sentiment: dict[str, int]  # every label in SENTIMENTS
    sentiment_share: dict[str, float]  # of the week's reviews; 0.0 in an empty week
    negative: dict[str, int]  # aspect -> reviews with a negative mention of it
    negative_share: dict[str, float]  # aspect -> negative / reviews


class WeeklyTrends(BaseModel):
    scope: str
    scope_id: str
    weeks: list[WeekPoint]  # consecutive, oldest first
    aspects: list[str]  # every aspect with a negative mention in the series, sorted
    undated: int = 0


class AspectWeek(BaseModel):
    week_start: dt.date
    reviews: int
    negative: int
    share: float


class Window(BaseModel):
    """One side of the comparison: consecutive weeks and the negative mentions of the aspect in them."""

    start: dt.date  # the first Monday
    end: dt.date  # the last Sunday
    weeks: int
    count: int  # reviews with a negative mention of the aspect
    total: int  # all reviews in the window
    share: float  # count / total


class AspectRise(BaseModel):
    """An alert: the aspect's negative share in the recent weeks is above its baseline by more than
    the week-to-week variation of the baseline explains (see :func:`detect_aspect_rises`)."""

    scope: str
    scope_id: str
    aspect: str
    recent: Window
    baseline: Window
    ratio: float | None  # recent share / baseline share; None when the baseline share is 0
    p_value: float  # one-sided, before the correction for the number of aspects tested
    p_adjusted: float  # Holm-adjusted over the aspects tested
    dispersion: float  # week-to-week variance of the baseline relative to binomial (>= 1)
    aspects_tested: int  # the size of the family the Holm correction covers
    severity: Literal["high", "medium"]
    series: list[AspectWeek]  # the whole series for this aspect, for the chart

    @property
    def week_start(self) -> dt.date:
        """The Monday the recent window starts on (one alert per aspect, scope and week)."""
        return self.recent.start


def week_start(moment: dt.datetime | dt.date) -> dt.date:
    """The Monday of the ISO week holding ``moment`` (aware datetimes converted to UTC first)."""
    if isinstance(moment, dt.datetime):
        day = (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()
    else:
        day = moment
    return day - dt.timedelta(days=day.weekday())


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def weekly_series(
    reviews: Sequence[AnalyzedReview],
    *,
    weeks: int | None = None,
    until: dt.date | None = None,
    scope: str = "store",
    scope_id: str = "",
) -> WeeklyTrends:
    """Per ISO week: reviews, sentiment counts and shares, negative mentions per aspect and their share.

    The series runs from the week of the first review to the week of ``until`` (default: the last
    review); ``weeks`` keeps only the last that many weeks (zero-filled when the data is shorter)."""
    dated = [r for r in {r.review_id: r for r in reviews}.values() if r.reviewed_at is not None]
    undated = len({r.review_id for r in reviews}) - len(dated)
    if not dated and until is None:
        return WeeklyTrends(scope=scope, scope_id=scope_id, weeks=[], aspects=[], undated=undated)
    starts = [week_start(r.reviewed_at) for r in dated if r.reviewed_at is not None]
    last = week_start(until) if until is not None else max(starts)
    first = min(starts, default=last)
    if weeks is not None:
        first = last - dt.timedelta(weeks=max(1, weeks) - 1)
    count = (last - first).days // 7 + 1
    by_week: list[list[AnalyzedReview]] = [[] for _ in range(max(0, count))]
    for review, start in zip(dated, starts, strict=True):
        index = (start - first).days // 7
        if 0 <= index < count:
            by_week[index].append(review)
    aspects: set[str] = set()
    points: list[WeekPoint] = []
    for index, group in enumerate(by_week):
        start = first + dt.timedelta(weeks=index)
        sentiments = Counter(r.sentiment for r in group)
        negative = Counter(
            aspect for r in group for aspect in {m.aspect for m in r.aspects if m.polarity == "negative"}
        )
        aspects.update(negative)
        year, number, _ = start.isocalendar()
        points.append(
            WeekPoint(
                week_start=start,
                iso_week=f"{year}-W{number:02d}",
                reviews=len(group),
                sentiment={s: sentiments[s] for s in SENTIMENTS},
                sentiment_share={s: _share(sentiments[s], len(group)) for s in SENTIMENTS},
                negative=dict(sorted(negative.items())),
                negative_share={a: _share(n, len(group)) for a, n in sorted(negative.items())},
            )
        )
    return WeeklyTrends(
        scope=scope, scope_id=scope_id, weeks=points, aspects=sorted(aspects), undated=undated
    )


def _dispersion(counts: Sequence[int], totals: Sequence[int]) -> float:
    """Pearson χ²/df of the baseline weeks around their pooled share, floored at 1 (binomial)."""
    weeks = [(c, n) for c, n in zip(counts, totals, strict=True) if n > 0]
    pooled = _share(sum(c for c, _ in weeks), sum(n for _, n in weeks))
    if len(weeks) < 2 or pooled in (0.0, 1.0):
        return 1.0
    chi2 = sum((c - n * pooled) ** 2 / (n * pooled * (1 - pooled)) for c, n in weeks)
    return max(1.0, chi2 / (len(weeks) - 1))


def _window(weeks: Sequence[WeekPoint], count: int) -> Window:
    total = sum(w.reviews for w in weeks)
    return Window(
        start=weeks[0].week_start,
        end=weeks[-1].week_start + dt.timedelta(days=6),
        weeks=len(weeks),
        count=count,
        total=total,
        share=_share(count, total),
    )


def rise_p_value(
    recent_count: int, recent_total: int, baseline_count: int, baseline_total: int, dispersion: float = 1.0
) -> float:
    """One-sided p-value that the recent negative share exceeds the baseline's.

    Fisher's exact test: given the negatives in both windows together, the recent window's count is
    hypergeometric under "same rate"; p = P(X >= recent_count). It is exact for small counts and
    accounts for the baseline being an estimate too. When the baseline weeks vary more than binomial
    sampling allows (``dispersion`` > 1), the p-value is the larger of Fisher's and a two-proportion
    z-test whose variance is inflated by ``dispersion`` (quasi-binomial), so ordinary week-to-week
    swings of a noisy aspect do not alert."""
    drawn = recent_count + baseline_count
    population = recent_total + baseline_total
    p = float(stats.hypergeom.sf(recent_count - 1, population, drawn, recent_total))
    if dispersion > 1.0 and 0 < drawn < population:
        pooled = drawn / population
        spread = math.sqrt(dispersion * pooled * (1 - pooled) * (1 / recent_total + 1 / baseline_total))
        z = (recent_count / recent_total - baseline_count / baseline_total) / spread
        p = max(p, float(stats.norm.sf(z)))
    return min(1.0, p)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (same order as given)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def detect_aspect_rises(
    reviews_or_trends: WeeklyTrends | Sequence[AnalyzedReview],
    *,
    p_value: float = 0.01,
    min_mentions: int = 5,
    recent_weeks: int = 1,
    baseline_weeks: int = 8,
    min_baseline_reviews: int = 30,
    scope: str = "store",
    scope_id: str = "",
) -> list[AspectRise]:
    """Alerts on negative aspects whose share of reviews rose in the last ``recent_weeks`` weeks
    compared with the ``baseline_weeks`` weeks before (fewer when the series is shorter).

    Nothing is tested unless the baseline window has at least ``min_baseline_reviews`` reviews. An
    aspect can alert when the recent window has at least ``min_mentions`` reviews with a negative
    mention of it and its recent share is above the baseline share. Each test is
    :func:`rise_p_value` (one-sided Fisher exact, guarded against over-dispersed baselines); the
    p-values are Holm-corrected over every aspect with a negative mention in either window
    (``aspects_tested``) and an alert needs an adjusted p below ``p_value``. Severity is "high" when
    the share at least doubled and the adjusted p is below ``p_value / 10``. Most significant first."""
    trends = (
        reviews_or_trends
        if isinstance(reviews_or_trends, WeeklyTrends)
        else weekly_series(reviews_or_trends, scope=scope, scope_id=scope_id)
    )
    weeks = trends.weeks
    if len(weeks) <= recent_weeks or recent_weeks < 1:
        return []
    recent = weeks[-recent_weeks:]
    baseline = weeks[max(0, len(weeks) - recent_weeks - baseline_weeks) : -recent_weeks]
    recent_total = sum(w.reviews for w in recent)
    baseline_total = sum(w.reviews for w in baseline)
    if baseline_total < min_baseline_reviews or recent_total == 0:
        return []
    # The family corrected for is every aspect with a negative mention in the two windows; one that
    # fails the mention floor or did not rise keeps p = 1 (dropping it would shrink the correction
    # on the strength of the data, which lets false alerts through).
    candidates: list[tuple[str, int, int, float, float]] = []
    for aspect in trends.aspects:
        k = sum(w.negative.get(aspect, 0) for w in recent)
        x = sum(w.negative.get(aspect, 0) for w in baseline)
        if k + x == 0:
            continue
        phi = _dispersion([w.negative.get(aspect, 0) for w in baseline], [w.reviews for w in baseline])
        rose = k >= min_mentions and _share(k, recent_total) > _share(x, baseline_total)
        p = rise_p_value(k, recent_total, x, baseline_total, phi) if rose else 1.0
        candidates.append((aspect, k, x, phi, p))
    adjusted = holm([c[4] for c in candidates])
    rises: list[AspectRise] = []
    for (aspect, k, x, phi, p), p_adj in zip(candidates, adjusted, strict=True):
        if p >= 1.0 or p_adj >= p_value:
            continue
        recent_share, baseline_share = _share(k, recent_total), _share(x, baseline_total)
        doubled = baseline_share == 0 or recent_share >= 2 * baseline_share
        rises.append(
            AspectRise(
                scope=trends.scope,
                scope_id=trends.scope_id,
                aspect=aspect,
                recent=_window(recent, k),
                baseline=_window(baseline, x),
                ratio=recent_share / baseline_share if baseline_share else None,
                p_value=p,
                p_adjusted=p_adj,
                dispersion=phi,
                aspects_tested=len(candidates),
                severity="high" if doubled and p_adj < p_value / 10 else "medium",
                series=[
                    AspectWeek(
                        week_start=w.week_start,
                        reviews=w.reviews,
                        negative=w.negative.get(aspect, 0),
                        share=w.negative_share.get(aspect, 0.0),
                    )
                    for w in weeks
                ],
            )
        )
    rises.sort(key=lambda r: (r.p_adjusted, r.aspect))
    return rises
