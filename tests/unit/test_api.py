"""The API skeleton: health, config, and the one JSON error shape."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, SecretStr
from typer.testing import CliRunner

from shopops import __version__
from shopops.api.app import create_app
from shopops.auth.accounts import create_user
from shopops.auth.sessions import issue_api_key
from shopops.cli import serve_cmd
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import (
    BackendUnavailableError,
    ConfigError,
    InputError,
    JobError,
    NotFoundError,
    ShopopsError,
    StoreError,
    StructuredOutputError,
)
from shopops.store.db import alembic_config

LEAK = "sk-live-do-not-show"


class Signup(BaseModel):
    email: str
    age: int


def failing_router() -> APIRouter:
    """Test-only routes that raise, to exercise the app's error handlers."""
    router = APIRouter(prefix="/test")
    errors: dict[str, ShopopsError] = {
        "not-found": NotFoundError("no product 'x'", hint="list products with GET /api/products"),
        "input": InputError("quantity must be positive"),
        "unavailable": BackendUnavailableError("LLM server at http://h/v1 is down", hint="start it"),
        "config": ConfigError("bad setting"),
        "job": JobError("job already running"),
        "structured": StructuredOutputError("no valid JSON after 3 attempts"),
        "store": StoreError("database is locked"),
    }

    @router.get("/raise/{name}")
    def raise_named(name: str) -> None:
        raise errors[name]

    @router.get("/crash")
    def crash() -> None:
        raise RuntimeError(f"token {LEAK} exploded")

    @router.get("/items")
    def items(limit: int) -> dict[str, int]:
        return {"limit": limit}

    @router.post("/signup")
    def signup(body: Signup) -> dict[str, str]:
        return {"email": body.email}

    return router


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    application = create_app(settings)
    application.include_router(failing_router())
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_health_reports_versions_and_backends(client: TestClient, settings: Settings) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "version": __version__,
        "database": "sqlite" if settings.effective_database_url.startswith("sqlite") else "postgresql",
        "schema_revision": ScriptDirectory.from_config(
            alembic_config(settings.effective_database_url)
        ).get_current_head(),
        "llm_backend": "fake",
        "embed_backend": "hash",
    }


def test_app_holds_its_context_and_closes_it_on_shutdown(settings: Settings) -> None:
    app = create_app(settings)
    ctx = app.state.ctx
    assert isinstance(ctx, AppContext) and ctx.settings is settings
    with TestClient(app) as test_client:
        assert test_client.get("/api/health").status_code == 200
        assert "db" in ctx.__dict__
    assert "db" not in ctx.__dict__  # closed by the lifespan


@pytest.mark.parametrize(
    ("name", "status", "type_name"),
    [
        ("not-found", 404, "NotFoundError"),
        ("input", 422, "InputError"),
        ("unavailable", 503, "BackendUnavailableError"),
        ("config", 400, "ConfigError"),
        ("job", 409, "JobError"),
        ("structured", 502, "StructuredOutputError"),
        ("store", 500, "StoreError"),
    ],
)
def test_shopops_errors_render_json_with_their_status(
    client: TestClient, name: str, status: int, type_name: str
) -> None:
    response = client.get(f"/test/raise/{name}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "type"}
    assert body["type"] == type_name
    assert body["error"]


def test_error_message_includes_how_to_fix(client: TestClient) -> None:
    body = client.get("/test/raise/not-found").json()
    assert body["error"] == "no product 'x'\n  How to fix: list products with GET /api/products"


def test_query_validation_error_is_422_in_the_same_shape(client: TestClient) -> None:
    response = client.get("/test/items", params={"limit": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "InputError"
    assert "query.limit" in body["error"]
    assert set(body) == {"error", "type"}
    assert client.get("/test/items", params={"limit": "3"}).json() == {"limit": 3}


def test_body_validation_error_does_not_echo_the_input(client: TestClient) -> None:
    response = client.post("/test/signup", json={"email": "a@b.c", "age": LEAK})
    assert response.status_code == 422
    assert "body.age" in response.json()["error"]
    assert LEAK not in response.text


def test_unexpected_error_is_500_without_details(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/test/crash")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error", "type": "InternalError"}
    assert LEAK not in response.text and "Traceback" not in response.text
    assert any("/test/crash" in record.getMessage() for record in caplog.records)  # logged server-side


def test_unknown_route_and_wrong_method_use_the_shape(client: TestClient) -> None:
    missing = client.get("/api/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Not Found", "type": "NotFoundError"}
    wrong = client.post("/api/health")
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "HTTPError"
    assert "GET" in wrong.headers["allow"]


def test_config_is_redacted(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'shop.db'}",
        openai_api_key=SecretStr(LEAK),
        openai_base_url="https://shop:pw123@llm.internal/v1",
        llm_backend="fake",
        embed_backend="hash",
    )
    app = create_app(settings)
    user = create_user(app.state.ctx.db, "boss@test.example", None, role="manager")
    key = issue_api_key(app.state.ctx.db, user.id, actor="test")
    with TestClient(app) as client:
        assert client.get("/api/config").status_code == 401
        response = client.get("/api/config", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["openai_api_key"] == "***"
    assert body["openai_base_url"] == "https://shop:***@llm.internal/v1"
    assert body["llm_backend"] == "fake"
    assert LEAK not in response.text and "pw123" not in response.text


def test_create_app_does_no_work_and_store_errors_render(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql://nobody:pw123@127.0.0.1:1/x", llm_backend="fake"
    )
    app = create_app(settings)  # no connection attempted yet
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/health")
    assert response.status_code == 500
    body = response.json()
    assert body["type"] == "StoreError"
    assert "127.0.0.1:1" in body["error"] and "pw123" not in body["error"]


# -- shopops serve ---------------------------------------------------------------------------------


def serve_cli(settings: Settings) -> typer.Typer:
    """A root like shopops.cli.main's (it puts an AppContext on the context) around ``serve``."""
    cli = typer.Typer()

    @cli.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = AppContext(settings)
        ctx.call_on_close(ctx.obj.close)

    cli.command("serve")(serve_cmd.serve)
    return cli


def test_serve_opens_the_store_then_runs_uvicorn(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(app: FastAPI, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})
        assert "db" in app.state.ctx.__dict__  # the store was opened (and migrated) before listening

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(serve_cli(settings), ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8123)
    assert isinstance(calls[0]["app"], FastAPI)
    assert "warning" not in result.output
    assert "http://127.0.0.1:8123/" in result.output
    assert "no accounts yet" in result.output and "shopops users create" in result.output


def test_serve_warns_when_listening_beyond_loopback(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: None)
    result = CliRunner().invoke(serve_cli(settings), ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "beyond this machine" in result.output and "SHOPOPS_COOKIE_SECURE" in result.output


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
     ("192.168.1.5", False), ("shop.example.com", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve_cmd.is_loopback(host) is loopback


def test_serve_with_workers_hands_the_flags_to_worker_processes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append((app, kwargs)))
    for name in serve_cmd.WORKER_SETTINGS:  # set then unset: monkeypatch restores "absent" after
        monkeypatch.setenv(f"SHOPOPS_{name.upper()}", "placeholder")
        monkeypatch.delenv(f"SHOPOPS_{name.upper()}")
    result = CliRunner().invoke(serve_cli(settings), ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    app, kwargs = calls[0]
    assert app == "shopops.api.app:create_app" and kwargs["factory"] is True and kwargs["workers"] == 2
    assert os.environ["SHOPOPS_DATABASE_URL"] == settings.database_url
    assert os.environ["SHOPOPS_LLM_BACKEND"] == "fake"
