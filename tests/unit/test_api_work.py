"""The team workspace routes through FastAPI's TestClient: tickets, assignments, comments, the inbox
and teams, with each role's API key (``auth_headers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.context import AppContext
from shopops.store.models import Draft

Headers = Callable[[str], dict[str, str]]
WEEKDAYS = {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=ctx), raise_server_exceptions=False) as test_client:
        yield test_client


def open_ticket(client: TestClient, auth_headers: Headers, **fields: str) -> int:
    body = {"subject": "Lid broke", "body": "The lid broke.", "intent": "damage", "language": "en", **fields}
    response = client.post("/api/tickets", json=body, headers=auth_headers("agent"))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def user_id(client: TestClient, headers: dict[str, str]) -> int:
    """The caller's id, through a route every role may use (whoami lives elsewhere)."""
    response = client.post(
        "/api/comments", json={"entity_type": "alert", "entity_id": "whoami", "body": "me"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["author_id"])


def test_answer_needs_support_reply(client: TestClient, auth_headers: Headers) -> None:
    ticket_id = open_ticket(client, auth_headers)
    denied = client.post(
        f"/api/tickets/{ticket_id}/answer", json={"text": "Hi"}, headers=auth_headers("analyst")
    )
    assert denied.status_code == 403
    assert denied.json()["type"] == "PermissionDeniedError"
    assert (
        client.post(
            f"/api/tickets/{ticket_id}/answer", json={"text": "Hi"}, headers=auth_headers("operator")
        ).status_code
        == 403
    )

    answered = client.post(
        f"/api/tickets/{ticket_id}/answer",
        json={"text": "A new lid is on its way."},
        headers=auth_headers("agent"),
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["draft"]["kind"], body["draft"]["status"], body["draft"]["author"]) == (
        "support.reply",
        "approved",
        "agent@test.example",
    )
    assert body["ticket"]["status"] == "answered"
    last = body["ticket"]["messages"][-1]
    assert (last["role"], last["author"], last["body"]) == (
        "agent",
        "agent@test.example",
        "A new lid is on its way.",
    )
    assert body["deliveries"] == []  # no webhook configured


def test_tickets_open_list_read_and_validate(client: TestClient, auth_headers: Headers) -> None:
    denied = client.post("/api/tickets", json={"subject": "x", "body": "y"}, headers=auth_headers("analyst"))
    assert denied.status_code == 403
    first = open_ticket(client, auth_headers)
    second = open_ticket(client, auth_headers, subject="退款", body="请退款", intent="refund", language="zh")

    listed = client.get("/api/tickets", headers=auth_headers("analyst")).json()
    assert (listed["total"], [t["id"] for t in listed["items"]]) == (2, [second, first])
    refunds = client.get("/api/tickets", params={"intent": "refund"}, headers=auth_headers("analyst")).json()
    assert [t["id"] for t in refunds["items"]] == [second]
    detail = client.get(f"/api/tickets/{first}", headers=auth_headers("analyst")).json()
    assert detail["messages"][0]["role"] == "customer"
    assert detail["created_at"].endswith("Z")  # times carry their UTC offset

    h = auth_headers("analyst")
    assert client.get("/api/tickets", params={"status": "lost"}, headers=h).status_code == 422
    assert client.get("/api/tickets", params={"limit": 201}, headers=h).status_code == 422
    assert client.get("/api/tickets/4242", headers=h).status_code == 404
    assert client.get(f"/api/tickets/{2**40}", headers=h).status_code == 422
    a = auth_headers("agent")
    assert client.post("/api/tickets", json={"subject": "", "body": "y"}, headers=a).status_code == 422
    assert (
        client.post("/api/tickets", json={"subject": "x", "body": "y", "extra": 1}, headers=a).status_code
        == 422
    )
    assert client.post("/api/tickets", json={"subject": "x\x00", "body": "y"}, headers=a).status_code == 422
    assert (
        client.post(f"/api/tickets/{first}/answer", json={"text": "x" * 20001}, headers=a).status_code == 422
    )


def test_teams_crud_needs_settings_manage_and_checks_fields(
    client: TestClient, auth_headers: Headers
) -> None:
    m = auth_headers("manager")
    team = {
        "name": "售后",
        "intents": ["refund"],
        "languages": ["zh"],
        "timezone": "Asia/Shanghai",
        "hours": WEEKDAYS,
    }
    assert client.post("/api/teams", json=team, headers=auth_headers("agent")).status_code == 403
    created = client.post("/api/teams", json=team, headers=m)
    assert created.status_code == 201, created.text
    team_id = created.json()["id"]
    assert created.json()["hours"] == WEEKDAYS

    [listed] = client.get("/api/teams", headers=auth_headers("analyst")).json()
    assert (listed["name"], listed["members"]) == ("售后", 0)

    bad_zone = client.post("/api/teams", json={"name": "B", "timezone": "Mars/Base"}, headers=m)
    assert bad_zone.status_code == 422
    assert "unknown time zone 'Mars/Base'" in bad_zone.json()["error"]
    bad_hours = client.post(
        "/api/teams", json={"name": "C", "hours": {"days": [0], "start": "09:00"}}, headers=m
    )
    assert bad_hours.status_code == 422
    assert "hours.end" in bad_hours.json()["error"]
    assert (
        client.post("/api/teams", json={"name": "D", "hours": {"start": "9am"}}, headers=m).status_code == 422
    )
    assert client.post("/api/teams", json=team, headers=m).status_code == 422  # the name is taken

    patched = client.patch(f"/api/teams/{team_id}", json={"hours": {}, "fallback": True}, headers=m)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["hours"], patched.json()["fallback"], patched.json()["intents"]) == (
        {},
        True,
        ["refund"],
    )
    assert (
        client.patch(f"/api/teams/{team_id}", json={"name": "X"}, headers=auth_headers("analyst")).status_code
        == 403
    )
    assert client.delete(f"/api/teams/{team_id}", headers=auth_headers("operator")).status_code == 403
    assert client.delete(f"/api/teams/{team_id}", headers=m).json() == {"id": team_id, "deleted": True}
    assert client.get("/api/teams", headers=m).json() == []
    assert client.delete(f"/api/teams/{team_id}", headers=m).status_code == 404


