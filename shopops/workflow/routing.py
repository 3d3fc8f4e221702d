"""Routing: which team should take a piece of work, given its intent, its language and the time.

A team declares the ``intents`` and ``languages`` it handles (``[]`` = any), its ``timezone`` (an
IANA name) and its business ``hours`` (``{"days": [0..6, Monday=0], "start": "09:00", "end":
"18:00"}``; ``{}`` = always open). A shift whose end is not after its start runs overnight and
belongs to the day it starts on (``{"days": [4], "start": "22:00", "end": "06:00"}`` is Friday
22:00 to Saturday 06:00); ``"24:00"`` may end a shift at midnight.

The most specific match wins (intent and language > intent > language > catch-all); among equally
specific teams one that is open now wins, then the one that opens soonest, then a non-fallback
team, then the oldest. Work no team matches goes to a ``fallback`` team. Every decision carries a
reason a person can read, e.g. ``intent refund + language zh → 售后 (open until 18:00
Asia/Shanghai)``.

Times: a naive datetime means UTC (as the store keeps them); ``next_open`` is returned naive UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopops.errors import InputError
from shopops.store.models import Team

log = logging.getLogger("shopops.routing")
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60


class RoutingDecision(BaseModel):
    team_id: int | None
    team_name: str | None
    reason: str
    open_now: bool
    next_open: dt.datetime | None = None  # naive UTC; None when open now or the team never opens


@dataclass(frozen=True)
class Hours:
    """Parsed business hours: weekdays (Monday=0) and minutes after local midnight."""

    days: frozenset[int]
    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


# -- pure helpers --------------------------------------------------------------------------------


def validate_timezone(name: str) -> ZoneInfo:
    """The zone for an IANA name, or an :class:`InputError` that says what to write."""
    name = (name or "").strip()
    try:
        if not name or len(name) > 60 or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC"
        ) from None


def _minutes(value: Any, field: str, *, allow_24: bool) -> int:
    if allow_24 and value == "24:00":
        return MINUTES_PER_DAY
    match = HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise InputError(
            f"hours.{field} must be a time HH:MM (got {value!r})",
            hint='e.g. {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}',
        )
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_hours(hours: dict[str, Any] | None) -> Hours | None:
    """Check a team's ``hours``; None means always open. Raises :class:`InputError` when malformed."""
    if not hours:
        return None
    if not isinstance(hours, dict):
        raise InputError(
            "hours must be an object", hint='e.g. {"days": [0, 1, 2, 3, 4], "start": "09:00"...}'
        )
    unknown = sorted(set(hours) - {"days", "start", "end"})
    if unknown:
        raise InputError(f"unknown hours field(s): {', '.join(unknown)}", hint="use days, start and end")
    days = hours.get("days")
    if (
        not isinstance(days, list)
        or not days
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
    ):
        raise InputError(
            f"hours.days must be a non-empty list of weekdays 0..6, Monday=0 (got {days!r})",
            hint="[0, 1, 2, 3, 4] is Monday to Friday; use {} for a team that is always open",
        )
    start = _minutes(hours.get("start"), "start", allow_24=False)
    end = _minutes(hours.get("end"), "end", allow_24=True)
    if start == end:
        raise InputError("hours.start and hours.end are equal", hint="use {} for a team that is always open")
    return Hours(frozenset(days), start, end)


def normalise_hours(hours: dict[str, Any] | None) -> dict[str, Any]:
    """The canonical stored form of valid hours (sorted unique days)."""
    parsed = parse_hours(hours)
    if parsed is None:
        return {}
    assert hours is not None
    return {"days": sorted(parsed.days), "start": hours["start"], "end": hours["end"]}


