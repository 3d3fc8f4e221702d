"""``/inbox``: the signed-in person's open assignments and unread notifications.

Everyone may read their own inbox and mark its notifications read (``read``, as ``/api/inbox``);
nobody sees another person's. Links go to the entity's page in the workspace: a ticket to
``/support/{id}``, a draft to ``/queue/{id}``.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.web.render import context_of, render
from shopops.workflow.assignment import inbox, mark_read
from shopops.workflow.entities import link_for

router = APIRouter(include_in_schema=False)
MAX_IDS = 500


@router.get("/inbox")
def my_inbox(request: Request, who: Principal = Depends(reader)) -> Response:
    box = inbox(context_of(request).db, who.id, now=dt.datetime.now(dt.UTC))
    return render(
        request,
        "inbox/index.html",
        who,
        active="/inbox",
        items=[(item, link_for(item.entity_type, item.entity_id)) for item in box.items],
        notifications=[(note, link_for(note.entity_type, note.entity_id)) for note in box.notifications],
        unread=box.unread,
    )


@router.post("/inbox/read")
def read(
    request: Request,
    ids: list[int] | None = Form(None, max_length=MAX_IDS),
    who: Principal = Depends(reader),
) -> Response:
    """Mark the given notifications read, or all of them when none are given."""
    wanted = [value for value in ids or [] if 1 <= value <= 2**31 - 1]
    mark_read(context_of(request).db, who.id, wanted or None)
    return RedirectResponse("/inbox", status_code=303)
