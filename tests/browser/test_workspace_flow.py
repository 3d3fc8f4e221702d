"""The issue's browser scenarios, in headless Debian chromium against a live shopops server.

- an operator signs in, writes a description in the copy studio, sees the unsupported claim
  flagged, edits it clean; a manager approves it and exports the Shopify CSV;
- an analyst cannot approve (no button, and a forged POST is refused);
- a support agent answers a ticket escalated to them (found in the inbox and the support list);
  an analyst sees the answered ticket without the answer form;
- the UI switches to Chinese.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from shopops.auth.accounts import update_user
from shopops.store.models import Draft, Product, Ticket, User
from shopops.workflow.teams import create_team
from shopops.workflow.tickets import escalate_ticket, open_ticket

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

INVENTED = json.dumps(
    {
        "paragraphs": [
            "A solid stainless steel board with a deep juice groove and a 5 litre drip tray, "
            "finished with food-safe mineral oil."
        ]
    }
)
CLEAN = "A solid bamboo board with a deep juice groove, finished with food-safe mineral oil."
ANSWER = "Sorry for the wait: your board left our warehouse yesterday and should arrive within two days."


def sign_in(page: Any, live: LiveServer, role: str) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_test_id("login-email").fill(live.email(role))
    page.get_by_test_id("login-password").fill(live.password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("current-user").wait_for()


def product_id(live: LiveServer, handle: str) -> int:
    with live.ctx.db.session() as session:
        found = session.scalar(select(Product.id).where(Product.handle == handle))
    assert found is not None
    return found


def test_write_flag_edit_approve_and_export(page: Any, browser: Any, live: LiveServer) -> None:
    board = product_id(live, "bamboo-cutting-board")
    sign_in(page, live, "operator")
    assert page.get_by_test_id("current-role").inner_text().lower() == "operator"

    page.goto(f"{live.url}/catalog/{board}")
    page.get_by_test_id("studio-kind").select_option("description")
    live.fake_llm.add_script(INVENTED)
    page.get_by_test_id("studio-submit").click()
    flags = page.get_by_test_id("copy-results").get_by_test_id("flag")
    flags.first.wait_for()
    kinds = [flags.nth(i).get_attribute("data-kind") for i in range(flags.count())]
    assert kinds == ["unsupported", "unsupported"]
    assert "stainless steel" in page.get_by_test_id("copy-results").inner_text()

    page.get_by_test_id("draft-link").first.click()
    page.get_by_test_id("edit-text").wait_for()
    draft_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.get_by_test_id("approve-button").count() == 0  # an operator writes; a manager approves
    page.get_by_test_id("edit-text").fill(CLEAN)
    page.get_by_test_id("edit-button").click()
    page.get_by_test_id("no-flags").wait_for()

    manager = browser.new_context()
    manager_page = manager.new_page()
    sign_in(manager_page, live, "manager")
    manager_page.goto(f"{live.url}/queue/{draft_id}")
    manager_page.get_by_test_id("approve-button").click()
    manager_page.get_by_test_id("audit-trail").wait_for()
    with live.ctx.db.session() as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.status == "approved"
    actions = manager_page.get_by_test_id("audit-row").all_inner_texts()
    assert any("manager@lumen-leaf.test" in row for row in actions)
    assert any("operator@lumen-leaf.test" in row for row in actions)

    manager_page.goto(f"{live.url}/catalog")
    with manager_page.expect_download() as info:
        manager_page.get_by_test_id("export-link").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    exported = [row for row in rows if row["Handle"] == "bamboo-cutting-board" and row["Body (HTML)"]]
    assert exported and CLEAN in exported[0]["Body (HTML)"]
    manager.close()


def test_analyst_cannot_approve(page: Any, live: LiveServer) -> None:
    with live.ctx.db.session() as session:
        draft = Draft(
            kind="copy.title",
            subject_type="product",
            subject_id=str(product_id(live, "bamboo-cutting-board")),
            content={"text": "Bamboo Cutting Board with Juice Groove", "fields": {}},
            checks={"flags": [], "blocking": False},
            author="ai:copy.title",
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    sign_in(page, live, "analyst")
    page.goto(f"{live.url}/queue/{draft_id}")
    page.get_by_test_id("draft-text").wait_for()
    assert page.get_by_test_id("approve-button").count() == 0
    assert page.get_by_test_id("reject-button").count() == 0
    status = page.evaluate(
        """async (id) => {
            const token = document.body.getAttribute('hx-headers');
            const headers = JSON.parse(token || '{}');
            const response = await fetch(`/queue/${id}/approve`, {method: 'POST', headers});
            return response.status;
        }""",
        draft_id,
    )
    assert status == 403
    with live.ctx.db.session() as session:
        assert session.get(Draft, draft_id).status == "draft"  # type: ignore[union-attr]


def test_language_switch_to_chinese(page: Any, live: LiveServer) -> None:
    sign_in(page, live, "manager")
    page.get_by_test_id("lang-zh").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang", timeout=5000) in ("zh", "zh-CN")
    assert "审核" in page.get_by_test_id("nav-queue").inner_text()


def test_agent_answers_an_escalated_ticket(page: Any, browser: Any, live: LiveServer) -> None:
    db = live.ctx.db
    with db.session() as session:
        agent_id = session.scalar(select(User.id).where(User.email == live.email("agent")))
    assert agent_id is not None
    team = create_team(db, actor="test", name="Browser support desk", hours={}, fallback=True)
    update_user(db, agent_id, actor="test", team_id=team.id)
    ticket = open_ticket(
        db,
        subject="Where is my cutting board?",
        body="I ordered a bamboo cutting board last week and it has not arrived yet.",
        customer_email="browser.customer@example.com",
        language="en",
        intent="shipping",
    )
    escalated = escalate_ticket(db, ticket.id, actor="bot", reason="the customer asks for a person")
    assert escalated.status == "escalated"
    assert escalated.assignment is not None and escalated.assignment.assignee_id == agent_id

    sign_in(page, live, "agent")
    page.goto(f"{live.url}/inbox")
    item = page.locator(f'[data-testid="inbox-item"][data-entity="ticket:{ticket.id}"]')
    assert "Where is my cutting board?" in item.inner_text()
    page.goto(f"{live.url}/support")
    row = page.locator(f'[data-testid="ticket-row"][data-ticket-id="{ticket.id}"]')
    assert row.get_by_test_id("ticket-status").get_attribute("data-status") == "escalated"
    row.get_by_test_id("ticket-link").click()
    page.get_by_test_id("answer-form").wait_for()
    page.get_by_test_id("answer-text").fill(ANSWER)
    page.get_by_test_id("answer-submit").click()

    page.get_by_test_id("delivery-result").wait_for()
    assert page.get_by_test_id("delivery-result").get_attribute("data-outcome") == "stored"
    assert page.get_by_test_id("ticket-status").get_attribute("data-status") == "answered"
    agent_messages = page.locator('[data-testid="message"][data-role="agent"]')
    assert agent_messages.count() == 1
    assert ANSWER in agent_messages.first.get_by_test_id("message-body").inner_text()
    with db.session() as session:
        stored = session.get(Ticket, ticket.id)
        assert stored is not None and stored.status == "answered"

    analyst = browser.new_context()
    analyst_page = analyst.new_page()
    sign_in(analyst_page, live, "analyst")
    analyst_page.goto(f"{live.url}/support/{ticket.id}")
    analyst_page.get_by_test_id("messages").wait_for()
    assert analyst_page.get_by_test_id("answer-form").count() == 0
    assert analyst_page.get_by_test_id("ticket-status").get_attribute("data-status") == "answered"
    analyst.close()
