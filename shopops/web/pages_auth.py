"""``/login`` and ``/logout``: the sign-in form over :func:`shopops.api.routes_auth.sign_in`.

Both are public (the role walk lists them). A wrong password shows the error on the form; ``next``
only ever redirects to a local path. Signing out is a POST carrying the session's CSRF token, so
another site cannot sign a person out.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from shopops.api.routes_auth import sign_in
from shopops.api.security import CSRF_HEADER, SESSION_COOKIE
from shopops.auth.sessions import csrf_matches, end_session
from shopops.errors import AuthenticationError, PermissionDeniedError, RateLimitError
from shopops.web.render import context_of, render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/`` (no open redirects)."""
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(char) < 32 for char in target):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", None, next=safe_next(next), error="", email="")


@router.post("/login")
def login(
    request: Request,
    email: str = Form("", max_length=320),
    password: str = Form("", max_length=1024),
    next: str = Form("/", max_length=2000),
) -> Response:
    target = safe_next(next)
    response = RedirectResponse(target, status_code=303)
    try:
        sign_in(request, response, context_of(request), email, password)
    except (AuthenticationError, RateLimitError) as exc:
        status = exc.http_status
        return render(
            request, "login.html", None, status_code=status, next=target, error=exc.message, email=email
        )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        submitted = request.headers.get(CSRF_HEADER)
        if submitted is None:
            form = await request.form()
            value = form.get("csrf_token")
            submitted = value if isinstance(value, str) else None
        if not csrf_matches(token, submitted):
            raise PermissionDeniedError("missing or wrong CSRF token", hint="reload the page and try again")
        end_session(context_of(request).db, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
