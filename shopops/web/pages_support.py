"""``/support``: the ticket list and a ticket's page, thin adapters over :mod:`shopops.workflow`.

Each action needs what its API route needs (``shopops.api.routes_work``): answering and escalating
``support.reply``, assigning ``work.assign``, commenting ``comment``; reading ``read``. Forms a role
may not use are not shown, and the server refuses them all the same (403). Actions answer with a
redirect to the ticket (post/redirect/get); a refused one shows the ticket with the reason. An
answer is stored as an approved ``support.reply`` draft and delivered; the page then says how
(stored only, sent to the webhook, or the webhook's error).

Tickets the support pipeline read (``shopops.support.service``) carry its triage (intent,
language, sentiment, urgency) and, when it escalated them, its hand-off (why, what the customer
asked, what the bot tried, the next step), shown at the top of the ticket. Its reply drafts wait
on the ticket with their confidence, citations, policy decision and check flags: "Approve and
send" decides one as the review queue does (``drafts.decide`` and the kind's ``support.reply``;
``approve_and_publish`` delivers it), "Edit before sending" opens the answer form with its text,
and sending that answer closes the AI draft as replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from shopops.api.security import assigner, commenter, decider, reader, support_agent
from shopops.auth.accounts import Principal, list_users
from shopops.auth.roles import require_decide
from shopops.errors import InputError
from shopops.store.models import MAX_ID, Customer, Order
from shopops.support.types import INTENTS
from shopops.web.pages_support_ai import may_decide_replies, waiting_ai_drafts
from shopops.web.render import PER_PAGE, RowId, context_of, page_offset, pager, render
from shopops.workflow.assignment import assign, may_work_on
from shopops.workflow.comments import MAX_BODY, MENTION, add_comment
from shopops.workflow.drafts import get_draft
from shopops.workflow.entities import int_id, load_ticket
from shopops.workflow.replies import MAX_TEXT, REPLY_KIND, answer_ticket
from shopops.workflow.review import approve_and_publish
from shopops.workflow.teams import list_teams
from shopops.workflow.tickets import (
    STATUSES,
    TicketDetail,
    escalate_ticket,
    get_ticket,
    list_tickets,
)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Delivery:
    """How an answer went out: ``stored`` (no webhook configured), ``sent`` or ``failed``."""

    outcome: str
    target: str = ""
    status_code: int | None = None
    error: str = ""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_overdue(due_at: dt.datetime | None, status: str, now: dt.datetime) -> bool:
    return due_at is not None and status == "open" and due_at < now


def parse_due(value: str) -> dt.datetime | None:
    """A ``datetime-local`` value (``YYYY-MM-DDTHH:MM``) read as UTC; empty means unchanged."""
    value = value.strip()
    if not value:
        return None
    try:
        due = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"due date {value!r} is not a date and time", hint="e.g. 2025-06-30T17:00") from None
    if not 2000 <= due.year <= 2200:
        raise InputError("the due date must be between the years 2000 and 2200")
    return due.replace(tzinfo=dt.UTC) if due.tzinfo is None else due


def mention_parts(body: str) -> list[tuple[str, bool]]:
    """The comment's text cut into (text, is_mention) pieces, so templates can mark @mentions."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in MENTION.finditer(body):
        parts.append((body[last : match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    parts.append((body[last:], False))
    return [part for part in parts if part[0]]


@router.get("/support")
def tickets(
    request: Request,
    status: str = Query("", max_length=20),
    team: str = Query("", max_length=12),
    assignee: str = Query("", max_length=10),
    language: str = Query("", max_length=10),
    intent: str = Query("", max_length=50),
    page: int = Query(1, ge=1, le=MAX_ID),
    who: Principal = Depends(reader),
) -> Response:
    db = context_of(request).db
    status = status if status in STATUSES else ""
    team_id = int_id(team)
    assignee = "me" if assignee == "me" else ""
    language, intent = language.strip().lower(), intent.strip().lower()
    found = list_tickets(
        db,
        status=status or None,
        team_id=team_id,
        assignee_id=who.id if assignee == "me" else None,
        language=language or None,
        intent=intent or None,
        limit=PER_PAGE,
        offset=page_offset(page),
    )
    now = utcnow()
    rows = [
        {
            "ticket": ticket,
            "overdue": ticket.assignment is not None
            and is_overdue(ticket.assignment.due_at, ticket.assignment.status, now),
        }
        for ticket in found.items
    ]
    return render(
        request,
        "support/list.html",
        who,
        active="/support",
        rows=rows,
        pager=pager(request, found.total, page),
        filters={
            "status": status,
            "team": team_id,
            "assignee": assignee,
            "language": language,
            "intent": intent,
        },
        statuses=STATUSES,
        teams=list_teams(db),
        intents=INTENTS,
    )


def order_and_customer(request: Request, ticket: TicketDetail) -> tuple[Any, Any]:
    """The ticket's linked order and customer rows (detached; None when not linked)."""
    with context_of(request).db.session() as session:
        order = session.get(Order, ticket.order_id) if ticket.order_id else None
        customer = session.get(Customer, ticket.customer_id) if ticket.customer_id else None
        session.expunge_all()
    return order, customer


def delivery_of(ticket: TicketDetail, draft_id: int | None) -> Delivery | None:
    """The outcome of delivering reply ``draft_id`` of this ticket (None: not one of its replies)."""
    if draft_id is None or all(reply.id != draft_id for reply in ticket.replies):
        return None
    sent = [d for d in ticket.deliveries if d.draft_id == draft_id]
    if not sent:
        return Delivery("stored")
    last = sent[-1]
    return Delivery("sent" if last.ok else "failed", last.target, last.status_code, last.error)


def ticket_page(
    request: Request,
    who: Principal,
    ticket_id: int,
    *,
    error: str = "",
    reply: int | None = None,
    edit: int | None = None,
    status_code: int = 200,
) -> Response:
    db = context_of(request).db
    ticket = get_ticket(db, ticket_id)
    drafts = waiting_ai_drafts(ticket)
    editing = next((draft for draft in drafts if draft.id == edit), None)
    order, customer = order_and_customer(request, ticket)
    users = list_users(db)
    names = {user.id: user.name or user.email for user in users}
    now = utcnow()
    work = ticket.assignment
    return render(
        request,
        "support/ticket.html",
        who,
        status_code=status_code,
        active="/support",
        ticket=ticket,
        order=order,
        customer=customer,
        work=work,
        overdue=work is not None and is_overdue(work.due_at, work.status, now),
        comments=[
            {
                "comment": comment,
                "parts": mention_parts(comment.body),
                "mentioned": [names.get(uid, f"#{uid}") for uid in comment.mentions],
            }
            for comment in ticket.comments
        ],
        delivery=delivery_of(ticket, reply),
        handoff=ticket.handoff,
        triage=ticket.triage,
        ai_drafts=drafts,
        may_decide=may_decide_replies(who) and ticket.status != "closed",
        editing=editing,
        error=error,
        teams=list_teams(db),
        assignees=[u for u in users if u.active and may_work_on(u.role.value, "ticket")],
        max_text=MAX_TEXT,
        max_comment=MAX_BODY,
    )


@router.get("/support/{ticket_id}")
def show(
    ticket_id: RowId,
    request: Request,
    reply: int | None = Query(None, ge=1, le=MAX_ID),
    edit: int | None = Query(None, ge=1, le=MAX_ID),
    who: Principal = Depends(reader),
) -> Response:
    """The ticket; ``?edit=<draft id>`` opens the answer form with that AI draft's text."""
    return ticket_page(request, who, ticket_id, reply=reply, edit=edit)


def _refused(request: Request, who: Principal, ticket_id: int, exc: InputError) -> Response:
    """The ticket with the reason its action was refused (a missing ticket is a 404 page)."""
    return ticket_page(request, who, ticket_id, error=str(exc), status_code=exc.http_status)


def _to_ticket(ticket_id: int, anchor: str = "", **query: int) -> Response:
    suffix = "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    return RedirectResponse(f"/support/{ticket_id}{suffix}{'#' + anchor if anchor else ''}", status_code=303)


@router.post("/support/{ticket_id}/answer")
def answer(
    ticket_id: RowId,
    request: Request,
    text: str = Form(..., max_length=MAX_TEXT),
    replaces: str = Form("", max_length=12),
    who: Principal = Depends(support_agent),
) -> Response:
    """The agent's own answer: an approved reply draft, delivered (webhook when configured).
    ``replaces``: the AI draft it was edited from, rejected as replaced once the answer is sent."""
    ctx = context_of(request)
    try:
        draft = answer_ticket(
            ctx.db, ctx.settings, ticket_id, actor=who, text=text, replaces=int_id(replaces)
        )
    except InputError as exc:
        return _refused(request, who, ticket_id, exc)
    return _to_ticket(ticket_id, "delivery", reply=draft.id)


@router.post("/support/{ticket_id}/drafts/{draft_id}/approve")
def approve_reply(
    ticket_id: RowId,
    draft_id: RowId,
    request: Request,
    who: Principal = Depends(decider),
) -> Response:
    """Approve an AI reply draft of this ticket and send it (as the review queue approves it)."""
    ctx = context_of(request)
    try:
        with ctx.db.session() as session:
            status = load_ticket(session, ticket_id).status
        draft = get_draft(ctx.db, draft_id)
        if not draft.kind.startswith(REPLY_KIND) or (draft.subject_type, draft.subject_id) != (
            "ticket",
            str(ticket_id),
        ):
            raise InputError(f"draft {draft_id} is not a reply to ticket {ticket_id}")
        require_decide(who.role, draft.kind)
        if status == "closed":
            raise InputError(
                f"ticket {ticket_id} is closed", hint="open a new ticket to write to the customer"
            )
        approve_and_publish(ctx, draft_id, who.email)
    except InputError as exc:
        return _refused(request, who, ticket_id, exc)
    return _to_ticket(ticket_id, "delivery", reply=draft_id)


@router.post("/support/{ticket_id}/escalate")
def escalate(
    ticket_id: RowId,
    request: Request,
    reason: str = Form(..., max_length=2000),
    who: Principal = Depends(support_agent),
) -> Response:
    try:
        escalate_ticket(context_of(request).db, ticket_id, actor=who.email, reason=reason)
    except InputError as exc:
        return _refused(request, who, ticket_id, exc)
    return _to_ticket(ticket_id, "assignment")


@router.post("/support/{ticket_id}/assign")
def reassign(
    ticket_id: RowId,
    request: Request,
    team_id: str = Form("", max_length=12),
    assignee_id: str = Form("", max_length=12),
    due_at: str = Form("", max_length=40),
    who: Principal = Depends(assigner),
) -> Response:
    """Give the ticket to a team and/or a person, with an optional due date (UTC)."""
    try:
        assign(
            context_of(request).db,
            "ticket",
            str(ticket_id),
            actor=who.email,
            team_id=int_id(team_id),
            assignee_id=int_id(assignee_id),
            due_at=parse_due(due_at),
        )
    except InputError as exc:
        return _refused(request, who, ticket_id, exc)
    return _to_ticket(ticket_id, "assignment")


@router.post("/support/{ticket_id}/comment")
def comment(
    ticket_id: RowId,
    request: Request,
    body: str = Form(..., max_length=MAX_BODY),
    who: Principal = Depends(commenter),
) -> Response:
    """A comment; ``@name`` or ``@email`` of a colleague puts a notification in their inbox."""
    try:
        add_comment(
            context_of(request).db, "ticket", str(ticket_id), author_id=who.id, author=who.email, body=body
        )
    except InputError as exc:
        return _refused(request, who, ticket_id, exc)
    return _to_ticket(ticket_id, "comments")
