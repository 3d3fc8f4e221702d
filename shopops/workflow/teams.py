"""Teams: the groups work is routed to (see :mod:`shopops.workflow.routing` for how).

A team is a name, the ticket ``intents`` and ``languages`` it takes (``[]`` = any), an IANA
``timezone``, business ``hours`` (``{}`` = always open) and whether it is the ``fallback`` for
work no other team matches. Everything is checked here, so routing never meets a time zone or an
hours object it cannot read. Deleting a team leaves its members without a team and its
assignments unrouted (the foreign keys set them to NULL); both are audited.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopops.errors import InputError, NotFoundError
from shopops.store.db import Database
from shopops.store.models import Assignment, Team, User, UtcDateTime
from shopops.workflow.entities import audit, clean_text
from shopops.workflow.routing import normalise_hours, validate_timezone

MAX_INTENTS = 50
MAX_LANGUAGES = 20
INTENT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,49}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
UNSET: Any = object()


class TeamView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    intents: list[str]
    languages: list[str]
    timezone: str
    hours: dict[str, Any]
    fallback: bool
    members: int = 0
    open_assignments: int = 0
    created_at: UtcDateTime | None = None
    updated_at: UtcDateTime | None = None


def _codes(
    values: list[str] | None, field: str, pattern: re.Pattern[str], limit: int, example: str
) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list) or len(values) > limit:
        raise InputError(f"{field} must be a list of at most {limit} values")
    out: list[str] = []
    for value in values:
        code = str(value).strip().lower().replace("_", "-")
        if not pattern.match(code):
            raise InputError(f"{field}: {value!r} is not a valid value", hint=f"e.g. {example}; [] means any")
        if code not in out:
            out.append(code)
    return out


def _snapshot(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "intents": team.intents,
        "languages": team.languages,
        "timezone": team.timezone,
        "hours": team.hours,
        "fallback": team.fallback,
    }


def _view(session: Session, team: Team) -> TeamView:
    view = TeamView.model_validate(team)
    view.members = session.scalar(select(func.count()).select_from(User).where(User.team_id == team.id)) or 0
    view.open_assignments = (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.team_id == team.id, Assignment.status == "open")
        )
        or 0
    )
    return view


def _load(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id) if 0 < team_id <= 2**31 - 1 else None
    if team is None:
        raise NotFoundError(f"no team {team_id}", hint="list teams with GET /api/teams")
    return team


def _unique_name(session: Session, name: str, team_id: int | None) -> str:
    name = clean_text(name, "team name", max_length=100)
    # Compared here, not with SQL lower(): SQLite lower-cases ASCII only. Teams are few.
    taken = {other.casefold() for key, other in session.execute(select(Team.id, Team.name)) if key != team_id}
    if name.casefold() in taken:
        raise InputError(
            f"a team named {name!r} already exists", hint="choose another name or edit that team"
        )
    return name


def list_teams(db: Database) -> list[TeamView]:
    with db.session() as session:
        return [_view(session, team) for team in session.scalars(select(Team).order_by(Team.name))]


def get_team(db: Database, team_id: int) -> TeamView:
    with db.session() as session:
        return _view(session, _load(session, team_id))


def create_team(
    db: Database,
    *,
    actor: str,
    name: str,
    intents: list[str] | None = None,
    languages: list[str] | None = None,
    timezone: str = "UTC",
    hours: dict[str, Any] | None = None,
    fallback: bool = False,
) -> TeamView:
    """A new team; every field is checked (unknown time zone, malformed hours: InputError)."""
    with db.session() as session:
        team = Team(
            name=_unique_name(session, name, None),
            intents=_codes(intents, "intents", INTENT, MAX_INTENTS, '["refund", "shipping"]'),
            languages=_codes(languages, "languages", LANGUAGE, MAX_LANGUAGES, '["en", "zh"]'),
            timezone=validate_timezone(timezone).key,
            hours=normalise_hours(hours),
            fallback=bool(fallback),
        )
        session.add(team)
        session.flush()
        audit(session, actor, "team.create", "team", team.id, None, _snapshot(team))
        return _view(session, team)


def update_team(
    db: Database,
    team_id: int,
    *,
    actor: str,
    name: str = UNSET,
    intents: list[str] = UNSET,
    languages: list[str] = UNSET,
    timezone: str = UNSET,
    hours: dict[str, Any] = UNSET,
    fallback: bool = UNSET,
) -> TeamView:
    """Change the fields given (the others stay as they are)."""
    with db.session() as session:
        team = _load(session, team_id)
        before = _snapshot(team)
        if name is not UNSET:
            team.name = _unique_name(session, name, team.id)
        if intents is not UNSET:
            team.intents = _codes(intents, "intents", INTENT, MAX_INTENTS, '["refund", "shipping"]')
        if languages is not UNSET:
            team.languages = _codes(languages, "languages", LANGUAGE, MAX_LANGUAGES, '["en", "zh"]')
        if timezone is not UNSET:
            team.timezone = validate_timezone(timezone).key
        if hours is not UNSET:
            team.hours = normalise_hours(hours)
        if fallback is not UNSET:
            team.fallback = bool(fallback)
        session.flush()
        audit(session, actor, "team.update", "team", team.id, before, _snapshot(team))
        return _view(session, team)


def delete_team(db: Database, team_id: int, *, actor: str) -> None:
    """Remove a team; its members keep their accounts and its assignments their assignees."""
    with db.session() as session:
        team = _load(session, team_id)
        before = _snapshot(team)
        # Explicit rather than trusting ON DELETE SET NULL alone (SQLite enforces it per connection).
        for user in session.scalars(select(User).where(User.team_id == team.id)):
            user.team_id = None
        for row in session.scalars(select(Assignment).where(Assignment.team_id == team.id)):
            row.team_id = None
        session.flush()
        session.delete(team)
        audit(session, actor, "team.delete", "team", team_id, before, None)