def _aware(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def _naive_utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(tzinfo=None)


def _shifts(
    hours: Hours, zone: ZoneInfo, local_day: dt.date, *, before: int, after: int
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each shift starting from ``before`` days before to ``after`` days after."""
    for offset in range(-before, after + 1):
        day = local_day + dt.timedelta(days=offset)
        if day.weekday() not in hours.days:
            continue
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        start = midnight + dt.timedelta(minutes=hours.start)
        end = midnight + dt.timedelta(minutes=hours.end + (MINUTES_PER_DAY if hours.overnight else 0))
        yield start, end


def current_shift(
    hours: Hours | None, zone: ZoneInfo, at: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """The (local start, local end) of the shift open at ``at``, or None when closed then."""
    if hours is None:
        raise ValueError("a team without hours has no shifts")
    moment = _aware(at)
    local = moment.astimezone(zone)
    for start, end in _shifts(hours, zone, local.date(), before=1, after=0):
        if start <= moment < end:  # aware comparison: wall times are converted to instants
            return start, end
    return None


def is_open_at(hours: dict[str, Any] | Hours | None, timezone: str, at: dt.datetime) -> bool:
    """Whether a team with these hours is open at ``at`` (naive = UTC)."""
    parsed = hours if isinstance(hours, Hours) or hours is None else parse_hours(hours)
    if parsed is None:
        return True
    return current_shift(parsed, validate_timezone(timezone), at) is not None


def next_opening(hours: dict[str, Any] | Hours | None, timezone: str, at: dt.datetime) -> dt.datetime | None:
    """When the team is next open, as naive UTC: ``at`` itself when open now, None if never."""
    parsed = hours if isinstance(hours, Hours) or hours is None else parse_hours(hours)
    if parsed is None:
        return _naive_utc(_aware(at))
    zone = validate_timezone(timezone)
    moment = _aware(at)
    if current_shift(parsed, zone, moment) is not None:
        return _naive_utc(moment)
    local = moment.astimezone(zone)
    for start, _end in _shifts(parsed, zone, local.date(), before=0, after=8):
        if start > moment:
            return _naive_utc(start)
    return None


# -- routing -------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    team: Team
    score: int
    open_now: bool
    until: dt.datetime | None  # local end of the current shift (None: always open)
    next_open: dt.datetime | None  # naive UTC, when closed
    zone_name: str

    def sort_key(self) -> tuple[int, int, dt.datetime, int, int]:
        far = dt.datetime.max
        return (
            -self.score,
            0 if self.open_now else 1,
            self.next_open or far,
            int(self.team.fallback),
            self.team.id,
        )

    def hours_text(self) -> str:
        if self.open_now:
            return "always open" if self.until is None else f"open until {self.until:%H:%M} {self.zone_name}"
        if self.next_open is None:
            return "closed; no opening hours"
        local = _aware(self.next_open).astimezone(ZoneInfo(self.zone_name))
        return f"closed; opens {DAY_NAMES[local.weekday()]} {local:%H:%M} {self.zone_name}"


def _lang(value: str) -> str:
    return (value or "").strip().lower().replace("_", "-").split("-")[0]


def _score(team: Team, intent: str, language: str) -> int | None:
    """3 intent+language, 2 intent, 1 language, 0 catch-all; None when the team does not match."""
    intents = {str(i).strip().lower() for i in team.intents or []}
    languages = {_lang(str(lang)) for lang in team.languages or []}
    score = 0
    if intents:
        if intent not in intents:
            return None
        score += 2
    if languages:
        if language not in languages:
            return None
        score += 1
    return score


def _candidate(team: Team, score: int, at: dt.datetime) -> _Candidate:
    try:
        zone = validate_timezone(team.timezone)
        hours = parse_hours(team.hours)
    except InputError as exc:  # written around the API: treat as always open rather than lose work
        log.warning("team %s has invalid hours or time zone (%s); treated as always open", team.name, exc)
        return _Candidate(team, score, True, None, None, "UTC")
    if hours is None:
        return _Candidate(team, score, True, None, None, zone.key)
    shift = current_shift(hours, zone, at)
    if shift is not None:
        return _Candidate(team, score, True, shift[1], None, zone.key)
    return _Candidate(team, score, False, None, next_opening(hours, zone.key, at), zone.key)


def _describe(intent: str, language: str) -> str:
    parts = ([f"intent {intent}"] if intent else []) + ([f"language {language}"] if language else [])
    return " + ".join(parts) or "work with no intent or language"


MATCHED = {3: "intent {i} + language {l}", 2: "intent {i}", 1: "language {l}", 0: "catch-all"}


def route_work(session: Session, *, intent: str, language: str, at: dt.datetime) -> RoutingDecision:
    """The team that should take work of this intent and language at ``at``, and why."""
    intent = (intent or "").strip().lower()
    language = _lang(language)
    moment = _aware(at)
    teams = list(session.scalars(select(Team).order_by(Team.id)))
    if not teams:
        return RoutingDecision(
            team_id=None, team_name=None, open_now=False, reason="no teams are set up (settings → teams)"
        )
    matched = [
        _candidate(team, score, moment)
        for team in teams
        if (score := _score(team, intent, language)) is not None
    ]
    if matched:
        best = min(matched, key=_Candidate.sort_key)
        label = MATCHED[best.score].format(i=intent, l=language)
    else:
        fallbacks = [_candidate(team, 0, moment) for team in teams if team.fallback]
        if not fallbacks:
            return RoutingDecision(
                team_id=None,
                team_name=None,
                open_now=False,
                reason=f"no team handles {_describe(intent, language)} and no team is marked fallback",
            )
        best = min(fallbacks, key=_Candidate.sort_key)
        label = f"fallback for {_describe(intent, language)}"
    return RoutingDecision(
        team_id=best.team.id,
        team_name=best.team.name,
        open_now=best.open_now,
        next_open=best.next_open,
        reason=f"{label} → {best.team.name} ({best.hours_text()})",
    )
