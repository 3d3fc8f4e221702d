"""``install_web(app)``: the server-rendered team workspace on top of the API app.

Mounts ``/static`` (CSS and the vendored htmx), includes the page routers, and makes errors on
pages answer as pages. The API's JSON error handlers (``shopops.api.app``) stay in charge of
``/api/...`` and of other non-page paths (unless a browser asks for HTML). On the pages, a sign-in
problem redirects to ``/login?next=<path>``, a permission problem shows a 403 page naming the roles
that may do it, and any other error shows its message with its status. htmx requests get the error
as a fragment (swapped into the target; see the htmx-config meta tag in base.html).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from shopops.auth.roles import ROLE_PERMISSIONS, Permission
from shopops.errors import AuthenticationError, PermissionDeniedError, ShopopsError
from shopops.web.render import is_htmx, render

log = logging.getLogger("shopops.web")
STATIC = Path(__file__).resolve().parent / "static"
Handler = Callable[[Request, Exception], Awaitable[Response]]
NEEDS = re.compile(r"needs ([a-z.]+)\)")


# The workspace's pages (and the ones planned): errors under these answer as pages.
WEB_PATHS = (
    "/login",
    "/logout",
    "/catalog",
    "/queue",
    "/support",
    "/inbox",
    "/reviews",
    "/forecasts",
    "/alerts",
    "/reports",
    "/settings",
    "/static",
)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path in ("/openapi.json", "/docs", "/redoc")


def wants_page(request: Request) -> bool:
    """Whether an error on this request answers as a page: a workspace path, or any other non-API
    path a browser asked for (it accepts text/html); everything else keeps the JSON errors."""
    path = request.url.path
    if is_api_path(path):
        return False
    if path == "/" or any(path == web or path.startswith(web + "/") for web in WEB_PATHS):
        return True
    return "text/html" in request.headers.get("accept", "")


def install_web(app: FastAPI) -> None:
    """Add the web pages to ``app`` (call after the API's error handlers are installed)."""
    from shopops.web import (
        pages_auth,
        pages_catalog,
        pages_dashboard,
        pages_forecasts,
        pages_inbox,
        pages_insights,
        pages_queue,
        pages_reviews,
        pages_settings,
        pages_support,
        pages_support_ai,
        pages_teams,
    )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        pages_auth,
        pages_dashboard,
        pages_catalog,
        pages_queue,
        pages_support_ai,  # before pages_support: its /support/gaps must come before /support/{id}
        pages_support,
        pages_inbox,
        pages_insights,
        pages_forecasts,
        pages_reviews,
        pages_settings,
        pages_teams,
    ):
        app.include_router(module.router)
    for exc_class in (ShopopsError, RequestValidationError, StarletteHTTPException, Exception):
        api_handler = app.exception_handlers.get(exc_class)
        if api_handler is not None:
            app.add_exception_handler(exc_class, _by_path(api_handler))


def _by_path(api_handler: Handler) -> Handler:
    async def dispatch(request: Request, exc: Exception) -> Response:
        if wants_page(request):
            return page_error(request, exc)
        return await api_handler(request, exc)

    return dispatch


def roles_with(permission: Permission) -> list[str]:
    return [role.value for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def _needed_roles(exc: PermissionDeniedError) -> list[str]:
    match = NEEDS.search(exc.message)
    if match is None:
        return []
    try:
        return roles_with(Permission(match.group(1)))
    except ValueError:
        return []


def login_redirect(request: Request) -> Response:
    path = request.url.path
    if request.method == "GET" and request.url.query:
        path += "?" + request.url.query
    target = "/login?next=" + quote(path, safe="/")
    if is_htmx(request):  # htmx follows redirects inside the XHR; ask it to load the page instead
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def page_error(request: Request, exc: Exception) -> Response:
    """An error on a page, as a page (or an htmx fragment)."""
    who = getattr(request.state, "principal", None)
    if isinstance(exc, AuthenticationError):
        return login_redirect(request)
    template = "_error.html" if is_htmx(request) else "error.html"
    status, message, hint, roles = 500, "", "", []
    if isinstance(exc, ShopopsError):
        status, message, hint = exc.http_status, exc.message, exc.hint or ""
        if isinstance(exc, PermissionDeniedError):
            roles = _needed_roles(exc)
    elif isinstance(exc, RequestValidationError):
        status = 422
        message = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg', 'invalid')}"
            for err in exc.errors()
        )
    elif isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, "" if exc.status_code == 404 else str(exc.detail)
    else:
        log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return render(
        request,
        template,
        who,
        status_code=status,
        status=status,
        message=message,
        hint=hint,
        roles=roles,
    )
