"""The demo team: accounts per role, routed escalated tickets, idempotent, password handling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shopops.auth.accounts import authenticate, list_users
from shopops.demo.run import load_demo_store
from shopops.demo.workspace import PEOPLE, TEAMS, TICKETS, email_for, seed_workspace
from shopops.store.db import Database
from shopops.store.models import Ticket, User
from shopops.workflow.tickets import list_tickets

MONDAY_NOON_UTC = dt.datetime(2026, 11, 23, 12, 0)


def test_seed_makes_every_role_and_routes_escalations(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPOPS_DEMO_PASSWORD", raising=False)
    load_demo_store(db)
    seed = seed_workspace(db, now=MONDAY_NOON_UTC)
    assert seed.password and len(seed.password) >= 12
    assert {role for _, role in seed.accounts} == {"owner", "manager", "operator", "agent", "analyst"}
    assert authenticate(db, email_for("owner"), seed.password).role == "owner"
    assert (seed.teams, seed.tickets) == (len(TEAMS), len(TICKETS))

    tickets = list_tickets(db).items
    escalated = [t for t in tickets if t.status == "escalated"]
    assert len(escalated) == seed.escalated == sum(1 for t in TICKETS if t[5])
    agents = {u.id for u in list_users(db) if u.role.value in ("agent", "manager", "owner")}
    for ticket in escalated:
        assert ticket.assignment is not None and ticket.assignment.assignee_id in agents
        assert ticket.assignment.routed_by.startswith("router")
    with db.session() as session:
        linked = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.order_id.is_not(None)))
    assert linked == len(TICKETS)  # every demo ticket names a real demo order

    again = seed_workspace(db)
    assert (again.accounts, again.password, again.teams, again.tickets) == ([], None, 0, 0)


def test_password_from_the_environment_is_not_echoed(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPOPS_DEMO_PASSWORD", "demo-password-from-env")
    load_demo_store(db)
    seed = seed_workspace(db, now=MONDAY_NOON_UTC)
    assert seed.password is None and len(seed.accounts) == len(PEOPLE)
    assert authenticate(db, email_for("analyst"), "demo-password-from-env").role == "analyst"
    with db.session() as session:
        hashes = list(session.scalars(select(User.password_hash)))
    assert all(h and "demo-password-from-env" not in h for h in hashes)
