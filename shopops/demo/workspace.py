"""The demo team: accounts for every role, support teams with business hours, and customer tickets.

``shopops demo run`` calls :func:`seed_workspace` after loading the demo store, so the web UI has
people to sign in as and an escalated ticket to answer. It is idempotent: existing accounts,
teams and tickets (matched by email, name and external id) are left alone.

The demo accounts share one password. It is ``SHOPOPS_DEMO_PASSWORD`` when set, else a random one
made when the accounts are first created and returned once, for the demo to print; it is stored
only as a hash. Reset it with ``shopops users password EMAIL``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from shopops.auth.accounts import create_user
from shopops.store.db import Database
from shopops.store.models import Customer, Order, Team, Ticket, User
from shopops.workflow.teams import create_team
from shopops.workflow.tickets import escalate_ticket, open_ticket

DOMAIN = "lumen-leaf.example"
WEEKDAYS = [0, 1, 2, 3, 4]
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]

TEAMS = (
    {"name": "Support (English)", "languages": ["en"], "timezone": "Europe/London",
     "hours": {"days": WEEKDAYS, "start": "09:00", "end": "18:00"}},
    {"name": "客服（中文）", "languages": ["zh"], "timezone": "Asia/Shanghai",
     "hours": {"days": EVERY_DAY, "start": "09:00", "end": "21:00"}},
    {"name": "Returns & refunds", "intents": ["refund", "return"], "timezone": "America/New_York",
     "hours": {"days": WEEKDAYS, "start": "08:00", "end": "17:00"}},
    {"name": "Everyone", "fallback": True, "timezone": "UTC", "hours": {}},
)  # fmt: skip

PEOPLE = (
    ("owner", "Mei Lin", "owner", "en", None),
    ("manager", "Sam Okafor", "manager", "en", "Everyone"),
    ("writer", "Ana Souza", "operator", "en", None),
    ("agent", "Leo Martin", "agent", "en", "Support (English)"),
    ("kefu", "王芳", "agent", "zh", "客服（中文）"),
    ("returns", "Priya Nair", "agent", "en", "Returns & refunds"),
    ("analyst", "Jonas Berg", "analyst", "en", None),
)

# (external id, customer language, intent, subject, body, escalation reason or None)
TICKETS = (
    ("demo-t1", "en", "shipping", "Where is my order {order}?",
     "Hi, my order {order} still has not arrived and the tracking has not moved for days. Can you check?",
     None),
    ("demo-t2", "en", "refund", "Refund for {order}",
     "One item in {order} arrived torn. I would like a refund, not a replacement.",
     "customer asks for a refund of a damaged item: needs a person to approve"),
    ("demo-t3", "zh", "return", "订单 {order} 想退货",
     "你好，我的订单 {order} 收到的商品尺寸不对，可以退货吗？",
     "退货需要人工确认"),
    ("demo-t4", "en", "product", "Is the bamboo board dishwasher safe?",
     "Before I order: can the bamboo cutting board go in the dishwasher?", None),
    ("demo-t5", "en", "complaint", "Very disappointed with {order}",
     "Second time my order {order} is late. I want to speak to a manager.",
     "angry repeat customer asks for a manager"),
)  # fmt: skip


@dataclass
class WorkspaceSeed:
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, role) created now
    password: str | None = None  # set only when accounts were created now with a generated password
    teams: int = 0
    tickets: int = 0
    escalated: int = 0


def email_for(handle: str) -> str:
    return f"{handle}@{DOMAIN}"


def seed_workspace(db: Database, *, now: dt.datetime | None = None) -> WorkspaceSeed:
    seed = WorkspaceSeed()
    with db.session() as session:
        existing_teams = set(session.scalars(select(Team.name)))
        existing_users = set(session.scalars(select(User.email)))
    for team in TEAMS:
        if team["name"] not in existing_teams:
            create_team(db, actor="demo", **team)  # type: ignore[arg-type]
            seed.teams += 1
    missing = [person for person in PEOPLE if email_for(person[0]) not in existing_users]
    if missing:
        password = os.environ.get("SHOPOPS_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        for handle, name, role, language, team in missing:
            create_user(
                db,
                email_for(handle),
                password,
                role=role,
                name=name,
                language=language,
                team=team,
                actor="demo",
            )
            seed.accounts.append((email_for(handle), role))
        if "SHOPOPS_DEMO_PASSWORD" not in os.environ:
            seed.password = password
    _seed_tickets(db, seed, now)
    return seed


def _customers_with_orders(db: Database) -> dict[str, list[tuple[str, str]]]:
    """Per language, (customer email, order number) pairs from the demo store, oldest first."""
    by_language: dict[str, list[tuple[str, str]]] = {}
    with db.session() as session:
        rows = session.execute(
            select(Customer.language, Customer.email, Order.order_number)
            .join(Order, Order.customer_id == Customer.id)
            .where(Customer.email != "")
            .order_by(Order.id)
            .limit(400)
        )
        for language, email, number in rows:
            by_language.setdefault(language or "en", []).append((email, number))
    return by_language


def _seed_tickets(db: Database, seed: WorkspaceSeed, now: dt.datetime | None) -> None:
    with db.session() as session:
        existing = set(session.scalars(select(Ticket.external_id).where(Ticket.external_id.like("demo-%"))))
    pairs = _customers_with_orders(db)
    for index, (external_id, language, intent, subject, body, reason) in enumerate(TICKETS):
        if external_id in existing:
            continue
        candidates = pairs.get(language) or pairs.get("en") or [("", "")]
        email, order = candidates[index % len(candidates)]
        ticket = open_ticket(
            db,
            subject=subject.format(order=order),
            body=body.format(order=order),
            customer_email=email or None,
            order_number=order or None,
            language=language,
            intent=intent,
            external_id=external_id,
            actor="demo",
        )
        seed.tickets += 1
        if reason:
            escalate_ticket(db, ticket.id, actor="support bot", reason=reason, now=now)
            seed.escalated += 1
