"""User accounts: create, list, change role/team/password, disable, and sign in with a password."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.auth.cache import invalidate
from shopops.auth.passwords import DUMMY_HASH, hash_password, verify_password
from shopops.auth.roles import Role, parse_role
from shopops.errors import AuthenticationError, InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import AuditLog, Team, User, UtcDateTime, utcnow

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
LANGUAGES = ("en", "zh")


class Principal(BaseModel):
    """Who is acting: a signed-in person, or a machine holding that person's API key."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    email: str
    name: str
    role: Role
    language: str = "en"
    team_id: int | None = None
    via: str = "session"  # session | api_key

    @property
    def label(self) -> str:
        return self.name or self.email


class UserView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    active: bool
    language: str
    team_id: int | None = None
    api_key_prefix: str = ""
    last_login_at: UtcDateTime | None = None


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise InputError(f"{email!r} is not an email address", hint="use name@example.com")
    return email


def _audit(session: Session, actor: str, action: str, user: User, before: dict | None) -> None:
    after = {"email": user.email, "role": user.role, "active": user.active, "team_id": user.team_id}
    session.add(
        AuditLog(
            actor=actor, action=action, entity_type="user", entity_id=str(user.id), before=before, after=after
        )
    )


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}", hint="list users with `shopops users list`")
    return user


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    db: Database,
    email: str,
    password: str | None,
    *,
    role: str = "analyst",
    name: str = "",
    language: str = "en",
    team: str | None = None,
    actor: str = "system",
) -> UserView:
    """A new account. ``password`` may be None for a machine-only account (API key only)."""
    email = normalise_email(email)
    role_value = parse_role(role)
    if language not in LANGUAGES:
        raise InputError(f"unknown UI language {language!r}", hint=f"use one of {', '.join(LANGUAGES)}")
    password_hash = hash_password(password) if password is not None else None
    with db.session() as session:
        if user_by_email(session, email) is not None:
            raise InputError(f"a user {email} already exists", hint="change it with `shopops users update`")
        team_id = team_id_by_name(session, team) if team else None
        user = User(
            email=email,
            name=name.strip()[:200],
            role=role_value.value,
            password_hash=password_hash,
            language=language,
            team_id=team_id,
        )
        session.add(user)
        session.flush()
        _audit(session, actor, "user.create", user, None)
        return UserView.model_validate(user)


def team_id_by_name(session: Session, name: str) -> int:
    team_id = session.scalar(select(Team.id).where(Team.name == name))
    if team_id is None:
        raise NotFoundError(f"no team {name!r}", hint="create it first (settings → teams)")
    return team_id


def list_users(db: Database) -> list[UserView]:
    with db.session() as session:
        return [UserView.model_validate(u) for u in session.scalars(select(User).order_by(User.id))]


def count_users(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def get_user(db: Database, user_id: int) -> UserView:
    with db.session() as session:
        return UserView.model_validate(_load(session, user_id))


def update_user(
    db: Database,
    user_id: int,
    *,
    actor: str,
    role: str | None = None,
    name: str | None = None,
    active: bool | None = None,
    language: str | None = None,
    team_id: int | type[Ellipsis] | None = ...,
    password: str | None = None,
) -> UserView:
    """Change an account; every change goes to the audit log (never the password itself)."""
    with db.session() as session:
        user = _load(session, user_id)
        before = {"email": user.email, "role": user.role, "active": user.active, "team_id": user.team_id}
        if role is not None:
            user.role = parse_role(role).value
        if name is not None:
            user.name = name.strip()[:200]
        if active is not None:
            user.active = active
        if language is not None:
            if language not in LANGUAGES:
                raise InputError(
                    f"unknown UI language {language!r}", hint=f"use one of {', '.join(LANGUAGES)}"
                )
            user.language = language
        if team_id is not ...:
            if team_id is not None and session.get(Team, team_id) is None:
                raise NotFoundError(f"no team {team_id}")
            user.team_id = team_id  # type: ignore[assignment]
        if password is not None:
            user.password_hash = hash_password(password)
        if before["role"] == Role.OWNER.value and before["active"]:
            _guard_last_owner(session, user)
        _audit(session, actor, "user.update" if password is None else "user.password", user, before)
        session.flush()
        view = UserView.model_validate(user)
    invalidate()  # a role or state change applies to the next request, not after the cache TTL
    return view


def _guard_last_owner(session: Session, changed: User) -> None:
    """An installation keeps an active owner, or nobody could manage users again (checked when
    an active owner is demoted or disabled)."""
    owners = session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.OWNER.value, User.active.is_(True))
    )
    if not owners:
        raise InputError(f"{changed.email} is the last active owner", hint="make another user an owner first")


def authenticate(db: Database, email: str, password: str) -> Principal:
    """Check an email and password. The same error for a wrong email, a wrong password and a
    disabled account, so sign-in does not reveal which accounts exist."""
    failure = AuthenticationError("wrong email or password", hint="check both, or ask an owner to reset it")
    try:
        email = normalise_email(email)
    except InputError:
        verify_password(password, DUMMY_HASH)
        raise failure from None
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None or not user.password_hash:
            verify_password(password, DUMMY_HASH)
            raise failure
        if not verify_password(password, user.password_hash) or not user.active:
            raise failure
        user.last_login_at = utcnow()
        return principal_for(user, via="session")


def principal_for(user: User, *, via: str) -> Principal:
    return Principal(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        language=user.language or "en",
        team_id=user.team_id,
        via=via,
    )
