"""Who is calling, and may they: the authentication and permission dependencies of every route.

Credentials, in order: an API key (``Authorization: Bearer sk-shopops-...`` or ``X-API-Key``),
then the browser session cookie. A cookie-authenticated request that changes something (POST, PUT,
PATCH, DELETE) must carry the session's CSRF token, in the ``X-CSRF-Token`` header (htmx and
fetch) or the ``csrf_token`` form field (plain forms); API-key requests carry no ambient
credential and need none.

Every route declares what it needs with ``Depends(Requires(Permission.X))``; the role-walk test
finds these objects on each route and calls it with every role.
"""

from __future__ import annotations

from fastapi import Request

from shopops.auth.accounts import Principal
from shopops.auth.ratelimit import RateLimiter
from shopops.auth.roles import Permission, require
from shopops.auth.sessions import csrf_matches, principal_for_api_key, principal_for_session
from shopops.context import AppContext
from shopops.errors import AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "shopops_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _context(request: Request) -> AppContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


def _api_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("x-api-key") or None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _check_csrf(request: Request, session_token: str) -> None:
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # Starlette keeps it; Form() parameters read the same object
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_matches(session_token, submitted):
        raise PermissionDeniedError(
            "missing or wrong CSRF token",
            hint="reload the page and submit again; API clients should send an API key instead of a cookie",
        )


async def current_principal(request: Request) -> Principal:
    """The caller, or :class:`AuthenticationError`. Counted against the rate limit."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    db = _context(request).db
    key = _api_key(request)
    if key:
        principal = principal_for_api_key(db, key)
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise AuthenticationError(
                "sign in, or send an API key",
                hint="people sign in at /login; machines send 'Authorization: Bearer <key>' "
                "(create one with `shopops users key EMAIL`)",
            )
        principal = principal_for_session(db, token)
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, token)
        request.state.session_token = token
    limiter: RateLimiter = request.app.state.api_limiter
    limiter.hit(f"user:{principal.id}")
    request.state.principal = principal
    return principal


class Requires:
    """A FastAPI dependency: the caller must hold ``permission``; returns the :class:`Principal`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        principal = await current_principal(request)
        require(principal.role, self.permission)
        return principal

    def __repr__(self) -> str:
        return f"Requires({self.permission.value})"


reader = Requires(Permission.READ)
copy_writer = Requires(Permission.COPY_WRITE)
catalog_writer = Requires(Permission.CATALOG_WRITE)
exporter = Requires(Permission.EXPORT)
editor = Requires(Permission.DRAFTS_EDIT)
decider = Requires(Permission.DRAFTS_DECIDE)
support_agent = Requires(Permission.SUPPORT_REPLY)
assigner = Requires(Permission.WORK_ASSIGN)
commenter = Requires(Permission.COMMENT)
settings_manager = Requires(Permission.SETTINGS_MANAGE)
users_manager = Requires(Permission.USERS_MANAGE)
