"""Review intelligence over HTTP: analyse, summarise, trends, alerts, profiles, reply drafts, taxonomy.

Reading (summaries, trends, profiles, taxonomy) needs ``read``. Analysing and testing for alerts
write derived data and need ``drafts.edit``; reply drafts are customer-facing and need
``support.reply``; a category's aspect taxonomy is a setting (``settings.manage``). Work that calls
the model (``method=llm``, narratives, reply drafts) is admission-controlled: 503 with
``Retry-After`` when the model is at capacity.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from shopops.api.admission import admission_for
from shopops.api.app import ModelResponse, get_context
from shopops.api.routes_work import Strict
from shopops.api.security import editor, reader, settings_manager, support_agent
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.reviews.insights import (
    customer_profiles,
    detect_review_alerts,
    review_summary,
    review_trends,
)
from shopops.reviews.profiles import SegmentProfile
from shopops.reviews.replies import draft_replies
from shopops.reviews.service import analyze_reviews, load_analyzed
from shopops.reviews.summary import ReviewSummary
from shopops.reviews.taxonomy import load_taxonomy, save_taxonomy
from shopops.reviews.trends import WeeklyTrends
from shopops.store.models import MAX_ID
from shopops.workflow.alerts import AlertView

router = APIRouter(prefix="/api/reviews", tags=["reviews"])
BUSY = {503: {"description": "busy: retry after the Retry-After header's seconds"}}


class AnalyzeBody(Strict):
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    category: str | None = Field(default=None, max_length=500)
    method: Literal["fast", "llm"] | None = None
    force: bool = False


class AnalyzeOut(BaseModel):
    total: int
    analyzed: int
    unchanged: int
    seconds: float
    reviews_per_second: float
    method: str
    model_version: str


class SummaryOut(BaseModel):
    summary: ReviewSummary
    narrative: str | None = Field(default=None, description="the model's narrative, numbers checked")


class AlertList(BaseModel):
    items: list[AlertView]


class ProfileList(BaseModel):
    items: list[SegmentProfile]


class ReplyBody(Strict):
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    limit: int = Field(default=10, ge=1, le=100)


class ReplyOut(BaseModel):
    review_id: int
    draft_id: int | None
    text: str
    language: str
    replaced: bool = Field(description="the model's wording failed its checks; the fixed reply is used")
    flags: list[str]


class ReplyList(BaseModel):
    items: list[ReplyOut]


class TaxonomyBody(Strict):
    category: str = Field(default="", max_length=500, description="'' is the store-wide default")
    aspects: dict[str, list[str]]


class TaxonomyOut(BaseModel):
    category: str
    aspects: dict[str, list[str]]


@router.post("/analyze", response_model=AnalyzeOut, summary="Analyse reviews that changed", responses=BUSY)
def post_analyze(
    body: AnalyzeBody, _principal: Principal = Depends(editor), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    method = body.method or ctx.settings.review_sentiment_method
    gate = admission_for(ctx).slot() if method == "llm" else nullcontext()
    with gate:
        report = analyze_reviews(
            ctx, product_id=body.product_id, category=body.category, method=method, force=body.force
        )
    return ModelResponse(
        AnalyzeOut(**report.__dict__, reviews_per_second=round(report.reviews_per_second, 1))
    )


@router.get("/summary", response_model=SummaryOut, summary="Counted summary of reviews", responses=BUSY)
def get_summary(
    product_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    category: str | None = Query(default=None, max_length=500),
    lang: Literal["en", "zh"] = "en",
    top: int = Query(default=5, ge=1, le=20),
    narrative: bool = False,
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    gate = admission_for(ctx).slot() if narrative else nullcontext()
    with gate:
        summary, text = review_summary(
            ctx, product_id=product_id, category=category, language=lang, top_n=top, narrative=narrative
        )
    return ModelResponse(SummaryOut(summary=summary, narrative=text))


@router.get("/trends", response_model=WeeklyTrends, summary="Weekly sentiment and aspect shares")
def get_trends(
    product_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    category: str | None = Query(default=None, max_length=500),
    weeks: int = Query(default=26, ge=1, le=520),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    return ModelResponse(review_trends(ctx, product_id=product_id, category=category, weeks=weeks))


@router.post("/alerts", response_model=AlertList, summary="Test negative aspects for a rise; raise alerts")
def post_alerts(
    principal: Principal = Depends(editor), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(AlertList(items=detect_review_alerts(ctx, actor=principal.email)))


@router.get("/profiles", response_model=ProfileList, summary="RFM segments and what each says")
def get_profiles(
    _principal: Principal = Depends(reader), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    return ModelResponse(ProfileList(items=customer_profiles(ctx)))


@router.post(
    "/replies", response_model=ReplyList, summary="Draft replies to negative reviews", responses=BUSY
)
def post_replies(
    body: ReplyBody, principal: Principal = Depends(support_agent), ctx: AppContext = Depends(get_context)
) -> ModelResponse:
    with admission_for(ctx).slot():
        reviews = load_analyzed(ctx, product_id=body.product_id)
        drafts = draft_replies(ctx, reviews, actor=principal.email, limit=body.limit)
    items = [
        ReplyOut(
            review_id=d.review_id,
            draft_id=d.draft_id,
            text=d.text,
            language=d.language,
            replaced=d.replaced,
            flags=[f.message for f in d.flags],
        )
        for d in drafts
    ]
    return ModelResponse(ReplyList(items=items))


@router.get("/taxonomy", response_model=TaxonomyOut, summary="A category's aspects and their words")
def get_taxonomy(
    category: str = Query(default="", max_length=500),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    with ctx.db.session() as session:
        taxonomy = load_taxonomy(session, category)
    return ModelResponse(TaxonomyOut(category=category, aspects=taxonomy.as_dict()))


@router.put("/taxonomy", response_model=TaxonomyOut, summary="Replace a category's aspects")
def put_taxonomy(
    body: TaxonomyBody,
    principal: Principal = Depends(settings_manager),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    taxonomy = save_taxonomy(ctx.db, body.category, body.aspects, actor=principal.email)
    return ModelResponse(TaxonomyOut(category=body.category, aspects=taxonomy.as_dict()))
