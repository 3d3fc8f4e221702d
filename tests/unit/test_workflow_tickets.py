"""Tickets: open, list, escalate (with routing), answer, and reply delivery to a real local webhook
(http.server on 127.0.0.1: signature checked; a failing webhook loses nothing). No external network."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from shopops.auth.accounts import Principal, create_user, principal_for
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import InputError, NotFoundError
from shopops.store import models
from shopops.store.db import Database
from shopops.workflow.drafts import approve_draft, audit_trail
from shopops.workflow.review import ON_APPROVE, after_approve
from shopops.workflow.teams import create_team
from shopops.workflow.tickets import (
    answer_ticket,
    deliver_reply,
    escalate_ticket,
    get_ticket,
    list_tickets,
    open_ticket,
)
from shopops.workflow.webhook import safe_target

SECRET = "whsec-test-not-real"
NO_WAIT = lambda _seconds: None  # noqa: E731 - retries without sleeping


class Hook:
    """A local webhook receiver: records each request; answers with the queued statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else f"boom {SECRET}".encode())

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/reply"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.close()


def agent(db: Database, email: str = "li.wei@shop.example", team: str | None = None) -> Principal:
    view = create_user(db, email, None, role="agent", name="Li Wei", team=team)
    with db.session() as session:
        return principal_for(session.get(models.User, view.id), via="api_key")


def customer_and_order(db: Database) -> None:
    with db.session() as session:
        buyer = models.Customer(external_id="c1", email="Mia@Example.com", name="Mia")
        session.add(buyer)
        session.flush()
        session.add(
            models.Order(
                order_number="1001",
                customer_id=buyer.id,
                total=Decimal("24.00"),
                placed_at=dt.datetime(2026, 3, 1),
            )
        )


def with_webhook(settings: Settings, url: str, secret: str | None = SECRET) -> Settings:
    return settings.model_copy(
        update={"reply_webhook_url": url, "reply_webhook_secret": SecretStr(secret) if secret else None}
    )


# -- open, list, read ------------------------------------------------------------------------------


def test_open_ticket_links_customer_and_order_and_detects_language(db: Database) -> None:
    customer_and_order(db)
    view = open_ticket(
        db,
        subject="  Lid broke  ",
        body="The lid of my board broke.",
        customer_email="mia@example.com",
        intent="Damage",
    )
    assert (view.subject, view.status, view.intent, view.language) == ("Lid broke", "open", "damage", "en")
    assert view.customer_email == "Mia@Example.com"
    by_order = open_ticket(
        db, subject="退款", body="我的订单什么时候退款？", order_number="1001", external_id="mail-1"
    )
    assert (by_order.language, by_order.order_number, by_order.customer_id) == (
        "zh",
        "1001",
        view.customer_id,
    )
    unknown = open_ticket(
        db, subject="Hi", body="Hello", customer_email="ghost@example.com", order_number="9"
    )
    assert (unknown.customer_id, unknown.order_id) == (None, None)
    with pytest.raises(InputError, match="already exists"):
        open_ticket(db, subject="again", body="again", external_id="mail-1")
    with pytest.raises(InputError, match=r"subject must be 1\.\.500"):
        open_ticket(db, subject=" ", body="x")
    detail = get_ticket(db, view.id)
    assert [(m.role, m.author, m.body) for m in detail.messages] == [
        ("customer", "mia@example.com", "The lid of my board broke.")
    ]


def test_list_tickets_filters_and_pages_newest_first(db: Database) -> None:
    create_team(db, actor="t", name="Refunds", intents=["refund"])
    li = agent(db, team="Refunds")
    ids = [
        open_ticket(db, subject=f"t{i}", body="b", intent="refund" if i % 2 else "shipping").id
        for i in range(5)
    ]
    escalate_ticket(db, ids[1], actor="bot", reason="angry customer", now=dt.datetime(2026, 3, 2, 12))

    page = list_tickets(db, limit=2)
    assert (page.total, [t.id for t in page.items]) == (5, [ids[4], ids[3]])
    assert [t.id for t in list_tickets(db, limit=2, offset=4).items] == [ids[0]]
    assert [t.id for t in list_tickets(db, intent="refund").items] == [ids[3], ids[1]]
    escalated = list_tickets(db, status="escalated").items
    assert [t.id for t in escalated] == [ids[1]]
    assert escalated[0].assignment is not None and escalated[0].assignment.assignee_id == li.id
    assert [t.id for t in list_tickets(db, assignee_id=li.id).items] == [ids[1]]
    team_id = escalated[0].assignment.team_id
    assert [t.id for t in list_tickets(db, team_id=team_id).items] == [ids[1]]
    with pytest.raises(InputError, match="unknown ticket status"):
        list_tickets(db, status="lost")
    with pytest.raises(InputError, match="limit"):
        list_tickets(db, limit=201)
    with pytest.raises(NotFoundError):
        get_ticket(db, 10**12)


