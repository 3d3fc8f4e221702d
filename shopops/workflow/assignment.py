"""Assignment: who owns a piece of work and by when, and each person's inbox.

Every entity (a ticket, a draft, an alert, ...) has at most one :class:`Assignment` row; assigning
again updates it (reassignment), ``complete`` closes it. Each change writes an ``audit_log`` row on
the *entity* (so a ticket's or draft's trail shows who took it), and a new assignee gets an
"assigned" notification (not when people assign work to themselves).

``auto_assign_ticket`` routes a ticket (:mod:`shopops.workflow.routing`) and gives it to the least
loaded active member of the chosen team who may answer tickets; the due date is ``sla_hours`` after
now, or after the team next opens when it is closed. ``Ticket.assigned_to_id`` always mirrors the
ticket's assignee. Times are naive UTC, as the store keeps them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shopops.auth.roles import Permission, can
from shopops.errors import InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import Assignment, AuditLog, Notification, Team, Ticket, User, UtcDateTime, utcnow
from shopops.workflow.entities import (
    check_entity,
    clean_text,
    link_for,
    naive_utc,
    notify,
    titles,
)
from shopops.workflow.routing import RoutingDecision, route_work

MAX_INBOX = 200
MAX_NOTIFICATIONS = 100


class AssignmentView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    entity_type: str
    entity_id: str
    team_id: int | None = None
    team_name: str | None = None
    assignee_id: int | None = None
    assignee_email: str | None = None
    assignee_name: str | None = None
    due_at: UtcDateTime | None = None
    status: str
    routed_by: str = ""
    created_at: UtcDateTime | None = None
    updated_at: UtcDateTime | None = None


class InboxItem(BaseModel):
    assignment_id: int
    entity_type: str
    entity_id: str
    title: str
    link: str | None = None  # the web page of the entity, where there is one
    team_name: str | None = None
    due_at: UtcDateTime | None = None
    overdue: bool = False
    routed_by: str = ""


class NotificationView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    entity_type: str
    entity_id: str
    text: str
    created_at: UtcDateTime
    read_at: UtcDateTime | None = None
    link: str | None = None


class InboxView(BaseModel):
    items: list[InboxItem] = Field(default_factory=list)
    notifications: list[NotificationView] = Field(default_factory=list)
    unread: int = 0


def may_work_on(role: str, entity_type: str) -> bool:
    """Tickets go to people who may answer them; other work to anyone who may change something
    (everyone but analysts, who only read)."""
    if entity_type == "ticket":
        return can(role, Permission.SUPPORT_REPLY)
    return any(can(role, permission) for permission in Permission if permission != Permission.READ)


def assignment_view(session: Session, row: Assignment) -> AssignmentView:
    view = AssignmentView.model_validate(row)
    if row.team_id is not None:
        view.team_name = session.scalar(select(Team.name).where(Team.id == row.team_id))
    if row.assignee_id is not None:
        user = session.get(User, row.assignee_id)
        if user is not None:
            view.assignee_email, view.assignee_name = user.email, user.name
    return view


def _snapshot(row: Assignment) -> dict[str, Any]:
    return {
        "team_id": row.team_id,
        "assignee_id": row.assignee_id,
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "status": row.status,
        "routed_by": row.routed_by,
    }


def _assign(
    session: Session,
    entity_type: str,
    entity_id: str,
    *,
    actor: str,
    team_id: int | None,
    assignee_id: int | None,
    due_at: dt.datetime | None,
    routed_by: str,
    unassign: bool = False,
) -> Assignment:
    row = session.scalar(
        select(Assignment).where(Assignment.entity_type == entity_type, Assignment.entity_id == entity_id)
    )
    if row is None and team_id is None and assignee_id is None and not routed_by:
        raise InputError("assign to whom? give a team, an assignee or both")
    if team_id is not None and session.get(Team, team_id) is None:
        raise NotFoundError(f"no team {team_id}", hint="list teams with GET /api/teams")
    assignee: User | None = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.active:
            raise NotFoundError(f"no active user {assignee_id}")
        if not may_work_on(assignee.role, entity_type):
            raise InputError(
                f"{assignee.email} ({assignee.role}) cannot work on a {entity_type}",
                hint="assign it to an agent or manager" if entity_type == "ticket" else "not to an analyst",
            )
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = Assignment(entity_type=entity_type, entity_id=entity_id, status="open")
        session.add(row)
    previous_assignee = row.assignee_id
    if team_id is not None:
        row.team_id = team_id
    if assignee is not None:
        row.assignee_id = assignee.id
        if row.team_id is None:
            row.team_id = assignee.team_id
    elif unassign:
        row.assignee_id = None
    if due_at is not None:
        row.due_at = naive_utc(due_at)
    if routed_by:
        row.routed_by = routed_by[:200]
    elif before is None or assignee is not None or team_id is not None:
        row.routed_by = actor
    row.status = "open"
    session.flush()
    if entity_type == "ticket":
        ticket = session.get(Ticket, int(entity_id))
        if ticket is not None:
            ticket.assigned_to_id = row.assignee_id
    session.add(
        AuditLog(
            actor=actor,
            action="assignment.create" if before is None else "assignment.update",
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=_snapshot(row),
        )
    )
    if assignee is not None and assignee.id != previous_assignee and assignee.email != actor:
        title = titles(session, [(entity_type, entity_id)])[(entity_type, entity_id)]
        due = f", due {row.due_at:%Y-%m-%d %H:%M} UTC" if row.due_at else ""
        notify(session, assignee.id, "assigned", entity_type, entity_id, f"{actor} assigned you {title}{due}")
    return row


# -- public API ----------------------------------------------------------------------------------


def assign(
    db: Database,
    entity_type: str,
    entity_id: str,
    *,
    actor: str,
    team_id: int | None = None,
    assignee_id: int | None = None,
    due_at: dt.datetime | None = None,
    routed_by: str = "",
) -> AssignmentView:
    """Create or update the entity's assignment. None leaves a field as it is; assigning a done
    assignment opens it again. A person without a team given takes the assignee's team."""
    actor = clean_text(actor, "actor", max_length=200)
    with db.session() as session:
        entity_id = check_entity(session, entity_type, entity_id)
        row = _assign(
            session,
            entity_type,
            entity_id,
            actor=actor,
            team_id=team_id,
            assignee_id=assignee_id,
            due_at=due_at,
            routed_by=routed_by,
        )
        return assignment_view(session, row)


