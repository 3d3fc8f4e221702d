"""``/settings/teams``: the teams work is routed to (intents, languages, time zone, hours, fallback).

Everyone may read the list; adding, changing and deleting a team needs ``settings.manage`` (as
``/api/teams``). The back end (:mod:`shopops.workflow.teams`) checks every field; its errors (an
unknown time zone, malformed hours, a taken name) are shown on the page above the form, whose
values are kept so they can be fixed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from shopops.api.security import reader, settings_manager
from shopops.auth.accounts import Principal
from shopops.errors import InputError, NotFoundError
from shopops.web.pages_settings import split_words
from shopops.web.render import RowId, context_of, render
from shopops.workflow.routing import DAY_NAMES
from shopops.workflow.teams import create_team, delete_team, list_teams, update_team

router = APIRouter(include_in_schema=False)


def hours_of(days: list[int] | None, start: str, end: str) -> dict[str, Any]:
    """Business hours from the form: nothing filled in means always open ({})."""
    start, end = start.strip(), end.strip()
    if not days and not start and not end:
        return {}
    return {"days": sorted(set(days or [])), "start": start or None, "end": end or None}


def fields_of(
    name: str, intents: str, languages: str, timezone: str, hours: dict[str, Any], fallback: bool
) -> dict[str, Any]:
    return {
        "name": name,
        "intents": split_words(intents),
        "languages": split_words(languages),
        "timezone": timezone.strip() or "UTC",
        "hours": hours,
        "fallback": fallback,
    }


def teams_page(
    request: Request,
    who: Principal,
    *,
    error: str = "",
    values: dict[str, Any] | None = None,
    failed_id: int | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "settings/teams.html",
        who,
        status_code=status_code,
        active="/settings",
        teams=list_teams(context_of(request).db),
        day_names=DAY_NAMES,
        error=error,
        values=values or {},
        failed_id=failed_id,
    )


def _back(team_id: int | None = None) -> Response:
    return RedirectResponse(f"/settings/teams#team-{team_id}" if team_id else "/settings/teams", 303)


@router.get("/settings/teams")
def teams(request: Request, who: Principal = Depends(reader)) -> Response:
    return teams_page(request, who)


@router.post("/settings/teams")
def add_team(
    request: Request,
    name: str = Form("", max_length=100),
    intents: str = Form("", max_length=2000),
    languages: str = Form("", max_length=500),
    timezone: str = Form("UTC", max_length=60),
    days: list[int] | None = Form(None, max_length=7),
    start: str = Form("", max_length=5),
    end: str = Form("", max_length=5),
    fallback: bool = Form(False),
    who: Principal = Depends(settings_manager),
) -> Response:
    fields = fields_of(name, intents, languages, timezone, hours_of(days, start, end), fallback)
    try:
        team = create_team(context_of(request).db, actor=who.email, **fields)
    except InputError as exc:
        values = {
            **fields,
            "intents": intents,
            "languages": languages,
            "days": days or [],
            "start": start,
            "end": end,
        }
        return teams_page(request, who, error=str(exc), values=values, status_code=exc.http_status)
    return _back(team.id)


@router.post("/settings/teams/{team_id}")
def edit_team(
    team_id: RowId,
    request: Request,
    name: str = Form(..., max_length=100),
    intents: str = Form("", max_length=2000),
    languages: str = Form("", max_length=500),
    timezone: str = Form("UTC", max_length=60),
    days: list[int] | None = Form(None, max_length=7),
    start: str = Form("", max_length=5),
    end: str = Form("", max_length=5),
    fallback: bool = Form(False),
    who: Principal = Depends(settings_manager),
) -> Response:
    fields = fields_of(name, intents, languages, timezone, hours_of(days, start, end), fallback)
    try:
        update_team(context_of(request).db, team_id, actor=who.email, **fields)
    except InputError as exc:
        if isinstance(exc, NotFoundError):
            raise
        return teams_page(request, who, error=str(exc), failed_id=team_id, status_code=exc.http_status)
    return _back(team_id)


@router.post("/settings/teams/{team_id}/delete")
def remove_team(team_id: RowId, request: Request, who: Principal = Depends(settings_manager)) -> Response:
    """Delete a team: its members stay (without a team), its work stays with its assignees."""
    delete_team(context_of(request).db, team_id, actor=who.email)
    return _back()