# -- escalate --------------------------------------------------------------------------------------


def test_escalation_notes_routes_and_assigns(db: Database) -> None:
    create_team(db, actor="t", name="售后", intents=["refund"], languages=["zh"], timezone="Asia/Shanghai")
    li = agent(db, team="售后")
    ticket_id = open_ticket(db, subject="退款", body="请退款", intent="refund", language="zh").id
    view = escalate_ticket(
        db, ticket_id, actor="ai:support", reason="asks for a person", now=dt.datetime(2026, 3, 2, 3)
    )
    assert (view.status, view.assigned_to_id) == ("escalated", li.id)
    assert view.assignment is not None
    assert view.assignment.routed_by == "router: intent refund + language zh → 售后 (always open)"
    assert view.assignment.due_at == dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    detail = get_ticket(db, ticket_id)
    assert [(m.role, m.author, m.body) for m in detail.messages][-1] == (
        "bot",
        "system",
        "Escalated by ai:support: asks for a person",
    )
    with db.session() as session:
        [note] = session.scalars(
            select(models.Notification).where(models.Notification.user_id == li.id)
        ).all()
    assert note.kind == "assigned"
    with pytest.raises(InputError, match="reason must be"):
        escalate_ticket(db, ticket_id, actor="x", reason="")


# -- answer and delivery ---------------------------------------------------------------------------


def test_answer_is_an_approved_reply_draft_delivered_to_the_signed_webhook(
    db: Database, settings: Settings, hook: Hook
) -> None:
    customer_and_order(db)
    li = agent(db)
    ticket_id = open_ticket(db, subject="Lid broke", body="help", customer_email="mia@example.com").id
    escalate_ticket(db, ticket_id, actor="bot", reason="needs a person")  # no teams: unrouted
    settings = with_webhook(settings, hook.url.replace("http://", "http://user:pw@") + "?token=abc")

    draft = answer_ticket(
        db, settings, ticket_id, actor=li, text="  We are sending a new lid today.  ", sleep=NO_WAIT
    )
    assert (draft.kind, draft.subject_type, draft.subject_id) == ("support.reply", "ticket", str(ticket_id))
    assert (draft.status, draft.author, draft.reviewer_id) == ("approved", li.email, li.id)
    assert draft.content["text"] == "We are sending a new lid today."
    assert [row.action for row in audit_trail(db, draft.id)] == [
        "draft.create",
        "draft.approve",
        "reply.deliver",
    ]

    [request] = hook.requests
    assert request["path"] == "/hooks/reply?token=abc"
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Shopops-Signature"] == expected
    payload = json.loads(request["body"])
    assert payload == {
        "ticket": ticket_id,
        "external_id": None,
        "draft_id": draft.id,
        "to": "Mia@Example.com",
        "subject": "Re: Lid broke",
        "text": "We are sending a new lid today.",
        "approved_by": li.email,
    }

    detail = get_ticket(db, ticket_id)
    assert detail.status == "answered"
    assert (detail.messages[-1].role, detail.messages[-1].author) == ("agent", li.email)
    assert detail.assignment is not None and detail.assignment.status == "done"
    [delivery] = detail.deliveries
    assert (delivery.ok, delivery.status_code, delivery.error) == (True, 200, "")
    port = hook.url.split(":")[2].split("/")[0]
    assert delivery.target == f"http://127.0.0.1:{port}/…"  # no credentials, path or query

    with pytest.raises(InputError, match="already delivered"):
        deliver_reply(db, settings, draft.id, actor=li.email)


