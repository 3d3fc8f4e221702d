"""The HTTP API: ``create_app(settings)`` builds a FastAPI app over one :class:`AppContext`.

Nothing happens at import time; the database opens on the first request that needs it (``shopops
serve`` opens it before listening, so a bad URL fails fast). Every error has one JSON shape::

    {"error": "<message, with how to fix it>", "type": "<ShopopsError subclass name>"}

with the status from the error's ``http_status``. Invalid requests answer 422 with type
``InputError``; anything unexpected answers 500 ``{"error": "internal error", "type":
"InternalError"}`` and the traceback goes to the server log only, never to the client.

Read routes (GET) are ``async def``: they only read the store, a sub-millisecond query, and running
them on the event loop saves the thread-pool hops FastAPI makes for sync routes and their response
validation (see docs/api.md for the measured difference). Routes that write, or call a model, stay
sync, so a slow generation or a lock wait never stalls the loop.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopops import __version__
from shopops.api.security import settings_manager
from shopops.auth.ratelimit import RateLimiter
from shopops.config import Settings, redacted
from shopops.context import AppContext
from shopops.errors import AuthenticationError, RateLimitError, ShopopsError
from shopops.store.models import MAX_ID
from shopops.web import install_web

log = logging.getLogger("shopops.api")
router = APIRouter(prefix="/api")

# A row id in a path: the store's ids are 32-bit integers (PostgreSQL INTEGER), so anything larger
# is refused with 422 before it reaches the database (where it would be a driver error, a 500).
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


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
    from shopops.api import (
        routes_alerts,
        routes_ask,
        routes_auth,
        routes_copy,
        routes_drafts,
        routes_forecast,
        routes_reports,
        routes_reviews,
        routes_search,
        routes_strategy,
        routes_support,
        routes_work,
    )

    app.include_router(routes_auth.router)
    app.include_router(routes_copy.router)
    app.include_router(routes_drafts.router)
    app.include_router(routes_work.router)
    app.include_router(routes_support.router)
    app.include_router(routes_reviews.router)
    app.include_router(routes_alerts.router)
    app.include_router(routes_forecast.router)
    app.include_router(routes_search.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_strategy.router)
    app.include_router(routes_ask.router)
    install_web(app)  # the team workspace pages (after the API's error handlers)
    document_errors(app)
    return app


async def get_context(request: Request) -> AppContext:
    """The app's AppContext (use as a FastAPI dependency in route modules). ``async`` so FastAPI
    calls it inline instead of sending it to the thread pool: it only reads app state."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


class ModelResponse(Response):
    """A pydantic model serialised once, by pydantic-core. Return ``ModelResponse(view)`` from a
    hot read route declared with ``response_model=...``: FastAPI otherwise dumps the returned model,
    validates the dump against the response model again and serialises it (three passes)."""

    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(content=model.model_dump_json(), status_code=status_code)


# -- errors ----------------------------------------------------------------------------------------


def error_body(message: str, type_name: str) -> dict[str, str]:
    return {"error": message, "type": type_name}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopopsError, _shopops_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


class ErrorBody(BaseModel):
    """The one error shape of every /api response that is not a success."""

    error: str = Field(description="what went wrong, and how to fix it")
    type: str = Field(description="the error's class, e.g. InputError, NotFoundError, PermissionDeniedError")


def document_errors(app: FastAPI) -> None:
    """Make the OpenAPI schema say what the handlers above do: every /api operation answers errors
    as :class:`ErrorBody` (its 422, and a ``default`` response for 401, 403, 404, 429, 5xx...),
    not FastAPI's ``HTTPValidationError``. Applied when the schema is first built, so routes
    included after ``create_app`` are covered too."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        content = {"application/json": {"schema": ref}}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {"description": "Invalid request (InputError)", "content": content}
                responses["default"] = {"description": "Error", "content": content}
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorBody"] = ErrorBody.model_json_schema()
        text = repr(schema.get("paths", {}))
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}" not in text:
                schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


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
async def health(request: Request) -> dict[str, Any]:
    """Liveness plus what this server runs on. Opens (and migrates) the store, then pings it on
    every call; loads no model. The schema revision is read once (it changes only by migration,
    which needs a restart)."""
    ctx: AppContext = request.app.state.ctx
    db = ctx.db
    revision = getattr(request.app.state, "schema_revision", None)
    if revision is None:
        revision = request.app.state.schema_revision = db.current_revision()
    else:
        db.ping()
    return {
        "status": "ok",
        "version": __version__,
        "database": db.dialect,
        "schema_revision": revision,
        "llm_backend": ctx.settings.llm_backend,
        "embed_backend": ctx.settings.embed_backend,
    }


@router.get("/config", dependencies=[Depends(settings_manager)])
async def config(request: Request) -> dict[str, Any]:
    """The effective settings; secrets appear only as ``***`` (set) or null (unset)."""
    return redacted(request.app.state.ctx.settings)