def complete_in(session: Session, entity_type: str, entity_id: str, actor: str) -> Assignment | None:
    """Mark the entity's assignment done inside an open session (no-op when none or done)."""
    row = session.scalar(
        select(Assignment).where(
            Assignment.entity_type == entity_type, Assignment.entity_id == str(entity_id)
        )
    )
    if row is None or row.status == "done":
        return row
    before = _snapshot(row)
    row.status = "done"
    session.add(
        AuditLog(
            actor=actor,
            action="assignment.complete",
            entity_type=entity_type,
            entity_id=str(entity_id),
            before=before,
            after=_snapshot(row),
        )
    )
    session.flush()
    return row


def complete(db: Database, entity_type: str, entity_id: str, actor: str) -> AssignmentView:
    """Mark the work done (idempotent). NotFoundError when the entity was never assigned."""
    actor = clean_text(actor, "actor", max_length=200)
    with db.session() as session:
        row = complete_in(session, entity_type, str(entity_id), actor)
        if row is None:
            raise NotFoundError(f"{entity_type} {entity_id} is not assigned")
        return assignment_view(session, row)


def _least_loaded(session: Session, team_id: int, keep: int | None) -> User | None:
    members = [
        user
        for user in session.scalars(
            select(User).where(User.team_id == team_id, User.active.is_(True)).order_by(User.id)
        )
        if can(user.role, Permission.SUPPORT_REPLY)
    ]
    if not members:
        return None
    for user in members:
        if user.id == keep:
            return user  # already with someone suitable: do not bounce it around
    loads = dict(
        session.execute(
            select(Assignment.assignee_id, func.count())
            .where(Assignment.status == "open", Assignment.assignee_id.in_([u.id for u in members]))
            .group_by(Assignment.assignee_id)
        )
        .tuples()
        .all()
    )
    return min(members, key=lambda user: (loads.get(user.id, 0), user.id))


