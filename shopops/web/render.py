"""Rendering pages: the Jinja2 environment, the language of a request, and the page context.

Every page gets ``t`` (the message catalogue in the request's language), ``who`` (the signed-in
:class:`~shopops.auth.accounts.Principal`, or None on the sign-in page), ``csrf`` (the token plain
forms post as ``csrf_token`` and htmx sends as ``X-CSRF-Token``), ``can("drafts.decide")`` and the
navigation. The language comes from ``?lang=`` (the switch in the header, remembered in the
``lang`` cookie), else the ``lang`` cookie, else the user's own language, else Accept-Language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shopops.auth.accounts import Principal
from shopops.auth.roles import Permission, can
from shopops.auth.sessions import csrf_token
from shopops.context import AppContext
from shopops.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "lang"
PER_PAGE = 25
# A row id in a page path: the store's ids are 32-bit (PostgreSQL INTEGER); larger ones answer 422.
RowId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]

# (href, message key): the header navigation, in order.
NAV: tuple[tuple[str, str], ...] = (
    ("/", "nav.dashboard"),
    ("/catalog", "nav.catalog"),
    ("/queue", "nav.queue"),
    ("/support", "nav.support"),
    ("/inbox", "nav.inbox"),
    ("/reviews", "nav.reviews"),
    ("/forecasts", "nav.forecasts"),
    ("/alerts", "nav.alerts"),
    ("/reports", "nav.reports"),
    ("/settings", "nav.settings"),
)

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def context_of(request: Request) -> AppContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _accepted(header: str) -> str | None:
    """The first supported language in an Accept-Language header (weights in order of listing)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = code.strip().lower().split("-")[0]
        if base in LANGUAGES and weight > 0:
            ranked.append((-weight, position, base))
    return min(ranked)[2] if ranked else None


def language_of(request: Request, who: Principal | None) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if who is not None and who.language in LANGUAGES:
        return who.language
    return _accepted(request.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


def csrf_of(request: Request) -> str | None:
    token = getattr(request.state, "session_token", None)
    return csrf_token(token) if token else None


@dataclass(frozen=True)
class Pager:
    """One page of a list: where it is and the links to its neighbours (other filters kept)."""

    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * PER_PAGE


def pager(request: Request, total: int, page: int, per_page: int = PER_PAGE) -> Pager:
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)

    def url(number: int) -> str:
        target = request.url.include_query_params(page=number)
        return f"{target.path}?{target.query}"

    return Pager(
        page=page,
        pages=pages,
        total=total,
        prev_url=url(page - 1) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
    )


def page_offset(page: int, per_page: int = PER_PAGE) -> int:
    return (max(1, page) - 1) * per_page


def render(
    request: Request,
    template: str,
    who: Principal | None,
    *,
    status_code: int = 200,
    active: str = "",
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """``template`` rendered with the page context; remembers a language picked with ``?lang=``."""
    lang = language_of(request, who)

    def lang_url(code: str) -> str:
        target = request.url.include_query_params(lang=code)
        return f"{target.path}?{target.query}"

    def may(permission: str) -> bool:
        return who is not None and can(who.role, Permission(permission))

    html = environment.get_template(template).render(
        request=request,
        t=translator(lang),
        lang=lang,
        ui_languages=LANGUAGES,
        who=who,
        csrf=csrf_of(request),
        can=may,
        nav=NAV,
        active=active,
        lang_url=lang_url,
        htmx=is_htmx(request),
        **values,
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    picked = request.query_params.get("lang")
    if picked in LANGUAGES and picked != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, picked, max_age=365 * 86400, samesite="lax", path="/")
    return response
