"""Every route of the app either is public (a short explicit list) or declares exactly one
``Requires(Permission.X)``; then every (route, method, role) is called with that role's API key:
roles without the permission get 403, roles with it get past the gate (404/422 are fine), and no
credentials get 401 (API) or a redirect to /login (web pages).

The routes are found in ``app.routes`` at collection time, so routes added later are walked
without touching this file. One app and one SQLite store serve the whole walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from starlette.routing import Mount

from shopops.api.app import create_app
from shopops.api.security import Requires
from shopops.auth.accounts import create_user
from shopops.auth.roles import ROLE_PERMISSIONS, Role
from shopops.auth.sessions import issue_api_key
from shopops.config import Settings

# Paths anyone may call. Keep it short: everything else must name its permission.
PUBLIC = frozenset(
    {
        "/api/health",
        "/api/auth/login",
        "/api/auth/logout",
        "/login",
        "/logout",
        "/static",
        "/docs",
        "/docs/oauth2-redirect",
        "/openapi.json",
        "/redoc",
    }
)
WALKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
ROLES = [role.value for role in Role]


def _settings(tmp: Path) -> Settings:
    return Settings(
        data_dir=tmp / "data",
        database_url=f"sqlite:///{tmp / 'walk.db'}",
        llm_backend="fake",
        embed_backend="hash",
        api_rate_limit=0,
        login_rate_limit=0,
    )


def requires_of(dependant: Dependant) -> list[Requires]:
    """Every ``Requires`` object among ``dependant``'s dependencies, at any depth."""
    found: list[Requires] = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, Requires):
            found.append(sub.call)
        found.extend(requires_of(sub))
    return found


def all_routes(app: FastAPI) -> list[Any]:
    """Every route with its effective path and dependencies. FastAPI >= 0.165 keeps included
    routers as lazy ``_IncludedRouter`` entries in ``app.routes``; ``iter_route_contexts`` flattens
    them (and adds router-level dependencies to each route's ``dependant``)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def is_public(route: Any) -> bool:
    return getattr(route, "path", None) in PUBLIC


def _collect() -> tuple[list[Any], list[tuple[str, str]]]:
    """All routes, and the (method, path) pairs to walk, from an app that has done no work."""
    app = create_app(_settings(Path("/nonexistent-role-walk")))  # create_app opens nothing
    routes = all_routes(app)
    walked = sorted(
        {
            (method, route.path)
            for route in routes
            if not is_public(route) and not isinstance(getattr(route, "original_route", route), Mount)
            for method in getattr(route, "methods", None) or ()
            if method in WALKED_METHODS
        },
        key=lambda pair: (pair[1], pair[0]),
    )
    return routes, walked


ROUTES, WALKED = _collect()


def _route_id(route: Any) -> str:
    methods = ",".join(sorted(m for m in getattr(route, "methods", None) or () if m != "HEAD"))
    kind = type(getattr(route, "original_route", route)).__name__
    return f"{methods or kind} {getattr(route, 'path', None) or repr(route)[:80]}"


def _concrete(path: str) -> str:
    return PARAM.sub("1", path)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_route_is_public_or_declares_one_permission(route: Any) -> None:
    if is_public(route):
        return
    dependant = getattr(route, "dependant", None)
    assert dependant is not None, (
        f"{_route_id(route)} is not in the public list and has no FastAPI dependencies: "
        "declare Depends(Requires(Permission.X)) or add it to PUBLIC in tests/unit/test_role_walk.py"
    )
    permissions = {requirement.permission for requirement in requires_of(dependant)}
    assert len(permissions) == 1, (
        f"{_route_id(route)} must declare exactly one Requires(Permission.X), found "
        f"{sorted(p.value for p in permissions) or 'none'}"
    )


def _required(app: FastAPI, method: str, path: str) -> Requires | None:
    for route in all_routes(app):
        if getattr(route, "path", None) == path and method in (getattr(route, "methods", None) or ()):
            dependant = getattr(route, "dependant", None)
            found = requires_of(dependant) if dependant is not None else []
            return found[0] if found else None
    raise AssertionError(f"{method} {path} vanished from the app")


class Walk:
    def __init__(self, app: FastAPI, client: TestClient, headers: dict[str, dict[str, str]]) -> None:
        self.app = app
        self.client = client
        self.headers = headers

    def call(self, method: str, path: str, headers: dict[str, str]) -> Any:
        kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
        if method not in ("GET", "DELETE"):
            kwargs["json"] = {}
        return self.client.request(method, _concrete(path), **kwargs)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    app = create_app(_settings(tmp_path_factory.mktemp("walk")))
    db = app.state.ctx.db
    # id 1 is a bystander, so routes on /…/1 (new key, revoke key, disable) never touch a caller.
    create_user(db, "placeholder@test.example", None, role="analyst", name="Placeholder")
    headers = {}
    for role in ROLES:
        user = create_user(db, f"{role}@walk.example", None, role=role, name=role.title())
        headers[role] = {"Authorization": f"Bearer {issue_api_key(db, user.id, actor='test')}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Walk(app, client, headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), WALKED, ids=[f"{m} {p}" for m, p in WALKED])
def test_each_role_gets_exactly_its_permissions(walk: Walk, method: str, path: str, role: str) -> None:
    required = _required(walk.app, method, path)
    if required is None:
        pytest.skip("no Requires on this route (reported by test_route_is_public_or_declares_one_permission)")
    response = walk.call(method, path, walk.headers[role])
    allowed = required.permission in ROLE_PERMISSIONS[Role(role)]
    detail = f"{method} {path} as {role} ({required!r}): {response.status_code} {response.text[:300]}"
    if allowed:
        assert response.status_code not in (401, 403), detail
        assert response.status_code < 500, detail
    else:
        assert response.status_code == 403, detail


@pytest.mark.parametrize(("method", "path"), WALKED, ids=[f"{m} {p}" for m, p in WALKED])
def test_no_credentials_is_refused(walk: Walk, method: str, path: str) -> None:
    response = walk.call(method, path, {})
    detail = f"{method} {path} without credentials: {response.status_code} {response.text[:300]}"
    if path.startswith("/api/"):
        assert response.status_code == 401, detail
        assert response.json()["type"] == "AuthenticationError", detail
    else:  # a web page: 401, or a redirect to the sign-in page
        assert response.status_code in (401, 302, 303, 307), detail
        if response.status_code != 401:
            assert response.headers["location"].split("?")[0].endswith("/login"), detail


def test_public_list_is_small_and_the_walk_found_the_api() -> None:
    assert len(PUBLIC) <= 12
    paths = {path for _, path in WALKED}
    assert {"/api/auth/me", "/api/users", "/api/drafts", "/api/config"} <= paths


def test_the_detector_sees_missing_and_nested_requirements() -> None:
    """The walk's own check: a route with no Requires is caught, one nested in a dependency is found."""
    from fastapi import APIRouter, Depends

    from shopops.api.security import reader

    async def nested(who: Any = Depends(reader)) -> Any:
        return who

    router = APIRouter()
    router.add_api_route("/open", lambda: None)
    router.add_api_route("/nested", lambda who=Depends(nested): None)
    app = FastAPI()
    app.include_router(router, prefix="/x")
    found = {route.path: requires_of(route.dependant) for route in all_routes(app) if route.path[:3] == "/x/"}
    assert found == {"/x/open": [], "/x/nested": [reader]}
