"""Operations reports over HTTP: ``GET /api/reports/{weekly|monthly}.{html|pdf|md|json}``.

Reading a report needs ``read``. A report with the model's summary (the default) calls the model
and is admission-controlled (503 with ``Retry-After`` when the model is at capacity);
``narrative=false`` answers with the code's own sentences, without a model call. The PDF is sent as
an attachment named by the period (``weekly-2026-W43.pdf``).
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Literal

from fastapi import APIRouter, Depends, Query, Response

from shopops.api.admission import admission_for
from shopops.api.app import get_context
from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.reports.service import MEDIA_TYPES, build_report, render

router = APIRouter(prefix="/api/reports", tags=["reports"])
CONTENT = {
    200: {
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        "description": "the report in the format the path names",
    },
    503: {"description": "busy: retry after the Retry-After header's seconds"},
}


@router.get("/{kind}.{fmt}", response_class=Response, responses=CONTENT, summary="A weekly or monthly report")
def get_report(
    kind: Literal["weekly", "monthly"],
    fmt: Literal["html", "pdf", "md", "json"],
    end: dt.date | None = Query(default=None, description="the last complete period ending on or before it"),
    lang: Literal["en", "zh"] = "en",
    narrative: bool = Query(default=True, description="the model's checked summary (false: the code's)"),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> Response:
    gate = admission_for(ctx).slot("report") if narrative else nullcontext()
    with gate:
        report = build_report(ctx, kind, end=end, language=lang, narrative=narrative)
    headers = {}
    if fmt == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="{report.name}.pdf"'
    return Response(render(report, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)
