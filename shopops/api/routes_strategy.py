"""Strategy drafts, competitor prices and the daily briefing over HTTP.

* ``POST /api/strategy/drafts`` (``drafts.edit``; calls the model, admission-controlled): a SWOT
  draft from the store's trends into the review queue;
* ``POST /api/strategy/competitors`` (``catalog.write``; multipart ``file``): import a competitor
  price file, all or nothing, and compare it with our prices; a bad file answers 422 naming the
  uploaded file, its rows and fields;
* ``GET /api/strategy/trends`` and ``GET /api/briefing?role=`` (``read``): the numbers behind a
  draft, and what each team needs to look at today (every role when ``role`` is left out).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from shopops.api.admission import admission_for
from shopops.api.app import get_context
from shopops.api.routes_work import Strict
from shopops.api.security import catalog_writer, editor, reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.errors import InputError
from shopops.ingest.tables import TABULAR_SUFFIXES
from shopops.reports.briefing import Briefing, all_briefings, parse_role
from shopops.reports.competitors import (
    CompetitorPricesError,
    PriceComparison,
    compare_prices,
    import_competitor_prices,
)
from shopops.reports.strategy import draft_strategy
from shopops.reports.trends import DEFAULT_WINDOW_DAYS, TrendsReport, market_trends

router = APIRouter(tags=["strategy"])
BUSY = {503: {"description": "busy: retry after the Retry-After header's seconds"}}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class StrategyBody(Strict):
    category: str | None = Field(
        default=None, max_length=500, description="a category path, e.g. 'Home & Garden'"
    )
    window_days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=7, le=365)
    use_competitors: bool = Field(default=True, description="compare the newest stored competitor prices")


class StrategyOut(BaseModel):
    draft_id: int
    summary: str
    text: str
    claims: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    numbers_checked: int


class CompetitorImportOut(BaseModel):
    import_id: str
    created: bool
    source: str
    rows: int
    competitors: list[str]
    comparison: PriceComparison


class BriefingsOut(BaseModel):
    briefings: list[Briefing]


@router.post(
    "/api/strategy/drafts", response_model=StrategyOut, summary="Draft a SWOT strategy", responses=BUSY
)
def post_strategy_draft(
    body: StrategyBody, principal: Principal = Depends(editor), ctx: AppContext = Depends(get_context)
) -> StrategyOut:
    with admission_for(ctx).slot():
        result = draft_strategy(
            ctx,
            actor=principal.email,
            category=body.category,
            window_days=body.window_days,
            use_stored_competitors=body.use_competitors,
        )
    return StrategyOut(
        draft_id=result.draft_id,
        summary=result.summary,
        text=result.text,
        claims=result.claims,
        flags=[f.model_dump() for f in result.flags],
        numbers_checked=result.numbers_checked,
    )


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name, made safe for a temporary directory (the suffix names the format)."""
    name = re.sub(r"[^\w.\- ]+", "_", Path(filename or "").name).strip(" .") or "upload.csv"
    if Path(name).suffix.lower() not in TABULAR_SUFFIXES:
        raise InputError(
            f"{name}: unsupported file type '{Path(name).suffix or '(none)'}'",
            hint="upload a .csv, .tsv, .json or .jsonl file",
        )
    return name[:200]


@router.post(
    "/api/strategy/competitors", response_model=CompetitorImportOut, summary="Import competitor prices"
)
def post_competitors(
    file: UploadFile = File(..., description="sku or handle, competitor, price, currency, observed_at"),
    category: str | None = Query(None, max_length=500, description="compare only this category"),
    principal: Principal = Depends(catalog_writer),
    ctx: AppContext = Depends(get_context),
) -> CompetitorImportOut:
    name = upload_name(file.filename)
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB", hint="split the file"
        )
    with tempfile.TemporaryDirectory(prefix="shopops-competitors-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            imported = import_competitor_prices(ctx, path, actor=principal.email, name=name)
        except CompetitorPricesError:
            raise
        except InputError as exc:  # reading the file: say the upload's name, not the temporary path
            raise InputError(exc.message.replace(str(path), name), hint=exc.hint) from None
    return CompetitorImportOut(
        import_id=imported.id,
        created=imported.created,
        source=imported.source,
        rows=len(imported.rows),
        competitors=imported.competitors,
        comparison=compare_prices(ctx.db, imported, category=category),
    )


@router.get("/api/strategy/trends", response_model=TrendsReport, summary="Category trends behind a strategy")
def get_trends(
    category: str | None = Query(None, max_length=500),
    window_days: int = Query(DEFAULT_WINDOW_DAYS, ge=7, le=365),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> TrendsReport:
    return market_trends(ctx.db, category=category, window_days=window_days)


@router.get("/api/briefing", response_model=BriefingsOut, summary="Today's briefing per team")
def get_briefing(
    role: str | None = Query(None, max_length=20, description="operations, service or merchandising"),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> BriefingsOut:
    roles = [parse_role(role)] if role else None
    return BriefingsOut(briefings=all_briefings(ctx.db, roles))
