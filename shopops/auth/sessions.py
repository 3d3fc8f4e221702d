"""Browser sessions, API keys and CSRF tokens.

A session is a random token in an HttpOnly cookie; the store keeps only its sha256. The CSRF token
of a session is derived from the session token (HMAC), so a page can embed it, a form or htmx
request sends it back, and a cross-site request (which cannot read the cookie) cannot forge it.

An API key (``sk-shopops-<random>``) belongs to a user and acts with that user's role; the store
keeps its sha256 and an 8-character prefix for display. Keys are shown once, when created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select

from shopops.auth.accounts import Principal, principal_for
from shopops.auth.cache import cached, invalidate
from shopops.errors import AuthenticationError
from shopops.store.db import Database
from shopops.store.models import AuditLog, User, UserSession, utcnow

KEY_PREFIX = "sk-shopops-"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(db: Database, user_id: int, *, days: int, user_agent: str = "") -> str:
    """A new session for ``user_id``; returns the token for the cookie (not stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as session:
        session.execute(delete(UserSession).where(UserSession.expires_at < now))
        session.add(
            UserSession(
                user_id=user_id,
                token_hash=_sha256(token),
                expires_at=now + dt.timedelta(days=days),
                user_agent=user_agent[:200],
            )
        )
    return token


def principal_for_session(db: Database, token: str) -> Principal:
    return cached(f"session:{_sha256(token)}", lambda: _load_session_principal(db, token))


def _load_session_principal(db: Database, token: str) -> Principal:
    with db.session() as session:
        row = session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == _sha256(token))
        ).first()
        if row is None or row[0].expires_at < utcnow() or not row[1].active:
            raise AuthenticationError("your session has ended", hint="sign in again")
        return principal_for(row[1], via="session")


def end_session(db: Database, token: str) -> None:
    with db.session() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _sha256(token)))
    invalidate()


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode("utf-8"), b"shopops-csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(session_token), submitted or "")


def issue_api_key(db: Database, user_id: int, *, actor: str) -> str:
    """A new API key for the user (replacing any old one); returned once, stored as a hash."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise AuthenticationError(f"no user {user_id}")
        user.api_key_hash = _sha256(key)
        user.api_key_prefix = key[: len(KEY_PREFIX) + 4]
        session.add(
            AuditLog(
                actor=actor,
                action="user.api_key",
                entity_type="user",
                entity_id=str(user_id),
                before=None,
                after={"api_key_prefix": user.api_key_prefix},
            )
        )
    invalidate()
    return key


def revoke_api_key(db: Database, user_id: int, *, actor: str) -> None:
    with db.session() as session:
        user = session.get(User, user_id)
        if user is not None:
            user.api_key_hash = None
            user.api_key_prefix = ""
            session.add(
                AuditLog(
                    actor=actor, action="user.api_key_revoke", entity_type="user", entity_id=str(user_id)
                )
            )
    invalidate()


def principal_for_api_key(db: Database, key: str) -> Principal:
    return cached(f"key:{_sha256(key)}", lambda: _load_key_principal(db, key))


def _load_key_principal(db: Database, key: str) -> Principal:
    if not key.startswith(KEY_PREFIX):
        raise AuthenticationError(
            "that is not a shopops API key",
            hint=f"keys start with {KEY_PREFIX}; create one with `shopops users key`",
        )
    with db.session() as session:
        user = session.scalar(select(User).where(User.api_key_hash == _sha256(key)))
        if user is None or not user.active:
            raise AuthenticationError(
                "unknown or revoked API key", hint="create a new key with `shopops users key`"
            )
        return principal_for(user, via="api_key")
