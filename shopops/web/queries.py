"""Read-only queries the workspace pages show: dashboard counts and KPIs, catalog search, reviews.

Plain functions over the :class:`~shopops.store.db.Database`, returning plain data; no request or
template objects, so they are tested without a browser and reused elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from shopops.store.db import Database
from shopops.store.models import Draft, GenerationLog, Order, Product, Review, Ticket, utcnow


@dataclass(frozen=True)
class QueueSummary:
    pending_by_kind: dict[str, int]
    blocked: int  # pending drafts whose checks hold a blocking flag

    @property
    def pending(self) -> int:
        return sum(self.pending_by_kind.values())


@dataclass(frozen=True)
class Period:
    revenue: Decimal
    orders: int

    @property
    def aov(self) -> Decimal:
        return (self.revenue / self.orders).quantize(Decimal("0.01")) if self.orders else Decimal(0)


@dataclass(frozen=True)
class SalesKpis:
    current: Period
    previous: Period
    currency: str
    ending: dt.date | None = None  # last day of the current period

    @staticmethod
    def change(now: Decimal | int, before: Decimal | int) -> float | None:
        """Percent change, None when there is nothing to compare with."""
        return round((float(now) - float(before)) / float(before) * 100, 1) if before else None


@dataclass(frozen=True)
class Usage:
    generations: int
    tokens: int


def queue_summary(db: Database) -> QueueSummary:
    with db.session() as session:
        counts = dict(
            session.execute(
                select(Draft.kind, func.count()).where(Draft.status == "draft").group_by(Draft.kind)
            ).all()
        )
        blocked = sum(
            1
            for checks in session.scalars(select(Draft.checks).where(Draft.status == "draft"))
            if any((flag or {}).get("blocking", True) for flag in (checks or {}).get("flags") or [])
        )
    return QueueSummary(pending_by_kind=dict(sorted(counts.items())), blocked=blocked)


def ticket_counts(db: Database) -> dict[str, int]:
    """Tickets by status (open, escalated, answered, closed)."""
    with db.session() as session:
        return dict(session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all())


def usage_today(db: Database, *, now: dt.datetime | None = None) -> Usage:
    now = now or utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with db.session() as session:
        count, tokens = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(GenerationLog.prompt_tokens + GenerationLog.completion_tokens), 0),
            ).where(GenerationLog.at >= start)
        ).one()
    return Usage(generations=int(count), tokens=int(tokens))


def _period(db: Database, start: dt.datetime, end: dt.datetime) -> tuple[Period, Counter[str]]:
    with db.session() as session:
        rows = session.execute(
            select(Order.total, Order.currency).where(
                Order.placed_at >= start, Order.placed_at < end, Order.status != "cancelled"
            )
        ).all()
    revenue = sum((Decimal(total or 0) for total, _ in rows), Decimal(0))
    return Period(revenue=revenue, orders=len(rows)), Counter(currency for _, currency in rows)


def sales_kpis(db: Database, *, now: dt.datetime | None = None, days: int = 7) -> SalesKpis:
    """Revenue, orders and average order value of the last ``days`` days against the ``days``
    before (cancelled orders left out; totals as recorded, in the store's main currency).

    Without ``now`` the period ends at the newest order, not at today: a store whose order history
    was imported up to some date (or a quiet week) shows its latest week rather than zeros; the
    page says which days it covers."""
    if now is None:
        with db.session() as session:
            newest = session.scalar(select(func.max(Order.placed_at)))
        now = min(utcnow(), newest + dt.timedelta(seconds=1)) if newest else utcnow()
    current, currencies = _period(db, now - dt.timedelta(days=days), now)
    previous, older = _period(db, now - dt.timedelta(days=2 * days), now - dt.timedelta(days=days))
    common = (currencies + older).most_common(1)
    return SalesKpis(
        current=current,
        previous=previous,
        currency=common[0][0] if common else "",
        ending=(now - dt.timedelta(seconds=1)).date(),
    )


@dataclass(frozen=True)
class ProductPage:
    items: list[Product]
    total: int


def search_products(db: Database, query: str = "", *, limit: int = 25, offset: int = 0) -> ProductPage:
    """Products whose title or handle contains ``query`` (any case), by title."""
    conditions = []
    query = query.strip()
    if query:
        pattern = f"%{query.lower()}%"
        conditions.append(
            or_(func.lower(Product.title).like(pattern), func.lower(Product.handle).like(pattern))
        )
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Product).where(*conditions)) or 0
        items = list(
            session.scalars(
                select(Product)
                .where(*conditions)
                .options(selectinload(Product.variants))
                .order_by(Product.title, Product.id)
                .limit(limit)
                .offset(offset)
            )
        )
        session.expunge_all()
    return ProductPage(items=items, total=total)


@dataclass(frozen=True)
class ReviewPage:
    items: list[tuple[Review, str]]  # review, product title
    total: int
    distribution: dict[int, int] = field(default_factory=dict)  # rating 1..5 -> reviews
    unrated: int = 0


def list_reviews(
    db: Database,
    *,
    rating: int | None = None,
    product_id: int | None = None,
    limit: int = 25,
    offset: int = 0,
) -> ReviewPage:
    """Reviews, newest first, and the rating distribution of the product filter (all ratings)."""
    scope = [Review.product_id == product_id] if product_id is not None else []
    conditions = [*scope, *([Review.rating == rating] if rating is not None else [])]
    with db.session() as session:
        counts = dict(
            session.execute(select(Review.rating, func.count()).where(*scope).group_by(Review.rating)).all()
        )
        total = session.scalar(select(func.count()).select_from(Review).where(*conditions)) or 0
        rows = session.execute(
            select(Review, Product.title)
            .outerjoin(Product, Product.id == Review.product_id)
            .where(*conditions)
            .order_by(Review.reviewed_at.desc().nulls_last(), Review.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [(review, title or "") for review, title in rows]
        session.expunge_all()
    distribution = {stars: int(counts.get(stars, 0)) for stars in range(5, 0, -1)}
    unrated = sum(n for stars, n in counts.items() if stars not in distribution)
    return ReviewPage(items=items, total=total, distribution=distribution, unrated=unrated)


def product_choices(db: Database, *, limit: int = 500) -> list[tuple[int, str]]:
    """(id, title) of products, for a filter's drop-down."""
    with db.session() as session:
        return [
            (pid, title)
            for pid, title in session.execute(
                select(Product.id, Product.title).order_by(Product.title).limit(limit)
            )
        ]