def auto_assign_ticket(
    db: Database,
    ticket_id: int,
    *,
    actor: str = "router",
    now: dt.datetime | None = None,
    sla_hours: float = 4,
) -> AssignmentView:
    """Route the ticket to a team and its least-loaded support member; ``routed_by`` says why."""
    if not 0 < sla_hours <= 24 * 30:
        raise InputError(f"sla_hours must be within 0..720 (got {sla_hours})")
    now = naive_utc(now) or utcnow()
    with db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFoundError(f"no ticket {ticket_id}", hint="list tickets with GET /api/tickets")
        decision: RoutingDecision = route_work(
            session, intent=ticket.intent, language=ticket.language, at=now
        )
        current = session.scalar(
            select(Assignment).where(
                Assignment.entity_type == "ticket", Assignment.entity_id == str(ticket.id)
            )
        )
        keep = current.assignee_id if current is not None and current.team_id == decision.team_id else None
        member = _least_loaded(session, decision.team_id, keep) if decision.team_id is not None else None
        start = now if decision.open_now or decision.next_open is None else decision.next_open
        row = _assign(
            session,
            "ticket",
            str(ticket.id),
            actor=actor,
            team_id=decision.team_id,
            assignee_id=member.id if member is not None else None,
            due_at=start + dt.timedelta(hours=sla_hours),
            routed_by=f"{actor}: {decision.reason}",
            # a new team without a suitable member: the old assignee (of another team) lets go
            unassign=member is None and current is not None and current.team_id != decision.team_id,
        )
        return assignment_view(session, row)


def inbox(db: Database, user_id: int, *, now: dt.datetime | None = None) -> InboxView:
    """The user's open assignments (soonest due first) and unread notifications (newest first)."""
    now = naive_utc(now) or utcnow()
    with db.session() as session:
        rows = list(
            session.scalars(
                select(Assignment)
                .where(Assignment.assignee_id == user_id, Assignment.status == "open")
                .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
                .limit(MAX_INBOX)
            )
        )
        notes = list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                .order_by(Notification.id.desc())
                .limit(MAX_NOTIFICATIONS)
            )
        )
        unread = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        named = titles(session, [(row.entity_type, row.entity_id) for row in rows])
        team_ids = {row.team_id for row in rows if row.team_id is not None}
        team_names = (
            dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).tuples().all())
            if team_ids
            else {}
        )
        items = [
            InboxItem(
                assignment_id=row.id,
                entity_type=row.entity_type,
                entity_id=row.entity_id,
                title=named[(row.entity_type, row.entity_id)],
                link=link_for(row.entity_type, row.entity_id),
                team_name=team_names.get(row.team_id) if row.team_id is not None else None,
                due_at=row.due_at,
                overdue=row.due_at is not None and row.due_at < now,
                routed_by=row.routed_by,
            )
            for row in rows
        ]
        notifications = [NotificationView.model_validate(note) for note in notes]
        for note in notifications:
            note.link = link_for(note.entity_type, note.entity_id)
        return InboxView(items=items, notifications=notifications, unread=unread or 0)


def mark_read(db: Database, user_id: int, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``notification_ids`` is None); returns
    how many changed. Other users' notifications are never touched."""
    conditions = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if notification_ids is not None:
        if not notification_ids:
            return 0
        conditions.append(Notification.id.in_(notification_ids))
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(*conditions)
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
