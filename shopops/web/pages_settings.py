"""``/settings``: backends (read-only), the default brand voice, compliance rules, and users.

Everyone may read the page; changing the voice or rules needs ``settings.manage``; the users
section is shown to, and its forms accepted from, ``users.manage`` (owners) only. A new API key
is shown once, on the page that issued it. Teams are managed elsewhere (not here yet).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from shopops.api.security import reader, settings_manager, users_manager
from shopops.auth.accounts import Principal, create_user, get_user, list_users, update_user
from shopops.auth.roles import Permission, Role, can
from shopops.auth.sessions import issue_api_key
from shopops.config import redacted
from shopops.copy.compliance import builtin_rules
from shopops.copy.service import add_rule, list_rules, set_rule_enabled
from shopops.copy.voice import get_voice, update_voice
from shopops.errors import InputError, NotFoundError
from shopops.web.render import RowId, context_of, render

router = APIRouter(include_in_schema=False)
# What every reader sees of the configuration; managers see all of it (secrets are never shown).
PUBLIC_SETTINGS = ("llm_backend", "local_model", "openai_model", "embed_backend", "copy_max_regenerations")


def split_words(text: str) -> list[str]:
    return [word.strip() for word in re.split(r"[,\n]", text) if word.strip()]


def settings_page(
    request: Request, who: Principal, *, error: str = "", new_key: str = "", status_code: int = 200
) -> Response:
    ctx = context_of(request)
    config = redacted(ctx.settings)
    if not can(who.role, Permission.SETTINGS_MANAGE):
        config = {name: config[name] for name in PUBLIC_SETTINGS if name in config}
        config["database"] = ctx.settings.effective_database_url.split(":", 1)[0]
    with ctx.db.session() as session:
        voice = get_voice(session)
        rules = list_rules(session)
        session.expunge_all()
    users = list_users(ctx.db) if can(who.role, Permission.USERS_MANAGE) else []
    return render(
        request,
        "settings/index.html",
        who,
        status_code=status_code,
        active="/settings",
        config=config,
        voice=voice,
        rules=rules,
        builtin_count=len(builtin_rules()),
        users=users,
        roles=[role.value for role in Role],
        error=error,
        new_key=new_key,
        headers={"Cache-Control": "no-store"} if new_key else None,
    )


def _back(section: str) -> Response:
    return RedirectResponse(f"/settings#{section}", status_code=303)


@router.get("/settings")
def settings(request: Request, who: Principal = Depends(reader)) -> Response:
    return settings_page(request, who)


@router.post("/settings/voice")
def save_voice(
    request: Request,
    tone: str = Form("", max_length=200),
    audience: str = Form("", max_length=200),
    words_to_use: str = Form("", max_length=4000),
    words_to_avoid: str = Form("", max_length=4000),
    examples: list[str] | None = Form(None, max_length=3),
    who: Principal = Depends(settings_manager),
) -> Response:
    with context_of(request).db.session() as session:
        update_voice(
            session,
            None,
            tone=tone.strip() or None,
            audience=audience.strip(),
            words_to_use=split_words(words_to_use),
            words_to_avoid=split_words(words_to_avoid),
            examples=[text.strip() for text in examples or [] if text.strip()],
        )
    return _back("voice")


@router.post("/settings/rules")
def new_rule(
    request: Request,
    rule_id: str = Form(..., max_length=100),
    pattern: str = Form(..., max_length=1000),
    regex: bool = Form(False),
    message: str = Form("", max_length=500),
    marketplace: str = Form("", max_length=50),
    country: str = Form("", max_length=2),
    warn_only: bool = Form(False),
    who: Principal = Depends(settings_manager),
) -> Response:
    try:
        with context_of(request).db.session() as session:
            add_rule(
                session,
                rule_id.strip(),
                pattern,
                regex=regex,
                message=message,
                marketplace=marketplace,
                country=country,
                warn_only=warn_only,
            )
    except InputError as exc:
        if isinstance(exc, NotFoundError):
            raise
        return settings_page(request, who, error=str(exc), status_code=exc.http_status)
    return _back("rules")


@router.post("/settings/rules/{rule_id}/enabled")
def toggle_rule(
    rule_id: str,
    request: Request,
    enabled: bool = Form(False),
    who: Principal = Depends(settings_manager),
) -> Response:
    with context_of(request).db.session() as session:
        set_rule_enabled(session, rule_id, enabled)
    return _back("rules")


@router.post("/settings/users")
def add_user(
    request: Request,
    email: str = Form(..., max_length=320),
    name: str = Form("", max_length=200),
    role: str = Form("analyst", max_length=20),
    password: str = Form("", max_length=1024),
    language: str = Form("en", max_length=5),
    who: Principal = Depends(users_manager),
) -> Response:
    if password and len(password) < 10:
        return settings_page(request, who, error="a password needs at least 10 characters", status_code=422)
    try:
        create_user(
            context_of(request).db,
            email,
            password or None,
            role=role,
            name=name,
            language=language,
            actor=who.email,
        )
    except InputError as exc:
        return settings_page(request, who, error=str(exc), status_code=exc.http_status)
    return _back("users")


@router.post("/settings/users/{user_id}/role")
def change_role(
    user_id: RowId,
    request: Request,
    role: str = Form(..., max_length=20),
    who: Principal = Depends(users_manager),
) -> Response:
    try:
        update_user(context_of(request).db, user_id, actor=who.email, role=role)
    except InputError as exc:
        if isinstance(exc, NotFoundError):
            raise
        return settings_page(request, who, error=str(exc), status_code=exc.http_status)
    return _back("users")


@router.post("/settings/users/{user_id}/active")
def set_active(
    user_id: RowId,
    request: Request,
    active: bool = Form(False),
    who: Principal = Depends(users_manager),
) -> Response:
    try:
        update_user(context_of(request).db, user_id, actor=who.email, active=active)
    except InputError as exc:
        if isinstance(exc, NotFoundError):
            raise
        return settings_page(request, who, error=str(exc), status_code=exc.http_status)
    return _back("users")


@router.post("/settings/users/{user_id}/api-key")
def new_api_key(user_id: RowId, request: Request, who: Principal = Depends(users_manager)) -> Response:
    """Issue a new key (the old one stops working) and show it, once."""
    db = context_of(request).db
    user = get_user(db, user_id)
    key = issue_api_key(db, user.id, actor=who.email)
    return settings_page(request, who, new_key=key)
