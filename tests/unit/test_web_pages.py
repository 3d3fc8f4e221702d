"""The web workspace (shopops.web) with a real signed-in browser session: sign-in and out, the
redirect to /login, every page for a read-only role, CSRF on forms, 403 pages, the language switch,
and the settings forms. Runs on SQLite and PostgreSQL (the ``settings`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.auth.accounts import create_user, list_users
from shopops.config import Settings
from shopops.context import AppContext
from shopops.web.i18n import CATALOGUE, MESSAGES
from shopops.web.pages_auth import safe_next
from shopops.web.render import NAV, _accepted

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
PAGES = ["/", "/catalog", "/queue", "/reviews", "/forecasts", "/reports", "/settings"]


@pytest.fixture
def web(settings: Settings) -> Iterator[tuple[TestClient, AppContext]]:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0, "api_rate_limit": 0}))
    with TestClient(app) as client:
        yield client, app.state.ctx


def sign_in(client: TestClient, ctx: AppContext, role: str, *, language: str = "en") -> str:
    """Create a user with ``role``, sign in through the form; returns the page's CSRF token."""
    email = f"{role}@web.example"
    create_user(ctx.db, email, PASSWORD, role=role, name=role.title(), language=language)
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return csrf_of(client.get("/").text)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def test_signed_out_pages_redirect_to_login_and_api_stays_json(web: tuple[TestClient, AppContext]) -> None:
    client, _ctx = web
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    assert client.get("/queue?status=draft", follow_redirects=False).headers["location"] == (
        "/login?next=/queue%3Fstatus%3Ddraft"
    )
    htmx = client.post("/queue/bulk-approve", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login")
    api = client.get("/api/drafts")
    assert api.status_code == 401 and api.json()["type"] == "AuthenticationError"
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["type"] == "NotFoundError"
    page = client.get("/nothing-here", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_login_wrong_password_then_sign_in_next_and_sign_out(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    create_user(ctx.db, "ana@web.example", PASSWORD, role="analyst", name="Ana")
    form = client.get("/login?next=/queue")
    assert form.status_code == 200
    for hook in ('data-testid="login-email"', 'data-testid="login-password"', 'data-testid="login-submit"'):
        assert hook in form.text
    assert 'value="/queue"' in form.text

    wrong = client.post("/login", data={"email": "ana@web.example", "password": "nope", "next": "/queue"})
    assert wrong.status_code == 401
    assert 'data-testid="login-error"' in wrong.text and "wrong email or password" in wrong.text
    assert "shopops_session" not in client.cookies

    signed = client.post(
        "/login",
        data={"email": "ana@web.example", "password": PASSWORD, "next": "/queue"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/queue"
    home = client.get("/")
    assert home.status_code == 200 and 'data-testid="current-user">Ana<' in home.text
    assert 'data-testid="current-role">Analyst<' in home.text
    token = csrf_of(home.text)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in home.text

    assert client.post("/logout", follow_redirects=False).status_code == 403  # no CSRF token
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_next_only_redirects_to_local_paths() -> None:
    assert safe_next("/queue?status=draft") == "/queue?status=draft"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(bad) == "/"


def test_every_page_renders_for_a_reader(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    sign_in(client, ctx, "analyst")
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert '<main id="main"' in response.text and 'aria-current="page"' in response.text
        for href, _key in NAV:
            assert f'href="{href}"' in response.text
    reports = client.get("/reports").text
    assert "shopops report" in reports
    settings_page = client.get("/settings").text
    assert 'data-testid="settings-backends"' in settings_page and "llm_backend" in settings_page
    assert 'data-testid="voice-form"' not in settings_page  # read-only for an analyst
    assert 'data-testid="settings-users"' not in settings_page
    assert "database_url" not in settings_page  # only managers see every setting


def test_forms_refuse_a_missing_csrf_token_and_analysts_get_403(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    token = sign_in(client, ctx, "manager")
    no_token = client.post("/settings/voice", data={"tone": "calm"})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert "text/html" in no_token.headers["content-type"]
    wrong = client.post("/settings/voice", data={"tone": "calm", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    saved = client.post("/settings/voice", data={"tone": "calm", "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    header = client.post("/settings/voice", data={"tone": "calm and kind"}, headers={"X-CSRF-Token": token})
    assert header.status_code == 200 and 'value="calm and kind"' in header.text

    client.cookies.clear()
    analyst_token = sign_in(client, ctx, "analyst")
    refused = client.post("/settings/voice", data={"tone": "loud", "csrf_token": analyst_token})
    assert refused.status_code == 403
    assert 'data-testid="needed-roles"' in refused.text and "Manager" in refused.text


def test_language_switch_cookie_user_language_and_accept_language(
    web: tuple[TestClient, AppContext],
) -> None:
    client, ctx = web
    assert 'lang="zh-CN"' in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "fr, en;q=0.5"}).text
    sign_in(client, ctx, "analyst")
    english = client.get("/queue")
    assert "Review queue" in english.text and 'lang="en"' in english.text
    switched = client.get("/queue?lang=zh")
    assert switched.cookies.get("lang") == "zh"
    assert "审核队列" in switched.text and 'lang="zh-CN"' in switched.text
    assert "审核队列" in client.get("/").text  # the cookie keeps it
    assert "Review queue" in client.get("/?lang=en").text

    client.cookies.clear()
    sign_in(client, ctx, "agent", language="zh")
    assert "退出登录" in client.get("/").text  # the user's own language


def test_accept_language_parsing() -> None:
    assert _accepted("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert _accepted("en-US,en;q=0.9") == "en"
    assert _accepted("fr;q=1, zh;q=0.2, en;q=0.5") == "en"
    assert _accepted("fr") is None


def test_catalogue_is_complete_and_templates_use_known_keys() -> None:
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh"]) == set(MESSAGES)
    for key, (english, chinese) in MESSAGES.items():
        assert english.strip() and chinese.strip(), key
        assert sorted(re.findall(r"{(\w+)}", english)) == sorted(re.findall(r"{(\w+)}", chinese)), key
    templates = Path(__file__).resolve().parents[2] / "shopops" / "web" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\('([a-z0-9_.]+)'[,)]", text))
        # no bare English between tags: every text node goes through t() or is data
        for node in re.findall(r">([^<>{}]*[A-Za-z]{4,}[^<>{}]*)<", text):
            assert node.strip() in {"shopops", "shopops report", "English", "SKU", "regex"}, (path.name, node)
    assert used <= set(MESSAGES), sorted(used - set(MESSAGES))
    assert {key for _href, key in NAV} <= set(MESSAGES)


def test_settings_rules_users_and_api_key_for_an_owner(web: tuple[TestClient, AppContext]) -> None:
    client, ctx = web
    token = sign_in(client, ctx, "owner")
    page = client.get("/settings").text
    assert 'data-testid="settings-users"' in page and "database_url" in page
    assert "***" not in page or "openai_api_key" in page

    added = client.post(
        "/settings/rules",
        data={"rule_id": "my.no-cheap", "pattern": "cheap", "message": "off brand", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert 'data-rule-id="my.no-cheap" data-enabled="true"' in client.get("/settings").text
    duplicate = client.post(
        "/settings/rules", data={"rule_id": "my.no-cheap", "pattern": "x", "csrf_token": token}
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    client.post("/settings/rules/my.no-cheap/enabled", data={"enabled": "false", "csrf_token": token})
    assert 'data-rule-id="my.no-cheap" data-enabled="false"' in client.get("/settings").text

    made = client.post(
        "/settings/users",
        data={"email": "new@web.example", "role": "operator", "name": "Neu", "csrf_token": token},
        follow_redirects=False,
    )
    assert made.status_code == 303
    new = next(user for user in list_users(ctx.db) if user.email == "new@web.example")
    assert new.role == "operator"
    client.post(f"/settings/users/{new.id}/role", data={"role": "manager", "csrf_token": token})
    client.post(f"/settings/users/{new.id}/active", data={"active": "false", "csrf_token": token})
    new = next(user for user in list_users(ctx.db) if user.email == "new@web.example")
    assert new.role == "manager" and new.active is False
    keyed = client.post(f"/settings/users/{new.id}/api-key", data={"csrf_token": token})
    assert keyed.status_code == 200 and keyed.headers["cache-control"] == "no-store"
    assert re.search(r'data-testid="new-api-key"[\s\S]*sk-shopops-', keyed.text)

    client.cookies.clear()
    manager_token = sign_in(client, ctx, "manager")
    assert 'data-testid="settings-users"' not in client.get("/settings").text
    refused = client.post("/settings/users", data={"email": "x@web.example", "csrf_token": manager_token})
    assert refused.status_code == 403


def test_errors_elsewhere_stay_json_unless_a_browser_asks(web: tuple[TestClient, AppContext]) -> None:
    client, _ctx = web
    plain = client.get("/nothing-here")
    assert plain.status_code == 404 and plain.json()["type"] == "NotFoundError"
    browser = client.get("/nothing-here", headers={"Accept": "text/html"})
    assert browser.status_code == 404 and 'data-testid="error"' in browser.text
    page = client.get("/queue/not-a-number", follow_redirects=False)
    assert page.status_code == 303  # signed out: to the sign-in page, before validation
