"""Answering tickets: a person's own answer, and delivery of any approved ``support.reply`` draft.

An answer is always a ``support.reply`` draft, whoever wrote it: an agent's own answer is stored
already approved by that agent; an AI-written one is approved in the review queue, which calls
:func:`deliver_reply` through ``shopops.workflow.review.ON_APPROVE``. Delivery appends the agent
message to the ticket, marks it answered and completes its assignment, all committed *before* the
webhook is called, so a webhook that fails loses nothing: the :class:`WebhookDelivery` row records
the error and the target (``scheme://host/path``: never the query, credentials or the secret).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.config import Settings
from shopops.errors import InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import AuditLog, Customer, Draft, TicketMessage, User, UtcDateTime, WebhookDelivery
from shopops.workflow.assignment import complete_in
from shopops.workflow.drafts import DraftView, get_draft
from shopops.workflow.entities import audit, clean_text, int_id, load_ticket
from shopops.workflow.webhook import post_json

REPLY_KIND = "support.reply"
MAX_TEXT = 20000


class Actor(Protocol):
    """Who answers: a :class:`~shopops.auth.accounts.Principal` or anything with an id and email."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...


class DeliveryView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    draft_id: int
    target: str
    status_code: int | None = None
    ok: bool
    error: str = ""
    at: UtcDateTime


class DeliveryResult(BaseModel):
    draft_id: int
    ticket_id: int
    message_id: int
    ticket_status: str
    delivery: DeliveryView | None = None  # None when no webhook is configured


# -- answering --------------------------------------------------------------------------------


def answer_ticket(
    db: Database,
    settings: Settings,
    ticket_id: int,
    *,
    actor: Actor,
    text: str,
    replaces: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DraftView:
    """A person's answer: stored as a ``support.reply`` draft approved by its author, then delivered.
    AI reply drafts still waiting on the ticket are rejected (``replaces``: the one it was edited from)."""
    text = clean_text(text, "text", max_length=MAX_TEXT)
    with db.session() as session:
        ticket = load_ticket(session, ticket_id)
        if ticket.status == "closed":
            raise InputError(
                f"ticket {ticket_id} is closed", hint="open a new ticket to write to the customer"
            )
        draft = Draft(
            kind=REPLY_KIND,
            subject_type="ticket",
            subject_id=str(ticket.id),
            content={"text": text, "language": ticket.language},
            checks={},
            status="draft",
            author=actor.email,
        )
        session.add(draft)
        session.flush()
        audit(
            session,
            actor.email,
            "draft.create",
            "draft",
            draft.id,
            None,
            {"status": "draft", "content": draft.content},
        )
        draft.status, draft.reviewer_id, draft.review_note = "approved", actor.id, "written by the approver"
        audit(
            session,
            actor.email,
            "draft.approve",
            "draft",
            draft.id,
            {"status": "draft"},
            {"status": "approved", "reviewer_id": actor.id},
        )
        draft_id = draft.id
        _supersede_ai_drafts(session, ticket.id, draft_id, actor.email, edited_from=replaces)
    deliver_reply(db, settings, draft_id, actor=actor.email, sleep=sleep)
    return get_draft(db, draft_id)


def _supersede_ai_drafts(
    session: Session, ticket_id: int, answer_id: int, actor: str, *, edited_from: int | None
) -> None:
    """Reject the AI reply drafts still waiting on a ticket a person has just answered, so the review
    queue cannot send a second reply; the one the answer was edited from says so."""
    pending = session.scalars(
        select(Draft).where(
            Draft.kind == REPLY_KIND,
            Draft.subject_type == "ticket",
            Draft.subject_id == str(ticket_id),
            Draft.status == "draft",
            Draft.author.startswith("ai:"),
        )
    )
    for draft in pending:
        note = "edited before sending" if draft.id == edited_from else "superseded: answered by a person"
        draft.status, draft.review_note = "rejected", f"{note} (sent as draft {answer_id})"
        audit(
            session,
            actor,
            "draft.reject",
            "draft",
            draft.id,
            {"status": "draft"},
            {"status": "rejected", "review_note": draft.review_note},
        )


def deliver_reply(
    db: Database,
    settings: Settings,
    draft_id: int,
    *,
    actor: str,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send an approved reply: ticket message, status "answered", assignment done, then the webhook
    (when ``reply_webhook_url`` is set). A draft is delivered once; a failed webhook is recorded."""
    with db.session() as session:
        draft = session.scalar(select(Draft).where(Draft.id == draft_id).with_for_update())
        if draft is None:
            raise NotFoundError(f"no draft {draft_id}")
        ticket_key = int_id(draft.subject_id)
        if not draft.kind.startswith(REPLY_KIND) or draft.subject_type != "ticket" or ticket_key is None:
            raise InputError(
                f"draft {draft_id} is a {draft.kind} on a {draft.subject_type}, not a ticket reply"
            )
        if draft.status != "approved":
            raise InputError(
                f"draft {draft_id} is {draft.status}; only approved replies are sent", hint="approve it first"
            )
        delivered = select(AuditLog.id).where(
            AuditLog.action == "reply.deliver",
            AuditLog.entity_type == "draft",
            AuditLog.entity_id == str(draft_id),
        )
        if session.scalar(delivered) is not None:
            raise InputError(f"draft {draft_id} was already delivered")
        text = str((draft.content or {}).get("text") or "").strip()
        if not text:
            raise InputError(f"draft {draft_id} has no text to send", hint="edit the draft")
        ticket = load_ticket(session, ticket_key)
        approver = session.get(User, draft.reviewer_id) if draft.reviewer_id else None
        approved_by = approver.email if approver is not None else actor
        message = TicketMessage(role="agent", author=approved_by, body=text)
        ticket.messages.append(message)
        before = {"status": ticket.status}
        ticket.status = "answered"
        complete_in(session, "ticket", str(ticket.id), actor)
        session.flush()
        audit(
            session,
            actor,
            "reply.deliver",
            "draft",
            draft.id,
            None,
            {"ticket_id": ticket.id, "message_id": message.id},
        )
        audit(
            session,
            actor,
            "ticket.answer",
            "ticket",
            ticket.id,
            before,
            {"status": "answered", "draft_id": draft.id},
        )
        to = (
            session.scalar(select(Customer.email).where(Customer.id == ticket.customer_id))
            if ticket.customer_id
            else None
        )
        subject = ticket.subject if ticket.subject.lower().startswith("re:") else f"Re: {ticket.subject}"
        payload = {
            "ticket": ticket.id,
            "external_id": ticket.external_id,
            "draft_id": draft.id,
            "to": to or None,
            "subject": subject,
            "text": text,
            "approved_by": approved_by,
        }
        result = DeliveryResult(
            draft_id=draft.id, ticket_id=ticket.id, message_id=message.id, ticket_status=ticket.status
        )
    url = (settings.reply_webhook_url or "").strip()
    if not url:
        return result
    secret = settings.reply_webhook_secret.get_secret_value() if settings.reply_webhook_secret else None
    outcome = post_json(url, payload, secret=secret, sleep=sleep)
    with db.session() as session:
        row = WebhookDelivery(
            draft_id=draft_id,
            target=outcome.target,
            status_code=outcome.status_code,
            ok=outcome.ok,
            error=outcome.error,
        )
        session.add(row)
        session.flush()
        result.delivery = DeliveryView.model_validate(row)
    return result


def deliveries_for(db: Database, draft_id: int) -> list[DeliveryView]:
    with db.session() as session:
        rows = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.draft_id == draft_id).order_by(WebhookDelivery.id)
        )
        return [DeliveryView.model_validate(row) for row in rows]
