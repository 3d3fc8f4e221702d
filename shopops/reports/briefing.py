"""The daily team briefing: for each role, what needs a person today, counted from the store.

Every role gets the same items every day, each with a count, the page that lists them and up to
:data:`EXAMPLES` examples with their own links (an item at 0 says there is nothing waiting):

* **operations**: open stock alerts and open sales alerts (``/alerts?kind=…``); SKUs out of stock
  (on hand at or below 0 over all locations; ``/forecasts``); unfulfilled orders, and those open
  longer than :data:`ORDER_OVERDUE_DAYS` days (no page lists orders, so their examples name the
  order without a link); response plans waiting for review (``/queue?kind=plan.``);
* **service**: open tickets and escalations waiting (``/support?status=…``, examples
  ``/support/ID``); tickets past the due time of their assignment; review reply drafts waiting
  (``/queue?kind=review.reply``); negative reviews written yesterday (by the review analysis, or
  1–2 stars where a review was not analysed; ``/reviews``);
* **merchandising**: copy drafts waiting (``/queue?kind=copy.``, with how many are blocked by
  their checks); top movers: SKUs whose units in the last 7 full days differ by at least
  :data:`MOVER_CHANGE_PCT` % from the 7 days before, with at least :data:`MOVER_MIN_UNITS` units in
  one of the two weeks (``/catalog/ID``); open review-aspect rise alerts (``/alerts?kind=review``).

Days are UTC dates (the store keeps UTC): *today* is the date of ``now``, the weeks of the movers
end yesterday. Sales come from :func:`shopops.reports.trends_sales.sales_totals`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.reports.trends_sales import Windows, sales_totals
from shopops.store.db import Database
from shopops.store.models import (
    Alert,
    Assignment,
    Draft,
    InventoryLevel,
    Order,
    Review,
    ReviewAnalysis,
    Ticket,
    UtcDateTime,
    utcnow,
)
from shopops.workflow.entities import naive_utc

Role = Literal["operations", "service", "merchandising"]
ROLES: tuple[Role, ...] = ("operations", "service", "merchandising")
EXAMPLES = 5
ORDER_OVERDUE_DAYS = 2
MOVER_CHANGE_PCT = 50.0
MOVER_MIN_UNITS = 5.0


class BriefingLink(BaseModel):
    label: str
    link: str | None = None


class BriefingItem(BaseModel):
    key: str
    title: str
    count: int
    link: str | None = None
    detail: str = ""
    examples: list[BriefingLink] = []


class Briefing(BaseModel):
    role: Role
    date: dt.date
    generated_at: UtcDateTime
    items: list[BriefingItem]
    waiting: int  # how many items have something waiting (count above 0)


def parse_role(value: str) -> Role:
    role = value.strip().lower()
    for known in ROLES:
        if role == known:
            return known
    raise InputError(f"unknown briefing role {value!r}", hint=f"use one of {', '.join(ROLES)}")


# -- the items -------------------------------------------------------------------------------------


def _alerts(session: Session, key: str, title: str, prefix: str, page_kind: str) -> BriefingItem:
    condition = (Alert.status == "open", Alert.kind.startswith(prefix, autoescape=True))
    count = session.scalar(select(func.count()).select_from(Alert).where(*condition)) or 0
    link = f"/alerts?kind={page_kind}"
    severity = case({"high": 0, "medium": 1}, value=Alert.severity, else_=2)
    rows = session.execute(
        select(Alert.severity, Alert.title)
        .where(*condition)
        .order_by(severity, Alert.detected_at.desc(), Alert.id.desc())
        .limit(EXAMPLES)
    )
    examples = [BriefingLink(label=f"{level}: {text}", link=link) for level, text in rows]
    return BriefingItem(key=key, title=title, count=count, link=link, examples=examples)


def _drafts(session: Session, key: str, title: str, prefix: str) -> BriefingItem:
    condition = (Draft.status == "draft", Draft.kind.startswith(prefix, autoescape=True))
    count = session.scalar(select(func.count()).select_from(Draft).where(*condition)) or 0
    blocked = sum(  # as the queue counts them (shopops.web.queries.queue_summary)
        any((flag or {}).get("blocking", True) for flag in (checks or {}).get("flags") or [])
        for checks in session.scalars(select(Draft.checks).where(*condition))
    )
    rows = session.execute(
        select(Draft.id, Draft.kind, Draft.subject_type, Draft.subject_id)
        .where(*condition)
        .order_by(Draft.id)
        .limit(EXAMPLES)
    )
    examples = [
        BriefingLink(label=f"{kind} for {subject} {subject_id}", link=f"/queue/{draft_id}")
        for draft_id, kind, subject, subject_id in rows
    ]
    detail = f"{blocked} blocked by their checks" if blocked else ""
    return BriefingItem(
        key=key, title=title, count=count, link=f"/queue?kind={prefix}", detail=detail, examples=examples
    )


def _tickets(session: Session, key: str, title: str, status: str) -> BriefingItem:
    count = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == status)) or 0
    rows = session.execute(
        select(Ticket.id, Ticket.subject)
        .where(Ticket.status == status)
        .order_by(Ticket.created_at, Ticket.id)
        .limit(EXAMPLES)
    )
    examples = [
        BriefingLink(label=subject or f"ticket {tid}", link=f"/support/{tid}") for tid, subject in rows
    ]
    return BriefingItem(
        key=key, title=title, count=count, link=f"/support?status={status}", examples=examples
    )


def _tickets_past_due(session: Session, now: dt.datetime) -> BriefingItem:
    condition = (
        Assignment.entity_type == "ticket",
        Assignment.status == "open",
        Assignment.due_at.is_not(None),
        Assignment.due_at < now,
    )
    count = session.scalar(select(func.count()).select_from(Assignment).where(*condition)) or 0
    rows = session.execute(
        select(Assignment.entity_id, Assignment.due_at)
        .where(*condition)
        .order_by(Assignment.due_at)
        .limit(EXAMPLES)
    )
    examples = [
        BriefingLink(label=f"ticket {tid}, due {due:%Y-%m-%d %H:%M} UTC", link=f"/support/{tid}")
        for tid, due in rows
    ]
    return BriefingItem(
        key="tickets_past_due",
        title="Tickets past their due time",
        count=count,
        link="/support",
        examples=examples,
    )


def _stock_outs(session: Session) -> BriefingItem:
    on_hand = func.sum(InventoryLevel.on_hand)
    query = select(InventoryLevel.sku, on_hand).group_by(InventoryLevel.sku).having(on_hand <= 0)
    rows = session.execute(query.order_by(InventoryLevel.sku)).all()
    examples = [
        BriefingLink(label=f"{sku}: {units} on hand", link="/forecasts") for sku, units in rows[:EXAMPLES]
    ]
    return BriefingItem(
        key="stock_outs", title="SKUs out of stock", count=len(rows), link="/forecasts", examples=examples
    )


def _orders(session: Session, now: dt.datetime) -> list[BriefingItem]:
    open_orders = session.scalar(select(func.count()).select_from(Order).where(Order.status == "open")) or 0
    late = (Order.status == "open", Order.placed_at < now - dt.timedelta(days=ORDER_OVERDUE_DAYS))
    overdue = session.scalar(select(func.count()).select_from(Order).where(*late)) or 0
    rows = session.execute(
        select(Order.order_number, Order.placed_at).where(*late).order_by(Order.placed_at).limit(EXAMPLES)
    )
    examples = [BriefingLink(label=f"{number}, placed {placed:%Y-%m-%d}") for number, placed in rows]
    return [
        BriefingItem(key="orders_unfulfilled", title="Unfulfilled orders", count=open_orders),
        BriefingItem(
            key="orders_overdue",
            title=f"Orders unfulfilled after {ORDER_OVERDUE_DAYS} days",
            count=overdue,
            examples=examples,
        ),
    ]


def _negative_reviews(session: Session, today: dt.date) -> BriefingItem:
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time())
    end = dt.datetime.combine(today, dt.time())
    negative = or_(
        ReviewAnalysis.sentiment == "negative",
        (ReviewAnalysis.review_id.is_(None)) & (Review.rating <= 2),
    )
    query = (
        select(Review.id, Review.product_id, Review.rating, Review.title, Review.body)
        .outerjoin(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
        .where(Review.reviewed_at >= start, Review.reviewed_at < end, negative)
        .order_by(Review.reviewed_at, Review.id)
    )
    rows = session.execute(query).all()
    examples = [
        BriefingLink(
            label=(f"{rating}★ " if rating else "") + (title or body or "")[:80],
            link=f"/reviews?product={product_id}" if product_id else "/reviews",
        )
        for _, product_id, rating, title, body in rows[:EXAMPLES]
    ]
    return BriefingItem(
        key="negative_reviews_yesterday",
        title="Negative reviews yesterday",
        count=len(rows),
        link="/reviews",
        examples=examples,
    )


def top_movers(db: Database, today: dt.date) -> BriefingItem:
    """SKUs whose units in the last 7 full days moved at least MOVER_CHANGE_PCT % on the week before."""
    totals = sales_totals(db, Windows(today - dt.timedelta(days=1), 7, None), months=False)
    weeks: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (sku, _product), row in totals.windows.items():
        weeks[sku][0] += row[1]  # units, last week
        weeks[sku][1] += row[3]  # units, the week before
    movers = []
    for sku, (now, before) in weeks.items():
        if max(now, before) < MOVER_MIN_UNITS:
            continue
        if before == 0 or abs(now - before) / before * 100 >= MOVER_CHANGE_PCT:
            movers.append((sku, now, before))
    movers.sort(key=lambda m: (-abs(m[1] - m[2]), m[0]))
    examples = []
    for sku, now, before in movers[:EXAMPLES]:
        product_id = totals.catalog.sku_product.get(sku)
        info = totals.catalog.products.get(product_id) if product_id is not None else None
        name = f"{info.title} ({sku})" if info else sku
        change = f" ({(now - before) / before * 100:+.0f}%)" if before else " (new)"
        examples.append(
            BriefingLink(
                label=f"{name}: {before:g} → {now:g} units{change}",
                link=f"/catalog/{product_id}" if product_id is not None else None,
            )
        )
    return BriefingItem(
        key="top_movers",
        title="Top movers (last 7 days against the 7 before)",
        count=len(movers),
        link="/catalog",
        examples=examples,
    )


# -- the briefing ----------------------------------------------------------------------------------


def daily_briefing(db: Database, role: Role | str, *, now: dt.datetime | None = None) -> Briefing:
    """What ``role`` needs to look at today (see the module for the items)."""
    role = parse_role(role)
    now = naive_utc(now) or utcnow()
    today = now.date()
    with db.session() as session:
        if role == "operations":
            items = [
                _alerts(session, "stock_alerts", "Open stock alerts", "stock.", "stock"),
                _alerts(session, "sales_alerts", "Open sales alerts", "sales.", "sales"),
                _stock_outs(session),
                *_orders(session, now),
                _drafts(session, "plans_waiting", "Response plans waiting for review", "plan."),
            ]
        elif role == "service":
            items = [
                _tickets(session, "tickets_open", "Open tickets", "open"),
                _tickets(session, "escalations_waiting", "Escalations waiting", "escalated"),
                _tickets_past_due(session, now),
                _drafts(session, "review_replies_waiting", "Review reply drafts waiting", "review.reply"),
                _negative_reviews(session, today),
            ]
        else:
            items = [
                _drafts(session, "copy_waiting", "Copy drafts waiting", "copy."),
                _alerts(session, "aspect_rises", "Review complaints rising", "review.aspect_rise", "review"),
            ]
    if role == "merchandising":
        items.insert(1, top_movers(db, today))
    return Briefing(
        role=role, date=today, generated_at=now, items=items, waiting=sum(1 for i in items if i.count)
    )


def all_briefings(
    db: Database, roles: list[Role] | None = None, *, now: dt.datetime | None = None
) -> list[Briefing]:
    return [daily_briefing(db, role, now=now) for role in roles or ROLES]


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown (a chat tool, an email, the terminal)."""
    lines = [f"# {briefing.role.title()} briefing, {briefing.date.isoformat()}"]
    for item in briefing.items:
        where = f" ({item.link})" if item.link and item.count else ""
        detail = f"; {item.detail}" if item.detail else ""
        lines.append(f"- **{item.title}**: {item.count}{detail}{where}")
        lines += [f"  - {e.label}" + (f" ({e.link})" if e.link else "") for e in item.examples]
    return "\n".join(lines)
