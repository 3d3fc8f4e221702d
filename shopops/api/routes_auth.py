"""``/api/auth`` (sign in and out, who am I) and ``/api/users`` (accounts and API keys, owners only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from shopops.api.app import RowId, get_context
from shopops.api.security import SESSION_COOKIE, client_address, reader, users_manager
from shopops.auth.accounts import (
    Principal,
    UserView,
    authenticate,
    create_user,
    get_user,
    list_users,
    update_user,
)
from shopops.auth.ratelimit import RateLimiter
from shopops.auth.roles import Role
from shopops.auth.sessions import csrf_token, end_session, issue_api_key, revoke_api_key, start_session
from shopops.context import AppContext

router = APIRouter(tags=["auth"])


class LoginBody(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    user: Principal
    csrf_token: str | None = Field(default=None, description="send as X-CSRF-Token with cookie sessions")


class NewUser(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str | None = Field(default=None, min_length=10, max_length=1024)
    role: Role = Role.ANALYST
    name: str = Field(default="", max_length=200)
    language: str = Field(default="en", pattern="^(en|zh)$")


class UserChange(BaseModel):
    role: Role | None = None
    name: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    language: str | None = Field(default=None, pattern="^(en|zh)$")
    password: str | None = Field(default=None, min_length=10, max_length=1024)


class ApiKey(BaseModel):
    api_key: str = Field(description="shown once; store it in your secret manager")


def sign_in(request: Request, response: Response, ctx: AppContext, email: str, password: str) -> Me:
    """Shared by the API and the web form: check the limit, the password, set the cookie."""
    limiter: RateLimiter = request.app.state.login_limiter
    limiter.hit(f"login:{client_address(request)}", what="sign-in attempts")
    principal = authenticate(ctx.db, email, password)
    token = start_session(
        ctx.db,
        principal.id,
        days=ctx.settings.session_days,
        user_agent=request.headers.get("user-agent", ""),
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
        path="/",
    )
    return Me(user=principal, csrf_token=csrf_token(token))


@router.post("/api/auth/login")
def login(
    body: LoginBody, request: Request, response: Response, ctx: AppContext = Depends(get_context)
) -> Me:
    """Sign in with email and password; sets the HttpOnly session cookie and returns the CSRF token."""
    return sign_in(request, response, ctx, body.email, body.password)


@router.post("/api/auth/logout", status_code=204)
def logout(request: Request, response: Response, ctx: AppContext = Depends(get_context)) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(ctx.db, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/api/auth/me")
async def me(request: Request, who: Principal = Depends(reader)) -> Me:
    token = getattr(request.state, "session_token", None)
    return Me(user=who, csrf_token=csrf_token(token) if token else None)


@router.get("/api/users")
async def users(
    _: Principal = Depends(users_manager), ctx: AppContext = Depends(get_context)
) -> list[UserView]:
    return list_users(ctx.db)


@router.post("/api/users", status_code=201)
def add_user(
    body: NewUser, who: Principal = Depends(users_manager), ctx: AppContext = Depends(get_context)
) -> UserView:
    return create_user(
        ctx.db,
        body.email,
        body.password,
        role=body.role.value,
        name=body.name,
        language=body.language,
        actor=who.email,
    )


@router.get("/api/users/{user_id}")
async def user(
    user_id: RowId, _: Principal = Depends(users_manager), ctx: AppContext = Depends(get_context)
) -> UserView:
    return get_user(ctx.db, user_id)


@router.patch("/api/users/{user_id}")
def change_user(
    user_id: RowId,
    body: UserChange,
    who: Principal = Depends(users_manager),
    ctx: AppContext = Depends(get_context),
) -> UserView:
    return update_user(
        ctx.db,
        user_id,
        actor=who.email,
        role=body.role.value if body.role else None,
        name=body.name,
        active=body.active,
        language=body.language,
        password=body.password,
    )


@router.post("/api/users/{user_id}/api-key", status_code=201)
def new_api_key(
    user_id: RowId, who: Principal = Depends(users_manager), ctx: AppContext = Depends(get_context)
) -> ApiKey:
    """A new API key for the user (the old one stops working). Shown once."""
    get_user(ctx.db, user_id)
    return ApiKey(api_key=issue_api_key(ctx.db, user_id, actor=who.email))


@router.delete("/api/users/{user_id}/api-key", status_code=204)
def delete_api_key(
    user_id: RowId, who: Principal = Depends(users_manager), ctx: AppContext = Depends(get_context)
) -> None:
    get_user(ctx.db, user_id)
    revoke_api_key(ctx.db, user_id, actor=who.email)
