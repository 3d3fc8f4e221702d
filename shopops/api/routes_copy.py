"""``/api/copy``: write checked copy for a product; each variant becomes a draft for review."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from shopops.api.app import get_context
from shopops.api.security import copy_writer, exporter
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.copy.export import export_csv_text
from shopops.copy.service import write_copy
from shopops.copy.types import CopyRequest

router = APIRouter(prefix="/api/copy", tags=["copy"])


@router.post("/write")
def write(
    request: CopyRequest, _: Principal = Depends(copy_writer), ctx: AppContext = Depends(get_context)
) -> list[dict[str, Any]]:
    """Generate ``request.variants`` variants, check them, save them as drafts, and return them
    (each with its ``draft_id`` and check ``flags``; ``checks.blocking`` tells whether approval is
    blocked). A sync handler: FastAPI runs it in a worker thread while the model writes."""
    return [
        {**result.model_dump(mode="json"), "checks": result.checks.as_json()}
        for result in write_copy(ctx, request)
    ]


@router.get(
    "/export",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Shopify product import CSV"}},
)
def export(
    format: Literal["shopify"] = "shopify",
    language: str | None = Query(None, max_length=10, description="only copy in this language"),
    _: Principal = Depends(exporter),
    ctx: AppContext = Depends(get_context),
) -> PlainTextResponse:
    """Approved copy merged onto the products, as a Shopify product import CSV (download)."""
    text, report = export_csv_text(ctx.db, format=format, language=language)
    return PlainTextResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="shopops-shopify-export.csv"',
            "X-Shopops-Products": str(report.products),
        },
    )
