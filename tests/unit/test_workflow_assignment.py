"""Assignment, auto-assignment, the inbox, comments with @mentions and notifications, on both stores."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from shopops.auth.accounts import create_user, update_user
from shopops.errors import InputError, NotFoundError
from shopops.store import models
from shopops.store.db import Database
from shopops.workflow.assignment import assign, auto_assign_ticket, complete, inbox, mark_read
from shopops.workflow.comments import add_comment, list_comments, mention_tokens
from shopops.workflow.drafts import audit_trail
from shopops.workflow.teams import create_team
from shopops.workflow.tickets import open_ticket

MONDAY_NOON = dt.datetime(2026, 3, 2, 12, 0)  # naive UTC
UTC = dt.UTC


def user(db: Database, email: str, role: str = "agent", team: str | None = None) -> int:
    return create_user(db, email, None, role=role, name=email.split("@")[0].title(), team=team).id


def ticket(
    db: Database, subject: str = "Where is my refund?", intent: str = "refund", language: str = "en"
) -> int:
    return open_ticket(
        db, subject=subject, body="I returned it two weeks ago.", intent=intent, language=language
    ).id


def add_draft(db: Database) -> int:
    with db.session() as session:
        draft = models.Draft(
            kind="copy.title",
            subject_type="product",
            subject_id="bamboo-board",
            content={"text": "x"},
            author="ai:t",
        )
        session.add(draft)
        session.flush()
        return draft.id


def notifications(db: Database, user_id: int) -> list[models.Notification]:
    with db.session() as session:
        return list(
            session.scalars(
                select(models.Notification)
                .where(models.Notification.user_id == user_id)
                .order_by(models.Notification.id)
            )
        )


# -- assign ----------------------------------------------------------------------------------------


def test_assign_creates_then_updates_one_row_with_audit_and_notifications(db: Database) -> None:
    team = create_team(db, actor="t", name="Support")
    li = user(db, "li.wei@shop.example")
    ana = user(db, "ana@shop.example")
    ticket_id = ticket(db)
    due = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # = 01:00 UTC

    first = assign(
        db, "ticket", str(ticket_id), actor="boss@shop.example", team_id=team.id, assignee_id=li, due_at=due
    )
    assert (first.team_name, first.assignee_email, first.status) == ("Support", "li.wei@shop.example", "open")
    assert first.due_at == dt.datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert first.routed_by == "boss@shop.example"

    second = assign(db, "ticket", str(ticket_id), actor="boss@shop.example", assignee_id=ana)
    assert second.id == first.id  # one row per entity
    assert (second.assignee_id, second.team_id, second.due_at) == (ana, team.id, first.due_at)

    with db.session() as session:
        assert session.get(models.Ticket, ticket_id).assigned_to_id == ana  # mirrors the assignee
        trail = list(
            session.scalars(
                select(models.AuditLog)
                .where(models.AuditLog.entity_type == "ticket", models.AuditLog.action.like("assignment.%"))
                .order_by(models.AuditLog.id)
            )
        )
    assert [row.action for row in trail] == ["assignment.create", "assignment.update"]
    assert trail[0].before is None
    assert (trail[1].before["assignee_id"], trail[1].after["assignee_id"]) == (li, ana)

    [to_li] = notifications(db, li)
    [to_ana] = notifications(db, ana)
    assert (to_li.kind, to_ana.kind) == ("assigned", "assigned")
    assert (
        to_ana.text
        == f"boss@shop.example assigned you #{ticket_id} Where is my refund?, due 2026-03-03 01:00 UTC"
    )


def test_assigning_yourself_or_the_same_person_again_does_not_notify(db: Database) -> None:
    li = user(db, "li.wei@shop.example")
    draft_id = add_draft(db)
    assign(db, "draft", str(draft_id), actor="li.wei@shop.example", assignee_id=li)
    assert notifications(db, li) == []
    boss = user(db, "boss@shop.example", role="manager")
    assign(db, "draft", str(draft_id), actor="li.wei@shop.example", assignee_id=boss)
    assign(db, "draft", str(draft_id), actor="li.wei@shop.example", assignee_id=boss, due_at=MONDAY_NOON)
    assert len(notifications(db, boss)) == 1
    assert [row.action for row in audit_trail(db, draft_id)] == [
        "assignment.create",
        "assignment.update",
        "assignment.update",
    ]


def test_assign_refuses_what_cannot_be_right(db: Database) -> None:
    analyst = user(db, "ann@shop.example", role="analyst")
    agent = user(db, "li.wei@shop.example")
    ticket_id = ticket(db)
    with pytest.raises(InputError, match="cannot work on a ticket"):
        assign(db, "ticket", str(ticket_id), actor="boss", assignee_id=analyst)
    with pytest.raises(NotFoundError, match="no ticket 999"):
        assign(db, "ticket", "999", actor="boss", assignee_id=agent)
    with pytest.raises(InputError, match="unknown entity type"):
        assign(db, "planet", "1", actor="boss", assignee_id=agent)
    with pytest.raises(NotFoundError, match="no team 42"):
        assign(db, "alert", "low-stock-7", actor="boss", team_id=42)
    with pytest.raises(InputError, match="to whom"):
        assign(db, "alert", "low-stock-7", actor="boss")
    update_user(db, agent, actor="t", active=False)
    with pytest.raises(NotFoundError, match="no active user"):
        assign(db, "ticket", str(ticket_id), actor="boss", assignee_id=agent)


def test_complete_closes_the_assignment_and_reassigning_reopens_it(db: Database) -> None:
    li = user(db, "li.wei@shop.example")
    view = assign(db, "alert", "low-stock-7", actor="boss", assignee_id=li)
    assert [item.entity_id for item in inbox(db, li).items] == ["low-stock-7"]
    assert complete(db, "alert", "low-stock-7", "li.wei@shop.example").status == "done"
    assert complete(db, "alert", "low-stock-7", "li.wei@shop.example").status == "done"  # idempotent
    assert inbox(db, li).items == []
    assert assign(db, "alert", "low-stock-7", actor="boss", assignee_id=li).status == "open"
    assert view.id == assign(db, "alert", "low-stock-7", actor="boss", assignee_id=li).id
    with pytest.raises(NotFoundError, match="not assigned"):
        complete(db, "alert", "never", "boss")


# -- auto-assignment -------------------------------------------------------------------------------


def test_auto_assign_picks_the_least_loaded_support_member(db: Database) -> None:
    create_team(db, actor="t", name="Refunds", intents=["refund"])
    busy = user(db, "busy@shop.example", team="Refunds")
    free = user(db, "free@shop.example", team="Refunds")
    user(db, "analyst@shop.example", role="analyst", team="Refunds")  # may not answer: never picked
    off = user(db, "off@shop.example", team="Refunds")
    update_user(db, off, actor="t", active=False)
    assign(db, "alert", "a1", actor="boss", assignee_id=busy)

    view = auto_assign_ticket(db, ticket(db), now=MONDAY_NOON, sla_hours=4)
    assert (view.team_name, view.assignee_id) == ("Refunds", free)
    assert view.due_at == dt.datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert view.routed_by == "router: intent refund → Refunds (always open)"
    # now both carry one: the tie goes to the older account
    assert auto_assign_ticket(db, ticket(db), now=MONDAY_NOON).assignee_id == busy


def test_auto_assign_when_closed_counts_the_sla_from_the_next_opening(db: Database) -> None:
    create_team(
        db,
        actor="t",
        name="售后",
        languages=["zh"],
        timezone="Asia/Shanghai",
        hours={"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"},
    )
    agent = user(db, "li.wei@shop.example", team="售后")
    friday_night = dt.datetime(2026, 3, 6, 14, 0)  # 22:00 Friday in Shanghai
    ticket_id = ticket(db, subject="退款", intent="", language="zh")
    view = auto_assign_ticket(db, ticket_id, now=friday_night, sla_hours=4)
    # opens Monday 09:00 Shanghai = 01:00 UTC; due four hours later
    assert view.due_at == dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert view.assignee_id == agent
    assert "closed; opens Mon 09:00 Asia/Shanghai" in view.routed_by
    with db.session() as session:
        assert session.get(models.Ticket, ticket_id).assigned_to_id == agent


def test_rerouting_to_a_team_without_members_lets_the_old_assignee_go(db: Database) -> None:
    create_team(db, actor="t", name="Refunds", intents=["refund"])
    create_team(db, actor="t", name="Shipping", intents=["shipping"])
    li = user(db, "li.wei@shop.example", team="Refunds")
    ticket_id = ticket(db)
    assert auto_assign_ticket(db, ticket_id, now=MONDAY_NOON).assignee_id == li
    assert auto_assign_ticket(db, ticket_id, now=MONDAY_NOON).assignee_id == li  # stays with li
    with db.session() as session:
        session.get(models.Ticket, ticket_id).intent = "shipping"
    view = auto_assign_ticket(db, ticket_id, now=MONDAY_NOON)
    assert (view.team_name, view.assignee_id) == ("Shipping", None)
    with db.session() as session:
        assert session.get(models.Ticket, ticket_id).assigned_to_id is None
    last = audit_trail_of(db, "ticket", ticket_id)[-1]
    assert (last.before["assignee_id"], last.after["assignee_id"]) == (li, None)


def test_auto_assign_without_a_team_leaves_the_ticket_unrouted_with_the_reason(db: Database) -> None:
    ticket_id = ticket(db)
    view = auto_assign_ticket(db, ticket_id, now=MONDAY_NOON)
    assert (view.team_id, view.assignee_id) == (None, None)
    assert view.routed_by == "router: no teams are set up (settings → teams)"
    with pytest.raises(NotFoundError):
        auto_assign_ticket(db, 12345)


# -- inbox -----------------------------------------------------------------------------------------


def test_inbox_lists_open_work_with_titles_links_and_overdue(db: Database) -> None:
    li = user(db, "li.wei@shop.example", role="manager")
    ticket_id = ticket(db, subject="Broken lid")
    draft_id = add_draft(db)
    assign(db, "ticket", str(ticket_id), actor="boss", assignee_id=li, due_at=MONDAY_NOON)
    assign(
        db, "draft", str(draft_id), actor="boss", assignee_id=li, due_at=MONDAY_NOON + dt.timedelta(days=2)
    )
    assign(db, "alert", "low-stock-7", actor="boss", assignee_id=li)

    box = inbox(db, li, now=MONDAY_NOON + dt.timedelta(hours=1))
    assert [(i.entity_type, i.title, i.link, i.overdue) for i in box.items] == [
        ("ticket", f"#{ticket_id} Broken lid", f"/support/{ticket_id}", True),
        ("draft", "copy.title · product bamboo-board", f"/queue/{draft_id}", False),
        ("alert", "alert low-stock-7", None, False),  # no due date: last
    ]
    assert box.unread == 3
    assert [n.kind for n in box.notifications] == ["assigned"] * 3
    assert box.notifications[0].entity_type == "alert"  # newest first
    assert box.notifications[0].created_at.tzinfo is not None  # serialised with its offset


def test_mark_read_touches_only_the_callers_notifications(db: Database) -> None:
    li = user(db, "li.wei@shop.example")
    ana = user(db, "ana@shop.example")
    for name in ("a", "b", "c"):
        assign(db, "alert", name, actor="boss", assignee_id=li)
    assign(db, "alert", "d", actor="boss", assignee_id=ana)
    first = inbox(db, li).notifications[0].id
    anas = inbox(db, ana).notifications[0].id
    assert mark_read(db, li, [first, anas]) == 1
    assert inbox(db, li).unread == 2
    assert inbox(db, ana).unread == 1
    assert mark_read(db, li, []) == 0
    assert mark_read(db, li) == 2
    assert inbox(db, li).unread == 0
    assert len(inbox(db, li).items) == 3  # reading notifications does not finish the work


# -- comments and mentions -------------------------------------------------------------------------


def test_mention_tokens() -> None:
    body = "Thanks @li.wei, see @ana@shop.example. Mail me at me@shop.example; @li.wei again, @Bob."
    assert mention_tokens(body) == ["li.wei", "ana@shop.example", "bob"]


def test_comment_mentions_notify_known_people_only(db: Database) -> None:
    author = user(db, "boss@shop.example", role="manager")
    li = user(db, "li.wei@shop.example")
    ana = user(db, "ana@shop.example", role="operator")
    user(db, "sam@a.example")
    user(db, "sam@b.example")  # "@sam" is ambiguous: left as text
    ticket_id = ticket(db, subject="Broken lid")
    body = "@li.wei please call; @ana@shop.example FYI. @sam @nobody @boss"
    view = add_comment(db, "ticket", str(ticket_id), author_id=author, author="boss@shop.example", body=body)
    assert view.body == body
    assert view.mentions == [li, ana, author]
    [to_li] = notifications(db, li)
    assert to_li.kind == "mention"
    assert to_li.text == f"boss@shop.example mentioned you on #{ticket_id} Broken lid: {body}"
    assert len(notifications(db, ana)) == 1
    assert notifications(db, author) == []  # mentioning yourself is no news
    [row] = [r for r in audit_trail_of(db, "ticket", ticket_id) if r.action == "comment.add"]
    assert row.after == {"comment_id": view.id, "mentions": [li, ana, author]}

    add_comment(
        db, "ticket", str(ticket_id), author_id=li, author="li.wei@shop.example", body="Called, fixed."
    )
    listed = list_comments(db, "ticket", str(ticket_id))
    assert [c.body for c in listed] == [body, "Called, fixed."]
    assert listed[1].mentions == []


def audit_trail_of(db: Database, entity_type: str, entity_id: int) -> list[models.AuditLog]:
    with db.session() as session:
        return list(
            session.scalars(
                select(models.AuditLog).where(
                    models.AuditLog.entity_type == entity_type, models.AuditLog.entity_id == str(entity_id)
                )
            )
        )


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_comment_body_must_be_1_to_5000_characters(db: Database, body: str) -> None:
    ticket_id = ticket(db)
    with pytest.raises(InputError, match=r"1\.\.5000"):
        add_comment(db, "ticket", str(ticket_id), author_id=None, author="someone", body=body)


def test_comments_on_missing_entities_are_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no draft 77"):
        add_comment(db, "draft", "77", author_id=None, author="someone", body="hello")
    with pytest.raises(NotFoundError):
        list_comments(db, "ticket", "99999999999999")  # beyond any row id: not a database error
