"""Support messages as tickets: what the API (``POST /api/support/messages``) and the CLI call.

A message opens a ticket (or continues the conversation it belongs to), goes through the pipeline
against this store's knowledge base and orders, and ends as either

* a ``support.reply`` draft with its citations, waiting for an agent to approve it, or
* an escalation: the hand-off is stored on the ticket, the ticket is routed to a team and assigned
  (``escalate_ticket``), and the customer-facing holding message is returned to the caller to send.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from shopops.context import AppContext
from shopops.copy.types import Flag
from shopops.errors import InputError
from shopops.store.models import Customer, Order, Ticket, TicketMessage
from shopops.support.index import KnowledgeIndex, load_index, sync_knowledge
from shopops.support.orders import OrderLookup, lookup_order
from shopops.support.pipeline import SupportConfig, SupportRequest, draft_reply
from shopops.support.policy import ReturnPolicy
from shopops.support.types import CheckFlag, Citation, Decision, Handoff, SupportDraft, Triage
from shopops.workflow.drafts import add_ai_draft
from shopops.workflow.entities import audit, clean_text, load_ticket
from shopops.workflow.replies import MAX_TEXT, REPLY_KIND
from shopops.workflow.tickets import escalate_ticket, open_ticket

AI_AUTHOR = "ai:support.reply"
FLAG_KINDS = {
    "invented_order_number": "unsupported",
    "unsupported_number": "unsupported",
    "promise_not_allowed": "contradicted",
    "contradicts_decision": "contradicted",
    "wrong_language": "language",
}


class IncomingMessage(BaseModel):
    """One customer message, as a helpdesk or the CLI sends it."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    conversation_id: str | None = Field(
        default=None, max_length=100, description="the helpdesk's conversation id: later messages continue it"
    )
    ticket_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    customer_email: str | None = Field(default=None, max_length=320)
    order_number: str | None = Field(default=None, max_length=100)
    subject: str | None = Field(default=None, max_length=500)
    channel: str = Field(default="api", min_length=1, max_length=30)


class SupportOutcome(BaseModel):
    """What the caller gets back: the draft to review, or the hand-off and a holding message."""

    ticket_id: int
    decision: Decision
    text: str  # the reply draft, or the holding message to send the customer now
    draft_id: int | None = None  # the support.reply draft waiting for review
    confidence: float
    citations: list[Citation] = Field(default_factory=list)
    handoff: Handoff | None = None
    triage: Triage
    checks: list[CheckFlag] = Field(default_factory=list)


def support_config(ctx: AppContext, today: dt.date | None = None) -> SupportConfig:
    settings = ctx.settings
    return SupportConfig(
        threshold=settings.support_confidence_threshold,
        human_only=frozenset(settings.support_human_only_intents),
        policy=ReturnPolicy(window_days=settings.support_return_window_days),
        today=today or dt.date.today(),
        answer_style=settings.support_answer_style,
    )


def knowledge_index(ctx: AppContext) -> KnowledgeIndex:
    """The store's index, re-indexing documents that changed since the last call first."""
    sync_knowledge(ctx.db, ctx.embedder)
    return load_index(ctx.db, ctx.embedder)


def _conversation(ctx: AppContext, incoming: IncomingMessage, actor: str) -> int:
    """The ticket this message belongs to; a new one when it starts a conversation."""
    external = (incoming.conversation_id or "").strip() or None
    with ctx.db.session() as session:
        ticket: Ticket | None = None
        if incoming.ticket_id is not None:
            ticket = load_ticket(session, incoming.ticket_id)
        elif external is not None:
            ticket = session.scalar(select(Ticket).where(Ticket.external_id == external))
        if ticket is not None:
            body = clean_text(incoming.text, "text", max_length=MAX_TEXT)
            ticket.messages.append(
                TicketMessage(role="customer", author=incoming.customer_email or "customer", body=body)
            )
            if ticket.status in ("answered", "closed"):
                ticket.status = "open"
            audit(session, actor, "ticket.message", "ticket", ticket.id, None, {"message": body[:200]})
            return ticket.id
    subject = incoming.subject or " ".join(incoming.text.split())[:80]
    view = open_ticket(
        ctx.db,
        subject=subject,
        body=incoming.text,
        customer_email=incoming.customer_email,
        order_number=incoming.order_number,
        channel=incoming.channel,
        external_id=external,
        actor=actor,
    )
    return view.id


