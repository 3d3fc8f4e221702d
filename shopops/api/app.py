"""The HTTP API: ``create_app(settings)`` builds a FastAPI app over one :class:`AppContext`.

Nothing happens at import time; the database opens on the first request that needs it (``shopops
serve`` opens it before listening, so a bad URL fails fast). Every error has one JSON shape::

    {"error": "<message, with how to fix it>", "type": "<ShopopsError subclass name>"}

with the status from the error's ``http_status``. Invalid requests answer 422 with type
``InputError``; anything unexpected answers 500 ``{"error": "internal error", "type":
"InternalError"}`` and the traceback goes to the server log only, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopops import __version__
from shopops.api.security import settings_manager
from shopops.auth.ratelimit import RateLimiter
from shopops.config import Settings, redacted
from shopops.context import AppContext
from shopops.errors import AuthenticationError, RateLimitError, ShopopsError

log = logging.getLogger("shopops.api")
router = APIRouter(prefix="/api")


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    """A new app. ``context`` lets a caller that already holds one (the CLI) share it; otherwise one
    is built from ``settings`` (or from the environment when both are None). The app closes its
    context on shutdown."""
    ctx = context or AppContext(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            ctx.close()

    app = FastAPI(
        title="shopops",
        version=__version__,
        description="Self-hosted AI operations copilot for e-commerce merchants.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.api_limiter = RateLimiter(ctx.settings.api_rate_limit)
    app.state.login_limiter = RateLimiter(ctx.settings.login_rate_limit)
    install_error_handlers(app)
    app.include_router(router)
    # Route modules import this one (get_context), so they are imported here, not at the top.
    from shopops.api import routes_auth, routes_copy, routes_drafts

    app.include_router(routes_auth.router)
    app.include_router(routes_copy.router)
    app.include_router(routes_drafts.router)
    return app


def get_context(request: Request) -> AppContext:
    """The app's AppContext (use as a FastAPI dependency in route modules)."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


# -- errors ----------------------------------------------------------------------------------------


def error_body(message: str, type_name: str) -> dict[str, str]:
    return {"error": message, "type": type_name}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopopsError, _shopops_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def _shopops_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopopsError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitError):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(str(exc), type(exc).__name__), status_code=exc.http_status, headers=headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: echoing the rejected input could repeat a password back.
    problems = "; ".join(
        f"{'.'.join(str(part) for part in err.get('loc', ())) or 'request'}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    )
    return JSONResponse(error_body(f"invalid request: {problems}", "InputError"), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    type_name = "NotFoundError" if exc.status_code == 404 else "HTTPError"
    return JSONResponse(
        error_body(str(exc.detail), type_name), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body("internal error", "InternalError"), status_code=500)


# -- routes ----------------------------------------------------------------------------------------


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Liveness plus what this server runs on. Opens (and migrates) the store; loads no model."""
    ctx = get_context(request)
    db = ctx.db
    return {
        "status": "ok",
        "version": __version__,
        "database": db.dialect,
        "schema_revision": db.current_revision(),
        "llm_backend": ctx.settings.llm_backend,
        "embed_backend": ctx.settings.embed_backend,
    }


@router.get("/config", dependencies=[Depends(settings_manager)])
def config(request: Request) -> dict[str, Any]:
    """The effective settings; secrets appear only as ``***`` (set) or null (unset)."""
    return redacted(get_context(request).settings)
