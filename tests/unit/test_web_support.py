"""The support pages (/support, /support/{id}), the personal inbox (/inbox) and the teams settings
(/settings/teams) with a real signed-in browser session: answering an escalated ticket, what an
analyst may not do, @mentions reaching the mentioned person's inbox, reassignment, team errors, and
the Chinese UI. Runs on SQLite and PostgreSQL (the ``settings`` fixture)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.auth.accounts import create_user, list_users
from shopops.config import Settings
from shopops.context import AppContext
from shopops.store import models
from shopops.web.pages_support import mention_parts, parse_due
from shopops.workflow.entities import link_for as page_link
from shopops.workflow.teams import create_team, list_teams
from shopops.workflow.tickets import escalate_ticket, get_ticket, open_ticket

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
Web = tuple[TestClient, AppContext]


def make_web(settings: Settings, **overrides: object) -> Iterator[Web]:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0, "api_rate_limit": 0, **overrides}))
    with TestClient(app) as client:
        yield client, app.state.ctx


@pytest.fixture
def web(settings: Settings) -> Iterator[Web]:
    yield from make_web(settings)


def sign_in(
    client: TestClient,
    ctx: AppContext,
    role: str,
    *,
    name: str = "",
    team: str | None = None,
    language: str = "en",
) -> str:
    """Sign in as ``<name or role>@web.example`` (created on first use); returns the CSRF token."""
    client.cookies.clear()
    email = f"{name or role}@web.example"
    if not any(user.email == email for user in list_users(ctx.db)):
        create_user(
            ctx.db, email, PASSWORD, role=role, name=(name or role).title(), team=team, language=language
        )
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    match = CSRF.search(client.get("/").text)
    assert match
    return match.group(1)


def user_id(ctx: AppContext, email: str) -> int:
    return next(user.id for user in list_users(ctx.db) if user.email == email)


def add_order(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        customer = models.Customer(external_id="c-1", email="mia@buyer.example", name="Mia Chen")
        session.add(customer)
        session.flush()
        session.add(
            models.Order(
                order_number="#1042",
                customer_id=customer.id,
                status="delivered",
                total=Decimal("49.00"),
                placed_at=dt.datetime(2025, 3, 1, 9, 0),
                delivered_at=dt.datetime(2025, 3, 4, 15, 0),
                carrier="SF Express",
                tracking_number="SF123456789",
            )
        )


def escalated_ticket(ctx: AppContext) -> int:
    """A refund ticket on order #1042, escalated and routed to the Care team (always open)."""
    if not any(team.name == "Care" for team in list_teams(ctx.db)):
        create_team(ctx.db, actor="test", name="Care", intents=["refund"], fallback=True)
    add_order(ctx)
    ticket = open_ticket(
        ctx.db,
        subject="Lid arrived cracked",
        body="The lid of my jar is cracked, can I get a refund?",
        customer_email="mia@buyer.example",
        order_number="#1042",
        intent="refund",
        language="en",
    )
    escalate_ticket(ctx.db, ticket.id, actor="bot", reason="customer asks for a refund")
    return ticket.id


