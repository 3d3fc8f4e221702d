"""The copy and drafts commands (typer CliRunner) and routes (FastAPI TestClient) on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from shopops.api.app import create_app
from shopops.auth.accounts import create_user
from shopops.auth.sessions import issue_api_key
from shopops.cli.main import app
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import InputError, NotFoundError
from shopops.llm.fake import FakeLLM
from shopops.store import models
from shopops.store.db import Database, open_database

INVENTED = json.dumps({"title": "Stainless Steel Cutting Board"})
CLEAN = json.dumps({"title": "Moso Bamboo Cutting Board"})


def add_board(db: Database) -> int:
    with db.session() as session:
        product = models.Product(
            handle="bamboo-board",
            title="Bamboo Cutting Board",
            attributes={"material": "Moso bamboo"},
            option_names=["Size"],
        )
        product.variants = [
            models.ProductVariant(variant_key="s", option_values=["Small"], price=Decimal("24.00"))
        ]
        session.add(product)
        session.flush()
        return product.id


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Iterator[tuple[CliRunner, list[str], Database]]:
    db = open_database(db_url)
    args = ["--data-dir", str(tmp_path / "data"), "--database-url", db_url, "--llm-backend", "fake"]
    yield CliRunner(), args, db
    db.dispose()


def test_copy_write_and_the_review_commands(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, db = cli
    product_id = add_board(db)
    written = runner.invoke(
        app, [*args, "copy", "write", "bamboo-board", "--kind", "bullets", "--variants", "2", "--lang", "es"]
    )
    assert written.exit_code == 0, written.output
    assert "variant 1" in written.output and "variant 2" in written.output and "draft #" in written.output
    as_json = runner.invoke(app, [*args, "copy", "write", str(product_id), "--kind", "title", "--json"])
    assert as_json.exit_code == 0, as_json.output
    (result,) = json.loads(as_json.output)
    assert result["kind"] == "title" and result["draft_id"] and "flags" in result["checks"]

    listed = runner.invoke(app, [*args, "drafts", "list", "--kind", "copy.", "--json"])
    page = json.loads(listed.output)
    assert page["total"] == 3 and {d["kind"] for d in page["items"]} == {"copy.bullets", "copy.title"}
    table = runner.invoke(app, [*args, "drafts", "list", "--status", "draft"])
    assert table.exit_code == 0 and "copy.bullets" in table.output

    draft_id = result["draft_id"]
    shown = runner.invoke(app, [*args, "drafts", "show", str(draft_id)])
    assert shown.exit_code == 0 and f"draft #{draft_id}" in shown.output and result["text"] in shown.output

    edited = runner.invoke(
        app, [*args, "drafts", "edit", str(draft_id), "--text", "Moso Bamboo Cutting Board", "--as", "a@x.io"]
    )
    assert edited.exit_code == 0, edited.output
    assert "checks passed" in edited.output
    approved = runner.invoke(app, [*args, "drafts", "approve", str(draft_id), "--as", "a@x.io"])
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.output
    other = page["items"][-1]["id"]
    no_reason = runner.invoke(app, [*args, "drafts", "reject", str(other)])
    assert no_reason.exit_code != 0 and "--reason" in no_reason.output
    rejected = runner.invoke(app, [*args, "drafts", "reject", str(other), "--reason", "too long"])
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    with db.session() as session:
        audit = list(session.scalars(select(models.AuditLog).order_by(models.AuditLog.id)))
    assert [(a.action, a.actor) for a in audit][:2] == [("draft.edit", "a@x.io"), ("draft.approve", "a@x.io")]
    assert audit[2].action == "draft.reject" and audit[2].actor.startswith("cli")


def test_a_blocked_draft_is_refused_on_the_command_line(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, db = cli
    product_id = add_board(db)
    with db.session() as session:
        draft = models.Draft(
            kind="copy.title",
            subject_type="product",
            subject_id=str(product_id),
            content={"text": "Steel board", "fields": {"title": "Steel board"}, "language": "en"},
            checks={
                "flags": [{"kind": "unsupported", "message": "steel is not in the record", "claim": "steel"}],
                "blocking": True,
            },
            author="ai:copy.title",
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    shown = runner.invoke(app, [*args, "drafts", "show", str(draft_id)])
    assert "blocks · unsupported" in shown.output
    refused = runner.invoke(app, [*args, "drafts", "approve", str(draft_id)])
    assert isinstance(refused.exception, InputError) and "cannot be approved" in str(refused.exception)
    forced = runner.invoke(app, [*args, "drafts", "approve", str(draft_id), "--override", "checked by hand"])
    assert forced.exit_code == 0 and "override recorded" in forced.output


def test_voice_and_rules_commands(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, _ = cli
    empty = runner.invoke(app, [*args, "copy", "voice", "show", "--json"])
    assert json.loads(empty.output)["name"] == "default"
    saved = runner.invoke(
        app,
        [
            *args,
            *("copy", "voice", "set", "--tone", "cheerful", "--use", "handmade, local"),
            *("--avoid", "cheap", "--example", "Our apron: soft, sturdy."),
        ],
    )
    assert saved.exit_code == 0, saved.output
    assert "cheerful" in saved.output
    shown = json.loads(runner.invoke(app, [*args, "copy", "voice", "show", "--json"]).output)
    assert shown["words_to_use"] == ["handmade", "local"] and shown["default"] is True
    assert shown["examples"] == ["Our apron: soft, sturdy."]
    assert "default" in runner.invoke(app, [*args, "copy", "voice", "list"]).output

    added = runner.invoke(
        app,
        [
            *args,
            "copy",
            "rules",
            "add",
            "store.no-cheap",
            "cheap",
            "--message",
            "off-brand",
            "--country",
            "us",
        ],
    )
    assert added.exit_code == 0, added.output
    rules = json.loads(runner.invoke(app, [*args, "copy", "rules", "list", "--json"]).output)
    assert [(r["rule_id"], r["country"], r["message"]) for r in rules] == [
        ("store.no-cheap", "US", "off-brand")
    ]
    builtin = json.loads(runner.invoke(app, [*args, "copy", "rules", "list", "--builtin", "--json"]).output)
    assert len(builtin) > len(rules) and builtin[-1]["rule_id"] == "store.no-cheap"
    bad = runner.invoke(app, [*args, "copy", "rules", "add", "store.bad", "([", "--regex"])
    assert isinstance(bad.exception, InputError) and "regular expression" in str(bad.exception)
    assert runner.invoke(app, [*args, "copy", "rules", "remove", "store.no-cheap"]).exit_code == 0


def test_copy_write_rejects_a_bad_request(cli: tuple[CliRunner, list[str], Database]) -> None:
    runner, args, db = cli
    add_board(db)
    bad = runner.invoke(app, [*args, "copy", "write", "bamboo-board", "--lang", "fr"])
    assert isinstance(bad.exception, InputError) and "language" in str(bad.exception)
    missing = runner.invoke(app, [*args, "copy", "write", "no-such-product"])
    assert isinstance(missing.exception, NotFoundError)
    assert "no product with id or handle" in str(missing.exception)


@pytest.fixture
def api(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    context = AppContext(settings.model_copy(update={"copy_max_regenerations": 0}))
    with TestClient(create_app(context=context)) as client:
        yield client, context


def api_key_headers(ctx: AppContext, role: str) -> dict[str, str]:
    user = create_user(ctx.db, f"{role}@test.example", None, role=role)
    return {"Authorization": f"Bearer {issue_api_key(ctx.db, user.id, actor='test')}"}


def test_api_write_review_and_errors(api: tuple[TestClient, AppContext]) -> None:
    client, ctx = api
    add_board(ctx.db)
    operator, manager = api_key_headers(ctx, "operator"), api_key_headers(ctx, "manager")
    client.headers.update(manager)
    fake = ctx.llm.backend
    assert isinstance(fake, FakeLLM)
    fake.add_script(INVENTED, CLEAN)
    response = client.post(
        "/api/copy/write", json={"product": "bamboo-board", "kind": "title", "variants": 2}
    )
    assert response.status_code == 200, response.text
    blocked, clean = response.json()
    assert blocked["checks"]["blocking"] is True and clean["checks"]["blocking"] is False
    assert blocked["draft_id"] and blocked["checks"]["flags"][0]["claim"]

    page = client.get("/api/drafts", params={"kind": "copy.", "status": "draft", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["id"] == clean["draft_id"]
    one = client.get(f"/api/drafts/{blocked['draft_id']}").json()
    assert one["content"]["text"] == "Stainless Steel Cutting Board"

    refused = client.post(f"/api/drafts/{blocked['draft_id']}/approve")
    assert refused.status_code == 422 and refused.json()["type"] == "InputError"
    assert "cannot be approved" in refused.json()["error"]
    edited = client.post(
        f"/api/drafts/{blocked['draft_id']}/edit",
        json={"fields": {"title": "Moso Bamboo Cutting Board"}},
        headers=operator,
    )
    assert edited.status_code == 200 and edited.json()["checks"]["blocking"] is False
    approved = client.post(f"/api/drafts/{blocked['draft_id']}/approve", json={})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    rejected = client.post(f"/api/drafts/{clean['draft_id']}/reject", json={"reason": "prefer the other"})
    assert rejected.json()["status"] == "rejected"
    assert client.post(f"/api/drafts/{clean['draft_id']}/reject", json={}).status_code == 422

    with ctx.db.session() as session:
        rows = session.scalars(
            select(models.AuditLog).where(models.AuditLog.entity_type == "draft").order_by(models.AuditLog.id)
        )
        actors = [a.actor for a in rows]
    assert actors == [
        "operator@test.example",
        "manager@test.example",
        "manager@test.example",
    ]

    exported = client.get("/api/copy/export", headers=operator)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    header, first = exported.text.splitlines()[:2]
    assert header.startswith("Handle,Title,Body (HTML)") and first.startswith(
        "bamboo-board,Moso Bamboo Cutting Board"
    )
    assert exported.headers["x-shopops-products"] == "1"
    assert client.get("/api/copy/export", headers=api_key_headers(ctx, "agent")).status_code == 403

    missing = client.get("/api/drafts/9999")
    assert missing.status_code == 404 and missing.json() == {
        "error": "no draft 9999\n  How to fix: list drafts with `shopops drafts list`",
        "type": "NotFoundError",
    }
    bad = client.post("/api/copy/write", json={"product": "bamboo-board", "language": "fr"})
    assert bad.status_code == 422 and bad.json()["type"] == "InputError"
    unknown = client.post("/api/copy/write", json={"product": "nope"})
    assert unknown.status_code == 404 and unknown.json()["type"] == "NotFoundError"
    assert client.get("/api/drafts", params={"limit": 500}).status_code == 422
