"""Accounts and access: password hashing, sign-in with a cookie and CSRF, API keys, rate limits,
owner-only user management, the last-owner guard, and secrets kept out of the store and errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from shopops.api.app import create_app
from shopops.api.security import SESSION_COOKIE
from shopops.auth.accounts import create_user, update_user
from shopops.auth.passwords import DUMMY_HASH, hash_password, verify_password
from shopops.auth.ratelimit import RateLimiter
from shopops.auth.sessions import KEY_PREFIX, csrf_token
from shopops.context import AppContext
from shopops.errors import InputError

PASSWORD = "correct horse battery staple"
SECRET = "hunter2-do-not-echo-me"


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    return create_app(context=ctx)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def owner(ctx: AppContext) -> int:
    return create_user(ctx.db, "owner@shop.example", PASSWORD, role="owner", name="Olive").id


def _login(client: TestClient, email: str = "owner@shop.example", password: str = PASSWORD) -> str:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


# -- passwords -------------------------------------------------------------------------------------


def test_password_hash_verifies_the_right_password_only() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password("", stored)
    assert hash_password(PASSWORD) != stored  # salted


@pytest.mark.parametrize(
    "stored",
    [None, "", "plain", "bcrypt$1$2$3$c2FsdA==$aGFzaA==", "scrypt$x$8$1$c2FsdA==$aGFzaA==",
     "scrypt$16384$8$1$not base64!$aGFzaA==", "scrypt$16384$8$1", "scrypt$3$8$1$c2FsdA==$aGFzaA=="],
)  # fmt: skip
def test_malformed_hashes_never_verify(stored: str | None) -> None:
    assert verify_password(PASSWORD, stored) is False


def test_weak_and_huge_passwords() -> None:
    with pytest.raises(InputError, match="too short"):
        hash_password("short")
    assert not verify_password("x" * 2000, hash_password(PASSWORD))
    assert not verify_password(PASSWORD, DUMMY_HASH)


# -- sessions and CSRF -----------------------------------------------------------------------------


def test_login_sets_an_httponly_cookie_and_returns_the_csrf_token(client: TestClient, owner: int) -> None:
    response = client.post("/api/auth/login", json={"email": "Owner@Shop.example ", "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "path=/" in cookie.lower()
    body = response.json()
    assert body["user"]["id"] == owner and body["user"]["role"] == "owner"
    token = client.cookies[SESSION_COOKIE]
    assert body["csrf_token"] == csrf_token(token) and token not in response.text
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["user"]["via"] == "session"
    assert me.json()["csrf_token"] == body["csrf_token"]


def test_cookie_post_needs_the_csrf_token(client: TestClient, owner: int) -> None:
    csrf = _login(client)
    refused = client.post("/api/drafts/bulk-approve", json={})
    assert refused.status_code == 403 and refused.json()["type"] == "PermissionDeniedError"
    assert "CSRF" in refused.json()["error"]
    wrong = client.post("/api/drafts/bulk-approve", json={}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    ok = client.post("/api/drafts/bulk-approve", json={"kind": "copy."}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text


def test_logout_ends_the_session(client: TestClient, owner: int) -> None:
    _login(client)
    token = client.cookies[SESSION_COOKIE]
    assert client.post("/api/auth/logout").status_code == 204
    client.cookies.set(SESSION_COOKIE, token)  # a copy of the cookie kept by an attacker
    assert client.get("/api/auth/me").status_code == 401


def test_wrong_password_and_unknown_email_look_the_same(client: TestClient, owner: int) -> None:
    wrong = client.post("/api/auth/login", json={"email": "owner@shop.example", "password": SECRET})
    unknown = client.post("/api/auth/login", json={"email": "nobody@shop.example", "password": SECRET})
    garbage = client.post("/api/auth/login", json={"email": "not an email", "password": SECRET})
    assert wrong.status_code == unknown.status_code == garbage.status_code == 401
    assert wrong.json() == unknown.json() == garbage.json()
    assert wrong.json()["type"] == "AuthenticationError"
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    for response in (wrong, unknown, garbage):
        assert SECRET not in response.text


def test_disabled_user_cannot_sign_in(client: TestClient, ctx: AppContext, owner: int) -> None:
    gone = create_user(ctx.db, "gone@shop.example", PASSWORD, role="analyst")
    disabled = update_user(ctx.db, gone.id, actor="test", active=False)
    assert not disabled.active
    response = client.post("/api/auth/login", json={"email": "gone@shop.example", "password": PASSWORD})
    assert response.status_code == 401 and response.json()["error"].startswith("wrong email or password")


# -- rate limits -----------------------------------------------------------------------------------


def test_login_rate_limit_answers_429_with_retry_after(app: FastAPI, client: TestClient, owner: int) -> None:
    app.state.login_limiter = RateLimiter(3)
    for _ in range(3):
        assert client.post("/api/auth/login", json={"email": "x@y.z", "password": SECRET}).status_code == 401
    limited = client.post("/api/auth/login", json={"email": "owner@shop.example", "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["type"] == "RateLimitError"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_api_rate_limit_is_per_user(
    app: FastAPI, client: TestClient, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    analyst, operator = auth_headers("analyst"), auth_headers("operator")
    app.state.api_limiter = RateLimiter(3)
    for _ in range(3):
        assert client.get("/api/auth/me", headers=analyst).status_code == 200
    limited = client.get("/api/auth/me", headers=analyst)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["type"] == "RateLimitError"
    assert client.get("/api/auth/me", headers=operator).status_code == 200  # someone else's budget


def test_rate_limiter_window_slides() -> None:
    now = [100.0]
    limiter = RateLimiter(2, window_s=60, clock=lambda: now[0])
    limiter.hit("a")
    limiter.hit("a")
    with pytest.raises(Exception, match="too many"):
        limiter.hit("a")
    now[0] += 60.5
    limiter.hit("a")
    RateLimiter(0).hit("a")  # 0 = off


# -- API keys --------------------------------------------------------------------------------------


def test_disabled_users_key_is_refused(
    client: TestClient, ctx: AppContext, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    headers = auth_headers("operator")
    me = client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["user"]["via"] == "api_key"
    update_user(ctx.db, me.json()["user"]["id"], actor="test", active=False)
    refused = client.get("/api/auth/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["type"] == "AuthenticationError"
    assert refused.headers["www-authenticate"] == "Bearer"


def test_x_api_key_header_and_bad_keys(
    client: TestClient, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    key = auth_headers("analyst")["Authorization"].split(" ", 1)[1]
    assert client.get("/api/auth/me", headers={"X-API-Key": key}).status_code == 200
    for bad in (f"{KEY_PREFIX}{SECRET}", SECRET):
        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert SECRET not in response.text


def test_users_api_is_for_owners_only(
    client: TestClient, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    for role in ("manager", "operator", "agent", "analyst"):
        refused = client.get("/api/users", headers=auth_headers(role))
        assert refused.status_code == 403, role
        assert refused.json()["type"] == "PermissionDeniedError"
        assert (
            client.post("/api/users", json={"email": "x@y.z"}, headers=auth_headers(role)).status_code == 403
        )
    listed = client.get("/api/users", headers=auth_headers("owner"))
    assert listed.status_code == 200
    assert {user["role"] for user in listed.json()} == {"manager", "operator", "agent", "analyst", "owner"}


def test_last_active_owner_cannot_be_demoted_or_disabled(
    client: TestClient, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    headers = auth_headers("owner")
    me = client.get("/api/auth/me", headers=headers).json()["user"]["id"]
    for change in ({"role": "manager"}, {"active": False}):
        refused = client.patch(f"/api/users/{me}", json=change, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == "InputError" and "last active owner" in refused.json()["error"]
    assert client.get(f"/api/users/{me}", headers=headers).json()["role"] == "owner"
    other = client.post("/api/users", json={"email": "second@shop.example", "role": "owner"}, headers=headers)
    assert other.status_code == 201, other.text
    demoted = client.patch(f"/api/users/{me}", json={"role": "manager"}, headers=headers)
    assert demoted.status_code == 200 and demoted.json()["role"] == "manager"


def test_api_key_is_shown_once_and_only_its_hash_is_stored(
    client: TestClient, ctx: AppContext, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    headers = auth_headers("owner")
    made = client.post("/api/users", json={"email": "bot@shop.example", "role": "analyst"}, headers=headers)
    user_id = made.json()["id"]
    issued = client.post(f"/api/users/{user_id}/api-key", headers=headers)
    assert issued.status_code == 201
    key = issued.json()["api_key"]
    assert key.startswith(KEY_PREFIX)
    with ctx.db.session() as session:
        row = session.execute(
            text("SELECT * FROM users WHERE id = :id"), {"id": user_id}
        ).mappings().one()  # fmt: skip
    assert row["api_key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["api_key_prefix"] == key[: len(KEY_PREFIX) + 4]
    assert not any(key in str(value) for value in row.values())
    shown = client.get(f"/api/users/{user_id}", headers=headers).json()
    assert shown["api_key_prefix"] == row["api_key_prefix"] and key not in str(shown)
    assert key not in client.get("/api/users", headers=headers).text
    bot = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/auth/me", headers=bot).json()["user"]["email"] == "bot@shop.example"
    again = client.post(f"/api/users/{user_id}/api-key", headers=headers).json()["api_key"]
    assert again != key and client.get("/api/auth/me", headers=bot).status_code == 401  # replaced
    assert client.delete(f"/api/users/{user_id}/api-key", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {again}"}).status_code == 401


def test_no_password_or_key_reaches_the_audit_log_or_errors(
    client: TestClient, ctx: AppContext, auth_headers: Callable[[str], dict[str, str]]
) -> None:
    headers = auth_headers("owner")
    owner_key = headers["Authorization"].split(" ", 1)[1]
    made = client.post(
        "/api/users",
        json={"email": "pw@shop.example", "password": PASSWORD, "role": "agent"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert PASSWORD not in made.text
    user_id = made.json()["id"]
    new_password = f"{SECRET}-longer"
    changed = client.patch(f"/api/users/{user_id}", json={"password": new_password}, headers=headers)
    assert changed.status_code == 200 and new_password not in changed.text
    key = client.post(f"/api/users/{user_id}/api-key", headers=headers).json()["api_key"]
    _login(client, "pw@shop.example", new_password)
    too_short = client.post(
        "/api/users", json={"email": "x@shop.example", "password": "hunter2"}, headers=headers
    )
    assert too_short.status_code == 422 and "hunter2" not in too_short.text
    bad_role = client.patch(f"/api/users/{user_id}", json={"role": SECRET}, headers=headers)
    assert bad_role.status_code == 422 and SECRET not in bad_role.text
    with ctx.db.session() as session:
        audit = [dict(row) for row in session.execute(text("SELECT * FROM audit_log")).mappings()]
        users = [dict(row) for row in session.execute(text("SELECT * FROM users")).mappings()]
    actions = {row["action"] for row in audit}
    assert {"user.create", "user.password", "user.api_key"} <= actions
    dumped = repr(audit) + repr(users)
    for secret in (PASSWORD, new_password, key, owner_key, SECRET):
        assert secret not in dumped
