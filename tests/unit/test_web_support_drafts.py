"""The support pipeline on the support pages: triage chips and hand-off badges in the list, the
hand-off panel and AI reply drafts (confidence, citations, policy decision, flags) on a ticket,
"Approve and send" and "Edit before sending", who may do what, and /support/gaps. Tickets are made
the way a helpdesk makes them: ``handle_message`` over a tiny imported knowledge base, with the
fake model scripted. Runs on SQLite and PostgreSQL (the ``settings`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from shopops.api.app import create_app
from shopops.auth.accounts import create_user, list_users
from shopops.auth.sessions import issue_api_key
from shopops.config import Settings
from shopops.context import AppContext
from shopops.ingest import import_file
from shopops.llm.fake import FakeLLM
from shopops.store import models
from shopops.support.service import IncomingMessage, SupportOutcome, handle_message
from shopops.workflow.drafts import get_draft
from shopops.workflow.tickets import get_ticket, list_tickets

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
Web = tuple[TestClient, AppContext]

RETURNS = """# Returns policy

You can return unworn items within 30 days of delivery for a full refund. Start a return by
emailing us your order number.

## Final sale

Items marked final sale cannot be returned or exchanged.
"""
SHIPPING = """# Shipping

Orders leave our warehouse within 2 business days. Tracking numbers arrive by email.
"""
QUESTION = "How many days do I have to return unworn items?"
ANSWER = "You can return unworn items within 30 days of delivery for a full refund."
CHARGEBACK = "My refund never arrived. I will file a chargeback with my bank!"


@pytest.fixture
def web(settings: Settings, tmp_path: Path) -> Iterator[Web]:
    # the hash embedder's similarities are not the e5 model's: a lower threshold for these fakes
    update = {"login_rate_limit": 0, "api_rate_limit": 0, "support_confidence_threshold": 0.3}
    app = create_app(settings.model_copy(update=update))
    with TestClient(app) as client:
        ctx: AppContext = app.state.ctx
        knowledge = tmp_path / "kb"
        knowledge.mkdir()
        (knowledge / "returns.md").write_text(RETURNS, encoding="utf-8")
        (knowledge / "shipping.md").write_text(SHIPPING, encoding="utf-8")
        import_file(ctx.db, "knowledge", knowledge)
        yield client, ctx


def fake_llm(ctx: AppContext) -> FakeLLM:
    backend = ctx.llm.backend
    assert isinstance(backend, FakeLLM)
    return backend


def sign_in(client: TestClient, ctx: AppContext, role: str, *, language: str = "en") -> str:
    """Sign in as ``<role>@web.example`` (created on first use); returns the CSRF token."""
    client.cookies.clear()
    email = f"{role}@web.example"
    if not any(user.email == email for user in list_users(ctx.db)):
        create_user(ctx.db, email, PASSWORD, role=role, name=role.title(), language=language)
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    match = CSRF.search(client.get("/").text)
    assert match
    return match.group(1)


def chargeback(ctx: AppContext) -> SupportOutcome:
    """A human-only message: escalated with a hand-off, no model call."""
    outcome = handle_message(
        ctx, IncomingMessage(text=CHARGEBACK, customer_email="ana@buyer.example"), actor="helpdesk"
    )
    assert outcome.decision == "escalate" and outcome.handoff is not None
    assert outcome.handoff.reason == "human_only_intent" and outcome.draft_id is None
    return outcome


def script_knowledge_answer(ctx: AppContext, answer: str, *, answerable: bool = True) -> None:
    """Script the fake model for one knowledge question in the configured answer style:
    ``generate`` words the answer (ReplyOutput), ``verify`` names the passage that answers
    (VerdictOutput), ``extract`` quotes the best passage without asking the model."""
    style = getattr(ctx.settings, "support_answer_style", "generate")
    if style == "generate":
        sources = [1] if answerable else []
        fake_llm(ctx).add_script(json.dumps({"answerable": answerable, "answer": answer, "sources": sources}))
    elif style == "verify":
        fake_llm(ctx).add_script(json.dumps({"passage": 1 if answerable else 0}))


def answered_by_ai(ctx: AppContext, text: str = QUESTION, answer: str = ANSWER) -> SupportOutcome:
    """A question the knowledge base answers: an AI reply draft with its citation, waiting."""
    script_knowledge_answer(ctx, answer)
    outcome = handle_message(
        ctx, IncomingMessage(text=text, customer_email="mia@buyer.example"), actor="helpdesk"
    )
    assert outcome.decision == "answer" and outcome.draft_id is not None, outcome
    assert outcome.citations and outcome.text
    return outcome


def unanswerable(ctx: AppContext, text: str) -> SupportOutcome:
    """A question the knowledge base does not answer: escalated as ``no_knowledge``, with the
    low-confidence suggestion stored as a draft."""
    script_knowledge_answer(ctx, "The passages do not say.", answerable=False)
    outcome = handle_message(ctx, IncomingMessage(text=text), actor="helpdesk")
    assert outcome.decision == "escalate" and outcome.handoff is not None, outcome
    assert outcome.handoff.reason == "no_knowledge", outcome.handoff
    assert outcome.draft_id is not None
    return outcome


def row_of(page: str, ticket_id: int) -> str:
    start = page.index(f'data-testid="ticket-row" data-ticket-id="{ticket_id}"')
    return page[start : page.index("</tr>", start)]


def test_list_shows_triage_the_hand_off_reason_and_waiting_drafts(web: Web) -> None:
    client, ctx = web
    escalated = chargeback(ctx)
    drafted = answered_by_ai(ctx)
    sign_in(client, ctx, "agent")
    listing = client.get("/support")
    assert listing.status_code == 200 and 'href="/support/gaps" data-testid="gaps-link"' in listing.text
    row = row_of(listing.text, escalated.ticket_id)
    assert 'data-testid="handoff-badge" data-reason="human_only_intent"' in row
    assert "Escalated: a topic only people handle" in row
    assert f'data-testid="chip-sentiment" data-value="{escalated.triage.sentiment}"' in row
    assert f'data-testid="chip-urgency" data-value="{escalated.triage.urgency}"' in row
    assert f'data-intent="{escalated.triage.intent}"' in row and 'data-testid="ai-draft-waiting"' not in row
    row = row_of(listing.text, drafted.ticket_id)
    assert 'data-testid="ai-draft-waiting" data-count="1"' in row and "AI draft waiting (1)" in row
    assert 'data-testid="handoff-badge"' not in row
    # the filters still narrow the list, on the intent triage set
    only = client.get(f"/support?intent={escalated.triage.intent}&status=escalated").text
    assert only.count('data-testid="ticket-row"') == 1 and row_of(only, escalated.ticket_id)
    assert 'data-testid="ticket-row"' not in client.get("/support?status=answered").text


def test_the_list_stays_two_statements_however_many_drafts(web: Web) -> None:
    _client, ctx = web
    chargeback(ctx)
    answered_by_ai(ctx)
    answered_by_ai(ctx, "Do final sale items get returned?", "Items marked final sale cannot be returned.")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", count)
    try:
        page = list_tickets(ctx.db, limit=25)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements  # the total, and one query for the whole page
    assert [view.ai_drafts_waiting for view in page.items] == [1, 1, 0]
    assert page.items[2].handoff["reason"] == "human_only_intent" and page.items[0].triage["intent"]


def test_ticket_page_shows_the_hand_off_panel(web: Web) -> None:
    client, ctx = web
    outcome = chargeback(ctx)
    handoff = outcome.handoff
    assert handoff is not None
    sign_in(client, ctx, "agent")
    page = client.get(f"/support/{outcome.ticket_id}").text
    panel = page[
        page.index('data-testid="handoff"') : page.index("</section>", page.index('data-testid="handoff"'))
    ]
    assert 'data-testid="handoff-reason" data-reason="human_only_intent"' in panel
    assert "a topic only people handle" in panel and handoff.detail in panel
    assert 'data-testid="handoff-next-step"' in panel and _html(handoff.next_step) in panel
    assert _html(handoff.summary) in panel
    for asked in handoff.asked:
        assert _html(asked) in panel
    for tried in handoff.tried:
        assert _html(tried) in panel
    assert f'data-testid="handoff-confidence">{round(handoff.confidence * 100)}%<' in panel
    assert page.index('data-testid="handoff"') < page.index('data-testid="messages"')  # at the top
    assert 'data-testid="ai-drafts"' not in page  # nothing drafted for a human-only topic


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def test_approve_and_send_delivers_the_ai_draft(web: Web) -> None:
    client, ctx = web
    outcome = answered_by_ai(ctx)
    draft_id = outcome.draft_id
    token = sign_in(client, ctx, "agent")
    page = client.get(f"/support/{outcome.ticket_id}").text
    assert f'data-testid="ai-draft" data-draft-id="{draft_id}" data-decision="answer"' in page
    assert _html(outcome.text) in page and f"Confidence {round(outcome.confidence * 100)}%" in page
    for citation in outcome.citations:
        assert f'data-testid="citation" data-passage-id="{citation.passage_id}"' in page
        assert _html(citation.title) in page and _html(citation.quote) in page
    assert 'data-testid="no-flags"' in page and 'data-testid="ai-approve"' in page
    assert f'href="/support/{outcome.ticket_id}?edit={draft_id}#answer-form"' in page

    sent = client.post(
        f"/support/{outcome.ticket_id}/drafts/{draft_id}/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/support/{outcome.ticket_id}?reply={draft_id}#delivery"
    shown = client.get(sent.headers["location"]).text
    assert 'data-testid="delivery-result" data-outcome="stored"' in shown
    assert 'data-testid="ticket-status" data-status="answered"' in shown
    assert 'data-testid="ai-drafts"' not in shown  # nothing waits any more
    detail = get_ticket(ctx.db, outcome.ticket_id)
    assert detail.status == "answered" and detail.ai_drafts_waiting == 0
    assert [m.body for m in detail.messages if m.role == "agent"] == [outcome.text]
    approved = get_draft(ctx.db, draft_id)  # type: ignore[arg-type]
    assert approved.status == "approved" and approved.reviewer_id is not None

    again = client.post(f"/support/{outcome.ticket_id}/drafts/{draft_id}/approve", data={"csrf_token": token})
    assert again.status_code == 422 and "already approved" in again.text
    assert 'data-testid="action-error"' in again.text


def test_edit_before_sending_answers_and_closes_the_ai_draft(web: Web) -> None:
    client, ctx = web
    outcome = answered_by_ai(ctx)
    draft_id = outcome.draft_id
    token = sign_in(client, ctx, "agent")
    editing = client.get(f"/support/{outcome.ticket_id}?edit={draft_id}").text
    assert f'data-testid="editing-draft" data-draft-id="{draft_id}"' in editing
    assert f'<input type="hidden" name="replaces" value="{draft_id}">' in editing
    assert f'data-testid="answer-text">{_html(outcome.text)}</textarea>' in editing
    plain = client.get(f"/support/{outcome.ticket_id}?edit=999999").text  # not one of its drafts
    assert 'name="replaces"' not in plain and 'data-testid="answer-text"></textarea>' in plain

    edited = outcome.text + " Just email us your order number."
    sent = client.post(
        f"/support/{outcome.ticket_id}/answer",
        data={"text": edited, "replaces": str(draft_id), "csrf_token": token},
        follow_redirects=True,
    )
    assert sent.status_code == 200 and 'data-outcome="stored"' in sent.text
    detail = get_ticket(ctx.db, outcome.ticket_id)
    assert detail.status == "answered"
    assert [m.body for m in detail.messages if m.role == "agent"] == [edited]
    replaced = get_draft(ctx.db, draft_id)  # type: ignore[arg-type]
    assert replaced.status == "rejected" and replaced.review_note.startswith("edited before sending")
    mine = detail.replies[0]
    assert mine.author == "agent@web.example" and mine.status == "approved" and mine.content["text"] == edited


def test_roles_that_may_not_decide_see_the_draft_without_actions(web: Web) -> None:
    client, ctx = web
    outcome = answered_by_ai(ctx)
    for role in ("analyst", "operator"):
        token = sign_in(client, ctx, role)
        page = client.get(f"/support/{outcome.ticket_id}").text
        assert 'data-testid="ai-draft"' in page and 'data-testid="citation"' in page
        for hook in ("ai-approve", "ai-edit", "answer-form"):
            assert f'data-testid="{hook}"' not in page, (role, hook)
        refused = client.post(
            f"/support/{outcome.ticket_id}/drafts/{outcome.draft_id}/approve", data={"csrf_token": token}
        )
        assert refused.status_code == 403 and "drafts.decide" in refused.text
    assert get_draft(ctx.db, outcome.draft_id).status == "draft"  # type: ignore[arg-type]


def test_approve_refuses_drafts_of_other_tickets_and_closed_tickets(web: Web) -> None:
    client, ctx = web
    first = answered_by_ai(ctx)
    other = chargeback(ctx)
    token = sign_in(client, ctx, "manager")
    wrong = client.post(
        f"/support/{other.ticket_id}/drafts/{first.draft_id}/approve", data={"csrf_token": token}
    )
    assert wrong.status_code == 422 and f"not a reply to ticket {other.ticket_id}" in wrong.text
    assert (
        client.post(
            f"/support/{other.ticket_id}/drafts/999999/approve", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/support/999999/drafts/{first.draft_id}/approve", data={"csrf_token": token}
        ).status_code
        == 404
    )
    with ctx.db.session() as session:
        ticket = session.get(models.Ticket, first.ticket_id)
        assert ticket is not None
        ticket.status = "closed"
    closed = client.post(
        f"/support/{first.ticket_id}/drafts/{first.draft_id}/approve", data={"csrf_token": token}
    )
    assert closed.status_code == 422 and "is closed" in closed.text
    assert 'data-testid="ai-approve"' not in closed.text
    assert get_draft(ctx.db, first.draft_id).status == "draft"  # type: ignore[arg-type]


def test_a_suggestion_on_an_escalated_ticket_and_a_policy_decision(web: Web) -> None:
    client, ctx = web
    gift = unanswerable(ctx, "Do you offer gift wrapping for birthday orders?")
    with ctx.db.session() as session:
        customer = models.Customer(external_id="c-9", email="leo@buyer.example", name="Leo")
        session.add(customer)
        session.flush()
        delivered = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=5)
        session.add(
            models.Order(
                order_number="#2001",
                customer_id=customer.id,
                status="fulfilled",
                financial_status="paid",
                total=Decimal("39.00"),
                placed_at=delivered - dt.timedelta(days=4),
                shipped_at=delivered - dt.timedelta(days=3),
                delivered_at=delivered,
            )
        )
    fake_llm(ctx).add_script(
        json.dumps(
            {
                "answerable": True,
                "answer": "Yes, you can return it within 30 days of delivery.",
                "sources": [1],
            }
        )
    )
    returned = handle_message(
        ctx,
        IncomingMessage(
            text="I want to return my order #2001, it is unused.", customer_email="leo@buyer.example"
        ),
        actor="helpdesk",
    )
    sign_in(client, ctx, "agent")
    page = client.get(f"/support/{gift.ticket_id}").text
    assert 'data-testid="handoff-reason" data-reason="no_knowledge"' in page
    assert 'data-decision="escalate"' in page and 'data-testid="ai-suggestion"' in page
    assert gift.draft_id is not None
    suggestion = get_draft(ctx.db, gift.draft_id).content["text"]
    assert f'data-testid="ai-draft-text">{_html(suggestion)}</pre>' in page
    page = client.get(f"/support/{returned.ticket_id}").text
    draft = get_draft(ctx.db, returned.draft_id) if returned.draft_id else None  # type: ignore[arg-type]
    assert draft is not None and draft.content["policy"], returned
    policy = draft.content["policy"]
    allowed = "true" if policy["allowed"] else "false"
    assert f'data-testid="ai-policy" data-topic="{policy["topic"]}" data-allowed="{allowed}"' in page
    assert _html(policy["explanation"]) in page and _html(policy["rule"]) in page


def test_gaps_page_groups_unanswered_questions(web: Web) -> None:
    client, ctx = web
    first = unanswerable(ctx, "Do you offer gift wrapping for birthday presents?")
    second = unanswerable(ctx, "Do you offer gift wrapping for presents?")
    chargeback(ctx)  # a hand-off for another reason is no knowledge gap
    token = sign_in(client, ctx, "agent")
    client.post(
        f"/support/{first.ticket_id}/answer",
        data={"text": "Yes: gift wrapping is free, tick the box at checkout.", "csrf_token": token},
    )
    sign_in(client, ctx, "analyst")  # read is enough
    page = client.get("/support/gaps")
    assert page.status_code == 200 and page.text.count('data-testid="gap"') == 1
    assert 'data-testid="gap" data-count="2"' in page.text and "Asked by 2 customer(s)" in page.text
    assert page.text.count('data-testid="gap-example"') == 2 and "gift wrapping" in page.text
    for ticket_id in (first.ticket_id, second.ticket_id):
        assert f'href="/support/{ticket_id}" data-testid="gap-ticket"' in page.text
    assert 'data-testid="gap-answer">Yes: gift wrapping is free, tick the box at checkout.<' in page.text
    fewer = client.get("/support/gaps?min_count=3").text
    assert (
        'data-testid="gap"' not in fewer
        and 'data-testid="gaps-empty"' in fewer
        and "at least 3 times" in fewer
    )
    assert client.get("/support/gaps?min_count=0").status_code == 422
    sign_in(client, ctx, "manager", language="zh")
    chinese = client.get("/support/gaps").text
    for label in ("建议新增的常见问题", "2 位客户问过", "客户的原话", "同事的回复"):
        assert label in chinese, label


def test_chinese_labels_and_the_api_view(web: Web) -> None:
    client, ctx = web
    escalated = chargeback(ctx)
    drafted = answered_by_ai(ctx)
    sign_in(client, ctx, "agent", language="zh")
    listing = client.get("/support").text
    for label in (
        "已升级：仅限人工处理的问题",
        "AI 草稿待审核（1）",
        "建议新增的常见问题",
        "情绪：",
        "紧急度：",
    ):
        assert label in listing, label
    assert "已转交人工" in client.get(f"/support/{escalated.ticket_id}").text
    page = client.get(f"/support/{drafted.ticket_id}").text
    for label in ("待审核的 AI 回复草稿", "引用来源", "批准并发送", "编辑后发送", "置信度"):
        assert label in page, label

    with ctx.db.session() as session:
        agent_id = session.scalar(select(models.User.id).where(models.User.email == "agent@web.example"))
    assert agent_id is not None
    headers = {"Authorization": f"Bearer {issue_api_key(ctx.db, agent_id, actor='test')}"}
    client.cookies.clear()
    shown = client.get(f"/api/tickets/{escalated.ticket_id}", headers=headers).json()
    assert shown["handoff"]["reason"] == "human_only_intent" and shown["handoff"]["next_step"]
    assert shown["triage"]["intent"] == escalated.triage.intent and shown["ai_drafts_waiting"] == 0
    listed = client.get("/api/tickets", headers=headers).json()["items"]
    assert {item["id"]: item["ai_drafts_waiting"] for item in listed} == {
        drafted.ticket_id: 1,
        escalated.ticket_id: 0,
    }