def test_escalation_routes_to_the_team_and_fills_the_agents_inbox(
    client: TestClient, auth_headers: Headers
) -> None:
    m = auth_headers("manager")
    team = client.post("/api/teams", json={"name": "Damage", "intents": ["damage"]}, headers=m).json()
    agent_id = user_id(client, auth_headers("agent"))
    from shopops.auth.accounts import update_user

    update_user(client.app.state.ctx.db, agent_id, actor="test", team_id=team["id"])  # type: ignore[attr-defined]
    ticket_id = open_ticket(client, auth_headers)
    assert (
        client.post(
            f"/api/tickets/{ticket_id}/escalate", json={"reason": "x"}, headers=auth_headers("analyst")
        ).status_code
        == 403
    )
    escalated = client.post(
        f"/api/tickets/{ticket_id}/escalate", json={"reason": "angry"}, headers=auth_headers("agent")
    )
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["assignment"]["team_name"] == "Damage"
    assert escalated.json()["assigned_to_id"] == agent_id

    box = client.get("/api/inbox", headers=auth_headers("agent")).json()
    [item] = box["items"]
    assert (item["entity_type"], item["title"], item["link"]) == (
        "ticket",
        f"#{ticket_id} Lid broke",
        f"/support/{ticket_id}",
    )
    assert [n["kind"] for n in box["notifications"]] == ["assigned"]
    assert client.post("/api/inbox/read", json={"ids": None}, headers=auth_headers("agent")).json() == {
        "marked": 1
    }
    assert client.get("/api/inbox", headers=auth_headers("agent")).json()["unread"] == 0


