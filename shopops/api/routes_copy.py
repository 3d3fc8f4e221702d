"""``/api/copy``: write checked copy for a product; each variant becomes a draft for review."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from shopops.api.app import get_context
from shopops.api.security import copy_writer
from shopops.auth.accounts import Principal
from shopops.context import AppContext
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
