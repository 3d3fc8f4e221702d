"""Routing: business hours (overnight, weekends, DST), and which team takes work, on both stores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shopops.errors import InputError
from shopops.store.db import Database
from shopops.workflow.routing import is_open_at, next_opening, parse_hours, route_work, validate_timezone
from shopops.workflow.teams import create_team

WEEKDAYS: dict[str, Any] = {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}
MONDAY = dt.date(2026, 3, 2)


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Naive UTC, as the store keeps times."""
    return dt.datetime.combine(day, dt.time(hour, minute))


def plus(days: int) -> dt.date:
    return MONDAY + dt.timedelta(days=days)


# -- hours -----------------------------------------------------------------------------------------


def test_weekday_hours_in_a_time_zone() -> None:
    # Asia/Shanghai is UTC+8: 09:00-18:00 local is 01:00-10:00 UTC.
    assert not is_open_at(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 0, 59))
    assert is_open_at(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 1, 0))
    assert is_open_at(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 9, 59))
    assert not is_open_at(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 10, 0))
    assert next_opening(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 11)) == utc(plus(1), 1)
    # open now: the next opening is now
    assert next_opening(WEEKDAYS, "Asia/Shanghai", utc(MONDAY, 3)) == utc(MONDAY, 3)


def test_weekend_waits_for_monday() -> None:
    friday_evening = utc(plus(4), 11)  # 19:00 Friday in Shanghai
    assert not is_open_at(WEEKDAYS, "Asia/Shanghai", friday_evening)
    assert next_opening(WEEKDAYS, "Asia/Shanghai", friday_evening) == utc(plus(7), 1)
    assert not is_open_at(WEEKDAYS, "UTC", utc(plus(5), 12))  # Saturday noon


def test_overnight_shift_belongs_to_the_day_it_starts() -> None:
    night = {"days": [4], "start": "22:00", "end": "06:00"}  # Friday 22:00 to Saturday 06:00
    assert not is_open_at(night, "UTC", utc(plus(4), 21, 59))
    assert is_open_at(night, "UTC", utc(plus(4), 22))
    assert is_open_at(night, "UTC", utc(plus(5), 5, 59))
    assert not is_open_at(night, "UTC", utc(plus(5), 6))
    assert not is_open_at(night, "UTC", utc(plus(3), 23))  # Thursday night is not a shift
    assert next_opening(night, "UTC", utc(plus(5), 7)) == utc(plus(11), 22)  # next Friday


def test_a_shift_may_end_at_midnight_and_aware_times_work() -> None:
    late = {"days": [0], "start": "20:00", "end": "24:00"}
    assert is_open_at(late, "UTC", utc(MONDAY, 23, 59))
    assert not is_open_at(late, "UTC", utc(plus(1), 0))
    aware = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # 21:30 UTC
    assert is_open_at(late, "UTC", aware)


def test_daylight_saving_time_is_followed() -> None:
    # Berlin is UTC+1 before 29 March 2026 and UTC+2 after: 09:00 local moves from 08:00 to 07:00 UTC.
    assert not is_open_at(WEEKDAYS, "Europe/Berlin", utc(dt.date(2026, 3, 27), 7, 30))
    assert is_open_at(WEEKDAYS, "Europe/Berlin", utc(dt.date(2026, 3, 30), 7, 30))
    assert next_opening(WEEKDAYS, "Europe/Berlin", utc(dt.date(2026, 3, 28), 12)) == utc(
        dt.date(2026, 3, 30), 7
    )


def test_no_hours_means_always_open() -> None:
    assert parse_hours({}) is None
    assert is_open_at({}, "UTC", utc(plus(6), 3))
    assert next_opening(None, "UTC", utc(plus(6), 3)) == utc(plus(6), 3)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"days": [], "start": "09:00", "end": "18:00"}, "hours.days"),
        ({"days": [7], "start": "09:00", "end": "18:00"}, "hours.days"),
        ({"days": [True], "start": "09:00", "end": "18:00"}, "hours.days"),
        ({"days": [0], "start": "9am", "end": "18:00"}, "hours.start"),
        ({"days": [0], "start": "09:00", "end": "25:00"}, "hours.end"),
        ({"days": [0], "start": "09:00"}, "hours.end"),
        ({"days": [0], "start": "09:00", "end": "09:00"}, "equal"),
        ({"days": [0], "start": "09:00", "end": "18:00", "tz": "UTC"}, "unknown hours field"),
    ],
)
def test_malformed_hours_are_input_errors(hours: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_hours(hours)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "Asia/Shanghai\x00"])
def test_unknown_time_zones_are_input_errors(name: str) -> None:
    with pytest.raises(InputError, match="unknown time zone") as caught:
        validate_timezone(name)
    assert "IANA" in (caught.value.hint or "")