def test_agent_answers_an_escalated_ticket(web: Web) -> None:
    client, ctx = web
    create_team(ctx.db, actor="test", name="Care", intents=["refund"], fallback=True)
    token = sign_in(client, ctx, "agent", team="Care")
    ticket_id = escalated_ticket(ctx)

    listing = client.get("/support?status=escalated&assignee=me")
    assert listing.status_code == 200
    assert f'data-testid="ticket-row" data-ticket-id="{ticket_id}"' in listing.text
    assert 'data-testid="ticket-status" data-status="escalated"' in listing.text
    assert (
        "Lid arrived cracked" in listing.text
        and "mia@buyer.example" in listing.text
        and "Care" in listing.text
    )
    assert 'data-testid="ticket-row"' not in client.get("/support?status=answered").text

    page = client.get(f"/support/{ticket_id}")
    assert page.status_code == 200
    for hook in (
        "answer-text",
        "answer-submit",
        "escalate-form",
        "assign-form",
        "comment-text",
        "comment-submit",
    ):
        assert f'data-testid="{hook}"' in page.text, hook
    assert 'data-testid="order-number">#1042<' in page.text and "SF123456789" in page.text
    assert 'data-testid="order-delivered">2025-03-04<' in page.text and "SF Express" in page.text
    assert "Mia Chen" in page.text and "customer asks for a refund" in page.text
    assert 'data-testid="assignment-assignee">Agent<' in page.text
    assert "router: " in page.text  # routed_by says why

    answered = client.post(
        f"/support/{ticket_id}/answer",
        data={"text": "Sorry about that! A refund is on its way.", "csrf_token": token},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert re.match(rf"/support/{ticket_id}\?reply=\d+#delivery$", answered.headers["location"])
    shown = client.get(answered.headers["location"])
    assert 'data-testid="delivery-result" data-outcome="stored"' in shown.text
    assert 'data-role="agent"' in shown.text and "A refund is on its way." in shown.text
    assert 'data-testid="ticket-status" data-status="answered"' in shown.text
    assert 'data-testid="assignment-status" data-status="done"' in shown.text
    detail = get_ticket(ctx.db, ticket_id)
    assert detail.status == "answered" and detail.replies[0].status == "approved"
    assert detail.assignment is not None and detail.assignment.status == "done"
    assert 'data-testid="inbox-item"' not in client.get("/inbox").text  # the work is done


def test_a_failed_webhook_is_shown_with_its_error(settings: Settings) -> None:
    for client, ctx in make_web(settings, reply_webhook_url="ftp://hooks.example/send"):
        token = sign_in(client, ctx, "agent")
        ticket_id = escalated_ticket(ctx)
        answered = client.post(
            f"/support/{ticket_id}/answer", data={"text": "On its way.", "csrf_token": token}
        )
        assert 'data-outcome="failed"' in answered.text
        assert "must start with http:// or https://" in answered.text
        assert 'data-testid="delivery" data-ok="false"' in answered.text


def test_analyst_sees_the_ticket_but_no_forms_and_is_refused(web: Web) -> None:
    client, ctx = web
    ticket_id = escalated_ticket(ctx)
    token = sign_in(client, ctx, "analyst")
    page = client.get(f"/support/{ticket_id}")
    assert page.status_code == 200 and "Lid arrived cracked" in page.text
    for hook in ("answer-form", "answer-text", "escalate-form", "assign-form", "comment-form"):
        assert f'data-testid="{hook}"' not in page.text, hook
    for action, data in (
        ("answer", {"text": "hello"}),
        ("escalate", {"reason": "why"}),
        ("assign", {"team_id": "1"}),
        ("comment", {"body": "hi"}),
    ):
        refused = client.post(f"/support/{ticket_id}/{action}", data={**data, "csrf_token": token})
        assert refused.status_code == 403, action
        assert "support.reply" in refused.text or "work.assign" in refused.text or "comment" in refused.text
    assert get_ticket(ctx.db, ticket_id).status == "escalated" and not get_ticket(ctx.db, ticket_id).comments
    assert client.get("/support/999999").status_code == 404


def test_a_mention_reaches_the_inbox_and_can_be_marked_read(web: Web) -> None:
    client, ctx = web
    ticket_id = escalated_ticket(ctx)
    sign_in(client, ctx, "agent", name="li.wei")  # exists before the manager mentions them
    token = sign_in(client, ctx, "manager")
    posted = client.post(
        f"/support/{ticket_id}/comment",
        data={"body": "@li.wei can you check the photos?", "csrf_token": token},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].endswith("#comments")
    page = client.get(f"/support/{ticket_id}")
    assert '<mark data-testid="mention">@li.wei</mark>' in page.text and "Notified: Li.Wei" in page.text

    token = sign_in(client, ctx, "agent", name="li.wei")
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    assert 'data-testid="notification" data-kind="mention"' in inbox.text
    assert f'href="/support/{ticket_id}"' in inbox.text and "can you check the photos?" in inbox.text
    cleared = client.post("/inbox/read", data={"csrf_token": token}, follow_redirects=True)
    assert (
        'data-testid="notification"' not in cleared.text
        and 'data-testid="notifications-empty"' in cleared.text
    )


def test_manager_reassigns_with_a_due_date(web: Web) -> None:
    client, ctx = web
    ticket_id = escalated_ticket(ctx)
    create_team(ctx.db, actor="test", name="Night shift", timezone="Asia/Shanghai")
    sign_in(client, ctx, "agent", name="sam")
    create_user(ctx.db, "ana@web.example", None, role="analyst", name="Ana")
    token = sign_in(client, ctx, "manager")
    page = client.get(f"/support/{ticket_id}").text
    assert (
        ">Sam (Agent)<" in page and "ana@web.example" not in page and ">Ana (" not in page
    )  # analysts take no tickets
    team_id = next(m for m in re.findall(r'<option value="(\d+)">Night shift<', page))
    sam = user_id(ctx, "sam@web.example")
    moved = client.post(
        f"/support/{ticket_id}/assign",
        data={"team_id": team_id, "assignee_id": str(sam), "due_at": "2020-01-02T09:30", "csrf_token": token},
        follow_redirects=True,
    )
    assert 'data-testid="assignment-assignee">Sam<' in moved.text
    assert 'data-testid="assignment-team">Night shift<' in moved.text
    assert "2020-01-02 09:30 UTC" in moved.text and 'data-testid="overdue"' in moved.text
    assert 'class="overdue"' in client.get("/support").text
    bad = client.post(f"/support/{ticket_id}/assign", data={"due_at": "next tuesday", "csrf_token": token})
    assert bad.status_code == 422 and 'data-testid="action-error"' in bad.text

    sign_in(client, ctx, "agent", name="sam")
    inbox = client.get("/inbox").text
    assert f'data-testid="inbox-item" data-entity="ticket:{ticket_id}" data-overdue="true"' in inbox
    assert 'data-testid="notification" data-kind="assigned"' in inbox


def test_teams_page_adds_edits_deletes_and_explains_errors(web: Web) -> None:
    client, ctx = web
    token = sign_in(client, ctx, "manager")
    assert 'href="/settings/teams"' in client.get("/settings").text
    added = client.post(
        "/settings/teams",
        data={
            "name": "售后",
            "intents": "refund, return",
            "languages": "zh",
            "timezone": "Asia/Shanghai",
            "days": ["0", "1", "2", "3", "4"],
            "start": "09:00",
            "end": "18:00",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert added.status_code == 200 and 'data-testid="team-row"' in added.text
    assert "refund, return" in added.text and "Asia/Shanghai" in added.text and "09:00–18:00" in added.text

    bad_zone = client.post(
        "/settings/teams", data={"name": "Mars", "timezone": "Mars/Olympus", "csrf_token": token}
    )
    assert bad_zone.status_code == 422
    assert (
        'data-testid="teams-error"' in bad_zone.text
        and "unknown time zone &#39;Mars/Olympus&#39;" in bad_zone.text
    )
    assert 'value="Mars/Olympus"' in bad_zone.text  # the form keeps what was typed
    bad_hours = client.post(
        "/settings/teams", data={"name": "Early", "days": ["0"], "start": "9am", "csrf_token": token}
    )
    assert bad_hours.status_code == 422 and "hours.start must be a time HH:MM" in bad_hours.text

    team_id = int(re.findall(r'data-testid="team-row" data-team-id="(\d+)"', added.text)[0])
    edited = client.post(
        f"/settings/teams/{team_id}",
        data={
            "name": "After-sales",
            "intents": "refund",
            "timezone": "UTC",
            "fallback": "true",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "After-sales" in edited.text and "Always open" in edited.text
    wrong = client.post(
        f"/settings/teams/{team_id}", data={"name": "X", "timezone": "Nowhere", "csrf_token": token}
    )
    assert wrong.status_code == 422 and "unknown time zone" in wrong.text
    gone = client.post(f"/settings/teams/{team_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert 'data-testid="team-row"' not in gone.text and 'data-testid="teams-empty"' in gone.text

    analyst = sign_in(client, ctx, "analyst")
    page = client.get("/settings/teams")
    assert page.status_code == 200 and 'data-testid="team-form"' not in page.text
    refused = client.post("/settings/teams", data={"name": "Sneaky", "csrf_token": analyst})
    assert refused.status_code == 403


def test_chinese_ui_labels_the_support_pages(web: Web) -> None:
    client, ctx = web
    ticket_id = escalated_ticket(ctx)
    sign_in(client, ctx, "agent", language="zh")
    listing = client.get("/support").text
    for label in ("客服", "主题", "客户", "意图", "负责人", "截止时间", "已升级"):
        assert label in listing, label
    page = client.get(f"/support/{ticket_id}").text
    for label in ("对话", "订单号", "运单号", "分派依据", "发送回复", "内部评论"):
        assert label in page, label
    assert "收件箱" in client.get("/inbox").text and "团队" in client.get("/settings/teams").text


def test_list_filters_and_pagination(web: Web) -> None:
    client, ctx = web
    for number in range(27):
        open_ticket(
            ctx.db, subject=f"Question {number}", body="Where is it?", intent="shipping", language="en"
        )
    open_ticket(ctx.db, subject="退货", body="我想退货", intent="return", language="zh")
    sign_in(client, ctx, "analyst")
    first = client.get("/support")
    assert first.text.count('data-testid="ticket-row"') == 25 and 'data-testid="page-next"' in first.text
    assert client.get("/support?page=2").text.count('data-testid="ticket-row"') == 3
    chinese = client.get("/support?language=zh&intent=return&status=open&team=&assignee=")
    assert chinese.text.count('data-testid="ticket-row"') == 1 and "退货" in chinese.text
    assert 'data-testid="empty"' in client.get("/support?assignee=me").text
    assert client.get("/support?status=bogus&team=abc").status_code == 200


def test_helpers() -> None:
    assert mention_parts("hi @li.wei, see @a@b.example.") == [
        ("hi ", False),
        ("@li.wei", True),
        (", see ", False),
        ("@a@b.example", True),
        (".", False),
    ]
    assert parse_due("") is None
    assert parse_due("2025-06-30T17:00") == dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.UTC)
    assert page_link("ticket", "7") == "/support/7" and page_link("draft", "3") == "/queue/3"
    assert page_link("alert", "x") is None
