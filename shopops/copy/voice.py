"""Saved brand voices (``voice_profiles``): tone, words to use and avoid, example copy.

A store has at most one default voice; copy requests that name no voice use it, and a store
without any saved voice uses ``VoiceProfile()``'s defaults. The first voice saved becomes the
default; saving another with ``default=True`` moves the default to it.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shopops.copy.types import VoiceProfile
from shopops.errors import InputError, NotFoundError
from shopops.store.models import VoiceProfileRecord


def _profile(record: VoiceProfileRecord) -> VoiceProfile:
    return VoiceProfile.model_validate({**(record.profile or {}), "name": record.name})


def _record(session: Session, name: str) -> VoiceProfileRecord | None:
    return session.scalar(select(VoiceProfileRecord).where(VoiceProfileRecord.name == name))


def get_voice(session: Session, name: str | None = None) -> VoiceProfile:
    """The voice called ``name``; without a name the store's default, or the built-in defaults."""
    if name is None:
        record = session.scalar(
            select(VoiceProfileRecord).where(VoiceProfileRecord.is_default.is_(True)).limit(1)
        )
        return _profile(record) if record is not None else VoiceProfile()
    record = _record(session, name)
    if record is None:
        known = ", ".join(v.name for v, _ in list_voices(session)) or "none saved yet"
        raise NotFoundError(
            f"no voice profile named {name!r} (saved: {known})",
            hint="save one with `shopops copy voice set --name NAME --tone ...`, or leave out --voice "
            "to use the store's default voice",
        )
    return _profile(record)


def list_voices(session: Session) -> list[tuple[VoiceProfile, bool]]:
    """Every saved voice with whether it is the default, the default first."""
    records = session.scalars(
        select(VoiceProfileRecord).order_by(VoiceProfileRecord.is_default.desc(), VoiceProfileRecord.name)
    )
    return [(_profile(record), record.is_default) for record in records]


def save_voice(session: Session, profile: VoiceProfile, *, default: bool | None = None) -> VoiceProfile:
    """Create or replace the voice ``profile.name``. ``default=None`` keeps the current default
    (or makes this the default when there is none); True makes it the default."""
    name = profile.name.strip()
    if not name:
        raise InputError("a voice profile needs a name", hint="pass --name, e.g. --name default")
    profile = profile.model_copy(update={"name": name})
    record = _record(session, name)
    if record is None:
        record = VoiceProfileRecord(name=name, is_default=False)
        session.add(record)
    has_default = session.scalar(
        select(VoiceProfileRecord.id).where(VoiceProfileRecord.is_default.is_(True)).limit(1)
    )
    if default is None:
        default = record.is_default or has_default is None
    if default and not record.is_default:
        session.execute(update(VoiceProfileRecord).values(is_default=False))
    record.is_default = default
    record.profile = profile.model_dump(exclude={"name"})
    session.flush()
    return profile


def update_voice(
    session: Session,
    name: str | None = None,
    *,
    tone: str | None = None,
    audience: str | None = None,
    words_to_use: list[str] | None = None,
    words_to_avoid: list[str] | None = None,
    examples: list[str] | None = None,
    default: bool | None = None,
) -> VoiceProfile:
    """Change the given fields of a voice (the default voice when ``name`` is None), creating it
    from the built-in defaults when it does not exist yet."""
    if name is None:
        current = get_voice(session)
    else:
        record = _record(session, name)
        current = _profile(record) if record is not None else VoiceProfile(name=name)
    changes = {
        key: value
        for key, value in {
            "tone": tone,
            "audience": audience,
            "words_to_use": words_to_use,
            "words_to_avoid": words_to_avoid,
            "examples": examples,
        }.items()
        if value is not None
    }
    try:
        profile = VoiceProfile.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(
            f"invalid voice profile: {problems}",
            hint="at most 30 words to use, 50 to avoid and 3 examples",
        ) from None
    return save_voice(session, profile, default=default)
