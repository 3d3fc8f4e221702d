"""``POST /api/support/messages`` and ``GET /api/support/gaps``: tickets, drafts, hand-offs, routing,
multi-turn conversations, permissions and admission control (503 + Retry-After)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from shopops.api.admission import Admission, admission_for
from shopops.api.app import create_app
from shopops.context import AppContext
from shopops.errors import OverloadedError
from shopops.ingest.base import ImportOptions
from shopops.ingest.knowledge import KnowledgeImporter
from shopops.llm.fake import FakeLLM
from shopops.store.models import Draft, Team, Ticket

Headers = Callable[[str], dict[str, str]]
FAQ = [
    {"question": "How long does shipping take?", "answer": "Orders arrive in 3-5 business days."},
    {"question": "Do you ship to Canada?", "answer": "Yes, we ship to Canada with UPS in 5-8 business days."},
]


@pytest.fixture
def client(ctx: AppContext, tmp_path) -> Iterator[TestClient]:
    path = tmp_path / "faq.json"
    path.write_text(json.dumps(FAQ), encoding="utf-8")
    from shopops.ingest.base import run_import

    run_import(ctx.db, KnowledgeImporter(), path, ImportOptions())
    with ctx.db.session() as session:
        session.add(Team(name="Everyone", fallback=True))
    with TestClient(create_app(context=ctx), raise_server_exceptions=False) as test_client:
        yield test_client


def fake_llm(ctx: AppContext) -> FakeLLM:
    backend = ctx.llm.backend
    assert isinstance(backend, FakeLLM)
    return backend


def test_a_message_becomes_a_ticket_with_a_cited_draft(
    ctx: AppContext, client: TestClient, auth_headers: Headers
) -> None:
    fake_llm(ctx).add_script(json.dumps({"passage": 1}))
    response = client.post(
        "/api/support/messages",
        json={
            "text": "How long does shipping take?",
            "conversation_id": "hd-1",
            "customer_email": "x@example.com",
        },
        headers=auth_headers("agent"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decision"] == "answer" and body["draft_id"]
    assert body["citations"][0]["passage_id"].startswith("faq.json#")
    with ctx.db.session() as session:
        draft = session.get(Draft, body["draft_id"])
        assert draft is not None and (draft.kind, draft.status, draft.author) == (
            "support.reply",
            "draft",
            "ai:support.reply",
        )
        assert draft.content["citations"] and draft.subject_id == str(body["ticket_id"])
        ticket = session.get(Ticket, body["ticket_id"])
        assert ticket is not None and ticket.external_id == "hd-1" and ticket.triage["intent"] == "shipping"

    # the next message of the same conversation continues the ticket
    again = client.post(
        "/api/support/messages",
        json={"text": "I want to speak to a human agent please", "conversation_id": "hd-1"},
        headers=auth_headers("agent"),
    )
    assert again.status_code == 200, again.text
    second = again.json()
    assert second["ticket_id"] == body["ticket_id"]
    assert second["decision"] == "escalate" and second["handoff"]["reason"] == "human_only_intent"
    assert second["text"]  # the holding message to send now
    assert len(second["handoff"]["asked"]) == 2  # both questions of the conversation
    ticket_view = client.get(f"/api/tickets/{body['ticket_id']}", headers=auth_headers("agent")).json()
    assert ticket_view["status"] == "escalated"
    assert ticket_view["assignment"]["team_id"] is not None  # routed to a queue, not dropped


def test_a_persons_answer_supersedes_the_waiting_ai_draft(
    ctx: AppContext, client: TestClient, auth_headers: Headers
) -> None:
    posted = client.post(
        "/api/support/messages", json={"text": "How long does shipping take?"}, headers=auth_headers("agent")
    ).json()
    assert posted["decision"] == "answer" and posted["draft_id"]
    answered = client.post(
        f"/api/tickets/{posted['ticket_id']}/answer",
        json={"text": "3-5 days."},
        headers=auth_headers("agent"),
    )
    assert answered.status_code == 200, answered.text
    with ctx.db.session() as session:
        ai_draft = session.get(Draft, posted["draft_id"])
        assert ai_draft is not None and ai_draft.status == "rejected"
        assert ai_draft.review_note.startswith("superseded")  # the queue cannot send a second reply


def test_only_support_roles_may_post_messages(client: TestClient, auth_headers: Headers) -> None:
    for role in ("analyst", "operator"):
        denied = client.post("/api/support/messages", json={"text": "hi"}, headers=auth_headers(role))
        assert denied.status_code == 403
    assert client.post("/api/support/messages", json={"text": "hi"}).status_code == 401
    bad = client.post("/api/support/messages", json={"text": ""}, headers=auth_headers("agent"))
    assert bad.status_code == 422


def test_overload_answers_503_with_retry_after(
    ctx: AppContext, client: TestClient, auth_headers: Headers
) -> None:
    gate = admission_for(ctx)
    with gate.slot(), gate.slot(), gate.slot(), gate.slot():  # the default limit is 4
        busy = client.post("/api/support/messages", json={"text": "hi"}, headers=auth_headers("agent"))
    assert busy.status_code == 503
    assert int(busy.headers["Retry-After"]) >= 1
    assert busy.json()["type"] == "OverloadedError"


def test_admission_frees_its_slot_after_an_error() -> None:
    gate = Admission(1, initial_seconds=2.0)
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("boom")
    assert gate.in_flight == 0
    with gate.slot(), pytest.raises(OverloadedError) as caught, gate.slot():
        pass
    assert caught.value.retry_after >= 1


def test_gaps_group_unanswered_questions(ctx: AppContext, client: TestClient, auth_headers: Headers) -> None:
    fake = fake_llm(ctx)
    for number, text in enumerate(
        ["Do you sell gift cards?", "do you sell gift cards for christmas", "Can I buy a gift card?"]
    ):
        fake.add_script(json.dumps({"passage": 0}))
        response = client.post(
            "/api/support/messages",
            json={"text": text, "conversation_id": f"g-{number}"},
            headers=auth_headers("agent"),
        )
        assert response.json()["decision"] == "escalate", response.text
    gaps = client.get("/api/support/gaps?min_count=2", headers=auth_headers("analyst"))
    assert gaps.status_code == 200, gaps.text
    items = gaps.json()["items"]
    assert items and items[0]["count"] >= 2 and "gift card" in items[0]["question"].lower()