def _request(ctx: AppContext, ticket_id: int, text: str) -> SupportRequest:
    with ctx.db.session() as session:
        ticket = load_ticket(session, ticket_id)
        history = [m.body for m in ticket.messages if m.role == "customer"][:-1]
        previous = Triage.model_validate(ticket.triage) if ticket.triage else None
        order_number = session.scalar(select(Order.order_number).where(Order.id == ticket.order_id))
        customer_id = ticket.customer_id
        email = (
            session.scalar(select(Customer.email).where(Customer.id == customer_id)) if customer_id else None
        )

    def order_tool(number: str) -> OrderLookup:
        return lookup_order(ctx.db, number, customer_id=customer_id, customer_email=email)

    return SupportRequest(
        message=text, history=history, previous=previous, order_number=order_number, order_tool=order_tool
    )


def _flags(draft: SupportDraft) -> list[dict[str, Any]]:
    """The checks as review-queue flags (never blocking: the pipeline already replaced bad wording)."""
    return [
        Flag(
            kind=FLAG_KINDS.get(c.code, "unsupported"), message=c.message, rule=c.code, blocking=False
        ).model_dump()  # type: ignore[arg-type]
        for c in draft.checks
    ]


def _store(ctx: AppContext, ticket_id: int, draft: SupportDraft, actor: str) -> int | None:
    """Save triage, the draft (when there is an answer to review) and the hand-off on the ticket."""
    with ctx.db.session() as session:
        ticket = load_ticket(session, ticket_id)
        ticket.triage = draft.triage.model_dump(mode="json")
        ticket.intent = draft.triage.intent
        ticket.language = draft.triage.language or ticket.language
        if draft.triage.urgency == "high":
            ticket.priority = "high"
        if draft.order is not None and ticket.order_id is None:
            ticket.order_id = session.scalar(
                select(Order.id).where(Order.order_number == draft.order.order_number)
            )
        if draft.handoff is not None:
            ticket.handoff = draft.handoff.model_dump(mode="json")
        draft_id = None
        if draft.answer:
            row = add_ai_draft(
                session,
                kind=REPLY_KIND,
                subject_type="ticket",
                subject_id=str(ticket.id),
                content={
                    "text": draft.answer if draft.decision == "escalate" else draft.text,
                    "language": draft.triage.language,
                    "decision": draft.decision,
                    "confidence": draft.confidence,
                    "citations": [c.model_dump() for c in draft.citations],
                    "policy": draft.policy.model_dump(mode="json") if draft.policy else None,
                    "order_number": draft.order.order_number if draft.order else None,
                },
                checks={"flags": _flags(draft), "support": [c.model_dump() for c in draft.checks]},
                author=AI_AUTHOR,
                actor=actor,
                generation_id=draft.generation_id,
            )
            draft_id = row.id
        if draft.decision == "escalate":
            ticket.messages.append(TicketMessage(role="bot", author=AI_AUTHOR, body=draft.text))
        return draft_id


def draft_for_ticket(
    ctx: AppContext, ticket_id: int, *, actor: str, today: dt.date | None = None
) -> SupportOutcome:
    """Run the pipeline on the ticket's latest customer message and store the draft or the hand-off."""
    with ctx.db.session() as session:
        ticket = load_ticket(session, ticket_id)
        texts = [m.body for m in ticket.messages if m.role == "customer"]
    if not texts:
        raise InputError(f"ticket {ticket_id} has no customer message to answer")
    request = _request(ctx, ticket_id, texts[-1])
    draft = draft_reply(request, index=knowledge_index(ctx), llm=ctx.llm, config=support_config(ctx, today))
    draft_id = _store(ctx, ticket_id, draft, actor)
    if draft.decision == "escalate" and draft.handoff is not None:
        escalate_ticket(
            ctx.db, ticket_id, actor="ai:support", reason=f"{draft.handoff.reason}: {draft.handoff.detail}"
        )
    return SupportOutcome(
        ticket_id=ticket_id,
        decision=draft.decision,
        text=draft.text,
        draft_id=draft_id,
        confidence=draft.confidence,
        citations=draft.citations,
        handoff=draft.handoff,
        triage=draft.triage,
        checks=draft.checks,
    )


def handle_message(
    ctx: AppContext, incoming: IncomingMessage, *, actor: str, today: dt.date | None = None
) -> SupportOutcome:
    """Record the message on its ticket, draft the reply or hand it off, and say which."""
    ticket_id = _conversation(ctx, incoming, actor)
    return draft_for_ticket(ctx, ticket_id, actor=actor, today=today)
