"""The support inbox in headless chromium: a support agent opens a ticket the assistant handed to a
person and reads why and what to do next; opens a ticket with an AI reply draft, sees the passage
it cites, approves and sends it, and the ticket shows as answered. The AI-draft ticket is also
checked at a phone's width (375 px): nothing wider than the screen, the approve button in reach.

Tickets are made as a helpdesk makes them (``handle_message``), over a small imported knowledge
document, with the fake model scripted for the configured answer style (``generate``: the model
words the answer; ``verify``: it names the passage; ``extract``: the passage is quoted, no model).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopops.ingest import import_file
from shopops.store.models import Ticket
from shopops.support.service import IncomingMessage, handle_message

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

GUIDE = """# Candle care

Trim the wick of a Lumen candle to 5 mm before every burn and let the wax melt to the edge of the
jar on the first burn, about two hours, so it does not tunnel.
"""
QUESTION = "How should I trim the wick of my Lumen candle before a burn?"
ANSWER = (
    "Trim the wick to 5 mm before every burn, and on the first burn let the wax melt to the edge of the jar."
)


def sign_in(page: Any, live: LiveServer, role: str) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_test_id("login-email").fill(live.email(role))
    page.get_by_test_id("login-password").fill(live.password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("current-user").wait_for()


def test_agent_reads_a_hand_off_and_sends_an_ai_draft(page: Any, live: LiveServer, tmp_path: Path) -> None:
    ctx = live.ctx
    guide = tmp_path / "candle-care.md"
    guide.write_text(GUIDE, encoding="utf-8")
    import_file(ctx.db, "knowledge", guide)
    escalated = handle_message(
        ctx,
        IncomingMessage(
            text="You never refunded me. I will file a chargeback with my bank.",
            customer_email="upset.customer@example.com",
        ),
        actor="helpdesk",
    )
    assert escalated.decision == "escalate" and escalated.handoff is not None
    style = getattr(ctx.settings, "support_answer_style", "generate")
    if style == "generate":
        live.fake_llm.add_script(json.dumps({"answerable": True, "answer": ANSWER, "sources": [1]}))
    elif style == "verify":
        live.fake_llm.add_script(json.dumps({"passage": 1}))
    drafted = handle_message(
        ctx, IncomingMessage(text=QUESTION, customer_email="candle.fan@example.com"), actor="helpdesk"
    )
    assert drafted.decision == "answer" and drafted.draft_id is not None, drafted
    assert "5 mm" in drafted.text
    cited = drafted.citations[0]

    sign_in(page, live, "agent")
    page.goto(f"{live.url}/support")
    row = page.locator(f'[data-testid="ticket-row"][data-ticket-id="{escalated.ticket_id}"]')
    assert row.get_by_test_id("handoff-badge").get_attribute("data-reason") == "human_only_intent"
    drafted_row = page.locator(f'[data-testid="ticket-row"][data-ticket-id="{drafted.ticket_id}"]')
    assert drafted_row.get_by_test_id("ai-draft-waiting").is_visible()

    row.get_by_test_id("ticket-link").click()
    page.get_by_test_id("handoff").wait_for()
    assert "a topic only people handle" in page.get_by_test_id("handoff-reason").inner_text()
    assert page.get_by_test_id("handoff-next-step").inner_text().strip() == escalated.handoff.next_step

    page.goto(f"{live.url}/support/{drafted.ticket_id}")
    draft = page.locator(f'[data-testid="ai-draft"][data-draft-id="{drafted.draft_id}"]')
    citation = draft.locator(f'[data-testid="citation"][data-passage-id="{cited.passage_id}"]')
    assert cited.passage_id in citation.get_by_test_id("citation-passage").inner_text()
    assert "5 mm" in citation.get_by_test_id("citation-quote").inner_text()
    assert draft.get_by_test_id("ai-draft-text").inner_text().split() == drafted.text.split()

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    approve = draft.get_by_test_id("ai-approve")
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    approve.click()

    page.get_by_test_id("delivery-result").wait_for()
    assert page.get_by_test_id("ticket-status").get_attribute("data-status") == "answered"
    assert page.get_by_test_id("ai-drafts").count() == 0
    agent_messages = page.locator('[data-testid="message"][data-role="agent"]')
    assert agent_messages.last.get_by_test_id("message-body").inner_text().split() == drafted.text.split()
    with ctx.db.session() as session:
        ticket = session.get(Ticket, drafted.ticket_id)
        assert ticket is not None and ticket.status == "answered"