def test_assignments_need_work_assign(client: TestClient, auth_headers: Headers) -> None:
    ticket_id = open_ticket(client, auth_headers)
    manager_id = user_id(client, auth_headers("manager"))
    body = {
        "entity_type": "ticket",
        "entity_id": str(ticket_id),
        "assignee_id": manager_id,
        "due_at": "2026-03-03T09:00:00+08:00",
    }
    assert client.post("/api/assignments", json=body, headers=auth_headers("operator")).status_code == 403
    assigned = client.post("/api/assignments", json=body, headers=auth_headers("agent"))
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["assignee_id"], assigned.json()["due_at"]) == (manager_id, "2026-03-03T01:00:00Z")
    assert client.get("/api/inbox", headers=auth_headers("manager")).json()["items"][0]["entity_id"] == str(
        ticket_id
    )

    ref = {"entity_type": "ticket", "entity_id": str(ticket_id)}
    done = client.post("/api/assignments/complete", json=ref, headers=auth_headers("manager"))
    assert done.json()["status"] == "done"
    assert client.get("/api/inbox", headers=auth_headers("manager")).json()["items"] == []

    a = auth_headers("agent")
    assert (
        client.post("/api/assignments", json={**body, "entity_type": "planet"}, headers=a).status_code == 422
    )
    assert (
        client.post(
            "/api/assignments", json={**body, "due_at": "0001-01-01T00:00:00+01:00"}, headers=a
        ).status_code
        == 422
    )
    assert client.post("/api/assignments", json={**body, "entity_id": "999"}, headers=a).status_code == 404
    assert client.post("/api/assignments", json={**body, "assignee_id": 2**31}, headers=a).status_code == 422


def test_comments_and_mentions(client: TestClient, auth_headers: Headers) -> None:
    ticket_id = open_ticket(client, auth_headers)
    agent_id = user_id(client, auth_headers("agent"))
    body = {
        "entity_type": "ticket",
        "entity_id": str(ticket_id),
        "body": "@agent can you call her? cc @nobody",
    }
    assert client.post("/api/comments", json=body, headers=auth_headers("analyst")).status_code == 403
    posted = client.post("/api/comments", json=body, headers=auth_headers("operator"))
    assert posted.status_code == 201, posted.text
    assert posted.json()["mentions"] == [agent_id]

    listed = client.get(
        "/api/comments",
        params={"entity_type": "ticket", "entity_id": str(ticket_id)},
        headers=auth_headers("analyst"),
    )
    assert [c["body"] for c in listed.json()] == [body["body"]]
    [note] = client.get("/api/inbox", headers=auth_headers("agent")).json()["notifications"]
    assert note["kind"] == "mention"
    assert note["text"].startswith(f"operator@test.example mentioned you on #{ticket_id} Lid broke:")
    assert (
        client.post(
            "/api/comments", json={**body, "body": "x" * 5001}, headers=auth_headers("operator")
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/api/comments",
            params={"entity_type": "ticket", "entity_id": "9"},
            headers=auth_headers("analyst"),
        ).status_code
        == 404
    )


def test_approving_an_ai_reply_in_the_queue_delivers_it(
    client: TestClient, auth_headers: Headers, ctx: AppContext
) -> None:
    ticket_id = open_ticket(client, auth_headers)
    with ctx.db.session() as session:
        draft = Draft(
            kind="support.reply",
            subject_type="ticket",
            subject_id=str(ticket_id),
            content={"text": "Sorry about the lid: a replacement is on its way."},
            checks={"flags": [], "blocking": False},
            author="ai:support.reply",
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    assert client.post(f"/api/drafts/{draft_id}/approve", headers=auth_headers("operator")).status_code == 403
    approved = client.post(f"/api/drafts/{draft_id}/approve", headers=auth_headers("agent"))
    assert approved.status_code == 200, approved.text
    ticket = client.get(f"/api/tickets/{ticket_id}", headers=auth_headers("analyst")).json()
    assert ticket["status"] == "answered"
    assert ticket["messages"][-1]["role"] == "agent"
    assert "replacement is on its way" in ticket["messages"][-1]["body"]