def test_a_failing_webhook_keeps_the_answer_and_records_the_error(
    db: Database, settings: Settings, hook: Hook
) -> None:
    li = agent(db)
    ticket_id = open_ticket(db, subject="Late", body="where is it").id
    hook.statuses = [500, 500, 500, 500]
    settings = with_webhook(settings, hook.url + f"?key={SECRET}")
    draft = answer_ticket(db, settings, ticket_id, actor=li, text="It ships tomorrow.", sleep=NO_WAIT)
    assert len(hook.requests) == 4  # first try and three bounded retries
    detail = get_ticket(db, ticket_id)
    assert (detail.status, detail.messages[-1].body) == ("answered", "It ships tomorrow.")
    [delivery] = detail.deliveries
    assert (delivery.draft_id, delivery.ok, delivery.status_code) == (draft.id, False, 500)
    assert delivery.error.startswith("HTTP 500: boom ***")
    assert "after 4 attempt(s)" in delivery.error
    assert SECRET not in delivery.error and SECRET not in delivery.target


def test_retry_then_success_and_unsigned_without_a_secret(
    db: Database, settings: Settings, hook: Hook
) -> None:
    li = agent(db)
    ticket_id = open_ticket(db, subject="Re: size", body="which size?").id
    hook.statuses = [429, 503]
    draft = answer_ticket(
        db, with_webhook(settings, hook.url, None), ticket_id, actor=li, text="M.", sleep=NO_WAIT
    )
    assert len(hook.requests) == 3
    assert "X-Shopops-Signature" not in hook.requests[-1]["headers"]
    assert json.loads(hook.requests[-1]["body"])["subject"] == "Re: size"
    [delivery] = get_ticket(db, ticket_id).deliveries
    assert (delivery.draft_id, delivery.ok, delivery.status_code) == (draft.id, True, 200)


def test_an_unreachable_webhook_is_recorded_not_raised(db: Database, settings: Settings) -> None:
    li = agent(db)
    ticket_id = open_ticket(db, subject="Hi", body="hello").id
    closed = Hook()
    url = closed.url
    closed.close()  # nothing listens there any more
    answer_ticket(db, with_webhook(settings, url), ticket_id, actor=li, text="Hello!", sleep=NO_WAIT)
    [delivery] = get_ticket(db, ticket_id).deliveries
    assert (delivery.ok, delivery.status_code) == (False, None)
    assert "ConnectError" in delivery.error


def test_approving_an_ai_reply_in_the_queue_delivers_it(ctx: AppContext, hook: Hook) -> None:
    db = ctx.db
    ctx.settings = with_webhook(ctx.settings, hook.url)
    agent(db)
    ticket_id = open_ticket(db, subject="Refund?", body="can I return it?").id
    with db.session() as session:
        draft = models.Draft(
            kind="support.reply",
            subject_type="ticket",
            subject_id=str(ticket_id),
            content={"text": "Yes, within 30 days."},
            author="ai:support",
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    assert "support.reply" in ON_APPROVE
    approved = approve_draft(db, draft_id, "li.wei@shop.example")
    result = after_approve(ctx, approved, "li.wei@shop.example")
    assert result is not None
    detail = get_ticket(db, ticket_id)
    assert (detail.status, detail.messages[-1].body, detail.messages[-1].author) == (
        "answered",
        "Yes, within 30 days.",
        "li.wei@shop.example",
    )
    assert json.loads(hook.requests[0]["body"])["approved_by"] == "li.wei@shop.example"


def test_only_approved_ticket_replies_are_delivered(db: Database, settings: Settings) -> None:
    li = agent(db)
    ticket_id = open_ticket(db, subject="Hi", body="hello").id
    with db.session() as session:
        pending = models.Draft(
            kind="support.reply", subject_type="ticket", subject_id=str(ticket_id), author="ai:s"
        )
        copy = models.Draft(
            kind="copy.title", subject_type="product", subject_id="x", author="ai:c", status="approved"
        )
        session.add_all([pending, copy])
        session.flush()
        ids = pending.id, copy.id
    with pytest.raises(InputError, match="only approved replies"):
        deliver_reply(db, settings, ids[0], actor=li.email)
    with pytest.raises(InputError, match="not a ticket reply"):
        deliver_reply(db, settings, ids[1], actor=li.email)
    with db.session() as session:
        session.get(models.Ticket, ticket_id).status = "closed"
    with pytest.raises(InputError, match="closed"):
        answer_ticket(db, settings, ticket_id, actor=li, text="too late")


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://user:pw@hooks.example/send?token=s3cret#frag", "https://hooks.example/…"),
        ("http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/…"),
        ("http://[::1]:9/x?y=1", "http://[::1]:9/…"),
        ("https://hooks.example", "https://hooks.example"),
    ],
)
def test_safe_target_keeps_only_scheme_and_host(url: str, target: str) -> None:
    assert safe_target(url) == target