# -- routing ---------------------------------------------------------------------------------------


def teams(db: Database) -> dict[str, int]:
    made = {
        "售后": create_team(
            db,
            actor="t",
            name="售后",
            intents=["refund"],
            languages=["zh"],
            timezone="Asia/Shanghai",
            hours=WEEKDAYS,
        ),
        "Returns": create_team(db, actor="t", name="Returns", intents=["refund"]),
        "中文": create_team(
            db, actor="t", name="中文", languages=["zh"], timezone="Asia/Shanghai", hours=WEEKDAYS
        ),
        "General": create_team(db, actor="t", name="General", timezone="Europe/Berlin", hours=WEEKDAYS),
    }
    return {name: team.id for name, team in made.items()}


def test_most_specific_match_wins(db: Database) -> None:
    ids = teams(db)
    at = utc(MONDAY, 3)  # 11:00 Shanghai, 04:00 Berlin
    with db.session() as session:
        both = route_work(session, intent="refund", language="zh", at=at)
        intent_only = route_work(session, intent="Refund", language="en", at=at)
        language_only = route_work(session, intent="shipping", language="zh-CN", at=at)
        catch_all = route_work(session, intent="shipping", language="en", at=at)
    assert (both.team_id, both.open_now, both.next_open) == (ids["售后"], True, None)
    assert both.reason == "intent refund + language zh → 售后 (open until 18:00 Asia/Shanghai)"
    assert intent_only.team_id == ids["Returns"]
    assert intent_only.reason == "intent refund → Returns (always open)"
    assert language_only.team_id == ids["中文"]
    assert language_only.reason.startswith("language zh → 中文 (open until 18:00")
    assert catch_all.team_id == ids["General"]
    assert not catch_all.open_now
    assert catch_all.next_open == utc(MONDAY, 8)  # 09:00 in Berlin (UTC+1 in March)
    assert catch_all.reason == "catch-all → General (closed; opens Mon 09:00 Europe/Berlin)"


def test_an_open_team_beats_a_closed_one_of_equal_specificity(db: Database) -> None:
    night = {"days": [0, 1, 2, 3, 4, 5, 6], "start": "18:00", "end": "02:00"}
    day = create_team(db, actor="t", name="Day", intents=["shipping"], hours=WEEKDAYS)
    late = create_team(db, actor="t", name="Night", intents=["shipping"], hours=night)
    with db.session() as session:
        at_noon = route_work(session, intent="shipping", language="en", at=utc(MONDAY, 12))
        at_night = route_work(session, intent="shipping", language="en", at=utc(MONDAY, 23))
        at_dawn = route_work(session, intent="shipping", language="en", at=utc(plus(1), 4))
    assert at_noon.team_id == day.id
    assert at_night.team_id == late.id
    assert at_night.reason == "intent shipping → Night (open until 02:00 UTC)"
    # both closed at 04:00: the one that opens first (Day at 09:00, Night at 18:00)
    assert (at_dawn.team_id, at_dawn.open_now, at_dawn.next_open) == (day.id, False, utc(plus(1), 9))


def test_unmatched_work_goes_to_the_fallback_team(db: Database) -> None:
    create_team(db, actor="t", name="Returns", intents=["refund"])
    ops = create_team(db, actor="t", name="Ops", intents=["billing"], fallback=True)
    with db.session() as session:
        decision = route_work(session, intent="warranty", language="de", at=utc(MONDAY, 12))
        billing = route_work(session, intent="billing", language="de", at=utc(MONDAY, 12))
    assert decision.team_id == ops.id
    assert decision.reason == "fallback for intent warranty + language de → Ops (always open)"
    assert billing.reason == "intent billing → Ops (always open)"


def test_no_team_is_a_decision_with_a_reason(db: Database) -> None:
    with db.session() as session:
        none_at_all = route_work(session, intent="refund", language="en", at=utc(MONDAY, 12))
    create_team(db, actor="t", name="Returns", intents=["refund"])
    with db.session() as session:
        unmatched = route_work(session, intent="", language="", at=utc(MONDAY, 12))
    assert (none_at_all.team_id, none_at_all.team_name) == (None, None)
    assert "no teams are set up" in none_at_all.reason
    assert unmatched.team_id is None
    assert (
        unmatched.reason == "no team handles work with no intent or language and no team is marked fallback"
    )
