"""The copy studio, the review queue and a draft's page in the web workspace, signed in through
the form with the fake model scripted: a flagged claim shows with its evidence, roles see only
their buttons and the server refuses the rest, bulk approval reports what it skipped, and the
Shopify export downloads approved copy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.auth.accounts import create_user, list_users
from shopops.config import Settings
from shopops.context import AppContext
from shopops.llm.fake import FakeLLM
from shopops.store import models
from shopops.workflow.drafts import get_draft, list_drafts

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
INVENTED = json.dumps({"title": "Stainless Steel Cutting Board"})
CLEAN = json.dumps({"title": "Moso Bamboo Cutting Board"})


@pytest.fixture
def web(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    overrides = {"login_rate_limit": 0, "api_rate_limit": 0, "copy_max_regenerations": 0}
    app = create_app(settings.model_copy(update=overrides))
    with TestClient(app) as client:
        yield client, app.state.ctx


def add_board(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        product = models.Product(
            handle="bamboo-board",
            title="Bamboo Cutting Board",
            attributes={"material": "Moso bamboo"},
            option_names=["Size"],
        )
        product.variants = [
            models.ProductVariant(
                variant_key="s", sku="BB-S", option_values=["Small"], price=Decimal("24.00")
            )
        ]
        session.add(product)
        session.flush()
        return product.id


def sign_in(client: TestClient, ctx: AppContext, role: str) -> str:
    client.cookies.clear()
    email = f"{role}@web.example"
    if not any(user.email == email for user in list_users(ctx.db)):
        create_user(ctx.db, email, PASSWORD, role=role, name=role.title())
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    match = CSRF.search(client.get("/").text)
    assert match
    return match.group(1)


def fake(ctx: AppContext) -> FakeLLM:
    backend = ctx.llm.backend  # type: ignore[attr-defined]
    assert isinstance(backend, FakeLLM)
    return backend


def write_title(client: TestClient, ctx: AppContext, product_id: int, token: str, *texts: str) -> str:
    fake(ctx).add_script(*texts)
    response = client.post(
        f"/catalog/{product_id}/copy",
        data={"kind": "title", "language": "en", "variants": str(len(texts)), "length": "short"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    return response.text


def test_copy_studio_writes_a_flagged_draft_that_shows_in_the_queue(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    product_id = add_board(ctx)
    token = sign_in(client, ctx, "operator")
    page = client.get(f"/catalog/{product_id}")
    assert page.status_code == 200 and "Moso bamboo" in page.text
    assert 'data-testid="studio-submit"' in page.text and 'hx-indicator="#studio-indicator"' in page.text
    assert 'aria-live="polite"' in page.text

    fragment = write_title(client, ctx, product_id, token, INVENTED)
    assert "<html" not in fragment  # an htmx fragment, not a page
    assert 'data-testid="flag"' in fragment and "Stainless Steel" in fragment
    (draft,) = list_drafts(ctx.db, kind="copy.title").items
    assert draft.blocking_flags and f'href="/queue/{draft.id}"' in fragment

    shown = client.get(f"/queue/{draft.id}")
    assert shown.status_code == 200
    flags = re.findall(r'data-testid="flag" data-kind="([a-z_]+)"', shown.text)
    assert flags and set(flags) <= {"unsupported", "contradicted"}
    claim = draft.blocking_flags[0]
    assert f'data-testid="flag-claim">{claim.claim}<' in shown.text
    if claim.field:
        assert f"<code>{claim.field}</code>" in shown.text
    # an operator edits copy but does not decide it
    assert 'data-testid="edit-text"' in shown.text and 'data-testid="regenerate-button"' in shown.text
    assert 'data-testid="approve-button"' not in shown.text
    queue = client.get("/queue?kind=copy.")
    assert f'data-draft-id="{draft.id}"' in queue.text and 'data-testid="blocking-count">' in queue.text
    assert 'data-testid="bulk-approve"' not in queue.text

    # non-htmx posts answer with the whole page
    fake(ctx).add_script(CLEAN)
    full = client.post(f"/catalog/{product_id}/copy", data={"kind": "title", "csrf_token": token})
    assert full.status_code == 200 and "<html" in full.text and 'data-testid="copy-result"' in full.text
    bad = client.post(f"/catalog/{product_id}/copy", data={"language": "fr", "csrf_token": token})
    assert bad.status_code == 422 and "invalid copy request" in bad.text


def test_review_actions_by_role(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    product_id = add_board(ctx)
    token = sign_in(client, ctx, "operator")
    write_title(client, ctx, product_id, token, INVENTED, CLEAN)
    blocked, clean = sorted(list_drafts(ctx.db, kind="copy.").items, key=lambda d: len(d.blocking_flags))[
        ::-1
    ]
    assert blocked.blocking_flags and not clean.blocking_flags

    analyst = sign_in(client, ctx, "analyst")
    page = client.get(f"/queue/{clean.id}").text
    assert 'data-testid="approve-button"' not in page and 'data-testid="edit-text"' not in page
    refused = client.post(f"/queue/{clean.id}/approve", data={"csrf_token": analyst})
    assert refused.status_code == 403 and 'data-testid="needed-roles"' in refused.text
    assert (
        client.post(f"/queue/{clean.id}/edit", data={"text": "x", "csrf_token": analyst}).status_code == 403
    )
    assert get_draft(ctx.db, clean.id).status == "draft"

    agent = sign_in(client, ctx, "agent")  # decides support replies, not copy
    assert 'data-testid="approve-button"' not in client.get(f"/queue/{clean.id}").text
    assert client.post(f"/queue/{clean.id}/approve", data={"csrf_token": agent}).status_code == 403

    manager = sign_in(client, ctx, "manager")
    page = client.get(f"/queue/{blocked.id}").text
    assert 'data-testid="approve-button"' in page and 'data-testid="override-reason"' in page
    assert 'data-testid="reject-button"' in page
    no_csrf = client.post(f"/queue/{blocked.id}/approve", data={})
    assert no_csrf.status_code == 403
    still_blocked = client.post(f"/queue/{blocked.id}/approve", data={"csrf_token": manager})
    assert still_blocked.status_code == 422 and 'data-testid="action-error"' in still_blocked.text
    edited = client.post(
        f"/queue/{blocked.id}/edit",
        data={"text": "Moso Bamboo Cutting Board", "csrf_token": manager},
        follow_redirects=False,
    )
    assert edited.status_code == 303 and edited.headers["location"] == f"/queue/{blocked.id}"
    assert not get_draft(ctx.db, blocked.id).blocking_flags
    approved = client.post(f"/queue/{blocked.id}/approve", data={"csrf_token": manager})
    assert approved.status_code == 200 and get_draft(ctx.db, blocked.id).status == "approved"
    assert 'data-testid="approve-button"' not in approved.text  # decided: no more actions
    trail = re.findall(r'data-testid="audit-row"', approved.text)
    assert len(trail) == 2 and "manager@web.example" in approved.text

    no_reason = client.post(f"/queue/{clean.id}/reject", data={"reason": " ", "csrf_token": manager})
    assert no_reason.status_code == 422
    client.post(f"/queue/{clean.id}/reject", data={"reason": "prefer the other", "csrf_token": manager})
    assert get_draft(ctx.db, clean.id).status == "rejected"

    exported = client.get("/catalog/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert "bamboo-board,Moso Bamboo Cutting Board" in exported.text
    sign_in(client, ctx, "agent")
    assert client.get("/catalog/export").status_code == 403
    assert 'data-testid="export-link"' not in client.get("/catalog").text


def test_bulk_approve_reports_skipped_and_regenerate(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    product_id = add_board(ctx)
    token = sign_in(client, ctx, "manager")
    write_title(client, ctx, product_id, token, INVENTED, CLEAN, CLEAN)
    drafts = list_drafts(ctx.db, kind="copy.").items
    blocked = next(d for d in drafts if d.blocking_flags)
    queue = client.get("/queue")
    assert 'data-testid="bulk-approve"' in queue.text and 'data-testid="select-draft"' in queue.text
    result = client.post(
        "/queue/bulk-approve",
        data={"ids": [str(d.id) for d in drafts], "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert result.status_code == 200 and "<html" not in result.text
    assert len(re.findall(r'data-testid="bulk-approved"', result.text)) == 2
    skipped = re.findall(r'data-testid="bulk-skipped">(.*?)</li>', result.text)
    assert len(skipped) == 1 and "blocking flags" in skipped[0]
    assert "Select drafts" in client.post("/queue/bulk-approve", data={"csrf_token": token}).text

    fake(ctx).add_script(CLEAN)
    regenerated = client.post(
        f"/queue/{blocked.id}/regenerate",
        data={"note": "bamboo only", "csrf_token": token},
        follow_redirects=False,
    )
    assert regenerated.status_code == 303
    new_id = int(regenerated.headers["location"].rsplit("/", 1)[1])
    assert new_id != blocked.id and get_draft(ctx.db, blocked.id).status == "rejected"
    assert "Moso Bamboo Cutting Board" in client.get(f"/queue/{new_id}").text
    filtered = client.get("/queue?status=rejected&kind=copy.&subject=product")
    assert f'data-draft-id="{blocked.id}"' in filtered.text
    assert client.get("/queue/999999").status_code == 404
    assert client.get(f"/queue/{2**40}").status_code == 422
