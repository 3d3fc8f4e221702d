"""References to the things work is about: a ticket, a draft, an alert, ... as (type, id) pairs.

Assignments, comments and notifications point at entities by ``entity_type`` and a text
``entity_id``. Tickets and drafts are rows here and must exist; the other types (alerts, reports)
belong to capabilities that may not have rows yet, so only their form is checked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.errors import InputError, NotFoundError
from shopops.store.models import MAX_ID, AuditLog, Draft, Notification, Ticket

ENTITY_TYPES = ("ticket", "draft", "alert", "review", "product", "order", "report")


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    """As the store keeps times: an aware time converted to UTC and made naive; naive is UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def link_for(entity_type: str, entity_id: str) -> str | None:
    return {"ticket": f"/support/{entity_id}", "draft": f"/queue/{entity_id}"}.get(entity_type)


def int_id(value: str) -> int | None:
    """A row id from text, or None when it cannot be one (so no query overflows the column)."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10 or not 1 <= int(value) <= MAX_ID:
        return None
    return int(value)


def check_entity(session: Session, entity_type: str, entity_id: str) -> str:
    """Validate an entity reference; tickets and drafts must exist. Returns the cleaned id."""
    if entity_type not in ENTITY_TYPES:
        raise InputError(f"unknown entity type {entity_type!r}", hint=f"use one of {', '.join(ENTITY_TYPES)}")
    entity_id = str(entity_id or "").strip()
    if not entity_id or len(entity_id) > 100:
        raise InputError("entity_id must be 1..100 characters")
    model = {"ticket": Ticket, "draft": Draft}.get(entity_type)
    if model is not None and ((key := int_id(entity_id)) is None or session.get(model, key) is None):
        raise NotFoundError(f"no {entity_type} {entity_id}")
    return entity_id


def titles(session: Session, refs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A human title per (entity_type, entity_id): a ticket's subject, a draft's kind and subject."""
    ids = {(t, i): int_id(i) for t, i in refs}
    draft_ids = {key for (t, _), key in ids.items() if t == "draft" and key is not None}
    drafts = (
        {d.id: d for d in session.scalars(select(Draft).where(Draft.id.in_(draft_ids)))} if draft_ids else {}
    )
    draft_tickets = {
        d.id: int_id(d.subject_id) if d.subject_type == "ticket" else None for d in drafts.values()
    }
    ticket_ids = {key for (t, _), key in ids.items() if t == "ticket" and key is not None}
    ticket_ids |= {key for key in draft_tickets.values() if key is not None}
    subjects: dict[int, str] = (
        dict(
            session.execute(select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ticket_ids))).tuples().all()
        )
        if ticket_ids
        else {}
    )
    out: dict[tuple[str, str], str] = {}
    for (entity_type, entity_id), key in ids.items():
        title = f"{entity_type} {entity_id}"
        if entity_type == "ticket" and key in subjects:
            title = f"#{key} {subjects[key] or '(no subject)'}"
        elif entity_type == "draft" and key in drafts:
            draft = drafts[key]
            ticket_key = draft_tickets[key]
            subject = f"{draft.subject_type} {draft.subject_id}"
            if ticket_key is not None:
                subject = f"ticket #{ticket_key} {subjects.get(ticket_key, '')}".rstrip()
            title = f"{draft.kind} · {subject}"
        out[(entity_type, entity_id)] = title
    return out


def notify(session: Session, user_id: int, kind: str, entity_type: str, entity_id: str, text: str) -> None:
    session.add(
        Notification(user_id=user_id, kind=kind, entity_type=entity_type, entity_id=entity_id, text=text)
    )


def clean_text(value: str | None, name: str, *, max_length: int, required: bool = True) -> str:
    """``value`` stripped, or an InputError naming the field when empty (if required) or too long."""
    value = (value or "").strip()
    if (required and not value) or len(value) > max_length:
        low = 1 if required else 0
        raise InputError(f"{name} must be {low}..{max_length} characters (got {len(value)})")
    return value


def load_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id) if 0 < ticket_id <= MAX_ID else None
    if ticket is None:
        raise NotFoundError(f"no ticket {ticket_id}", hint="list tickets with GET /api/tickets")
    return ticket


def audit(
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        AuditLog(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )
