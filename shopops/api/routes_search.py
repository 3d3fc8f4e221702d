"""Product search and recommendations over HTTP (``read`` permission).

``GET /api/search`` keeps the index in step with the catalog before searching, so the first search
after an import may embed the new products. A search that asks for the LLM rewrite is
admission-controlled (503 with ``Retry-After`` when the model is busy); a plain search is not: it
embeds one query and never calls the LLM.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from shopops.api.admission import admission_for
from shopops.api.app import ModelResponse, RowId, get_context
from shopops.api.security import reader
from shopops.auth.accounts import Principal
from shopops.context import AppContext
from shopops.errors import InputError
from shopops.search.recommendations import recommend_for
from shopops.search.service import search_products, wants_rewrite
from shopops.search.types import SearchFilters

router = APIRouter(tags=["search"])
BUSY = {503: {"description": "busy: retry after the Retry-After header's seconds"}}


class HitOut(BaseModel):
    product_id: int
    handle: str
    title: str
    score: float
    bm25_rank: int | None = Field(description="rank in the keyword list (1 = best), null if absent")
    vector_rank: int | None = Field(description="rank in the meaning (embedding) list, null if absent")
    cosine: float | None
    matched_terms: list[str] = Field(description="query words the product contains (after typo fixes)")
    category: str
    min_price: float | None
    in_stock: bool | None = Field(description="null: the product does not track inventory")


class FiltersOut(BaseModel):
    category: str | None
    min_price: float | None
    max_price: float | None
    in_stock: bool | None


class RewriteOut(BaseModel):
    keywords: list[str]
    dropped: list[str] = Field(description="what the model proposed that the query did not support")


class SearchOut(BaseModel):
    query: str
    mode: Literal["hybrid", "bm25", "vector"]
    filters: FiltersOut
    corrections: dict[str, str] = Field(description="typed word -> catalog word it was read as")
    rewrite: RewriteOut | None
    products: int = Field(description="products in the index")
    took_ms: float
    hits: list[HitOut]


@router.get("/api/search", response_model=SearchOut, summary="Search the catalog", responses=BUSY)
def get_search(
    q: str = Query(min_length=1, max_length=500, description="the query, any language"),
    k: int = Query(default=10, ge=1, le=100),
    category: str | None = Query(default=None, max_length=500),
    min_price: float | None = Query(default=None, ge=0, le=1e9),
    max_price: float | None = Query(default=None, ge=0, le=1e9),
    in_stock: bool | None = None,
    mode: Literal["hybrid", "bm25", "vector"] = "hybrid",
    rewrite: bool | None = Query(default=None, description="LLM rewrite on/off (default: the setting)"),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    if not q.strip():
        raise InputError("q: the query is empty")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise InputError(f"min_price {min_price:g} is above max_price {max_price:g}")
    filters = SearchFilters(category=category, min_price=min_price, max_price=max_price, in_stock=in_stock)
    gate = admission_for(ctx).slot() if wants_rewrite(ctx, q, rewrite) else nullcontext()
    with gate:
        result = search_products(ctx, q, k=k, filters=filters, mode=mode, rewrite=rewrite)
    return ModelResponse(SearchOut.model_validate(result.as_dict()))


class RecommendationOut(BaseModel):
    product_id: int
    title: str
    kind: Literal["similar", "complementary", "alternative"]
    score: float
    reason: str = Field(description="why, in words; the numbers are in evidence")
    evidence: dict[str, Any]


class AlternativesOut(BaseModel):
    product_id: int
    aspect: str | None = Field(description="the complaint the alternatives draw fewer of")
    product_complaints: int
    product_reviews: int
    product_share: float
    items: list[RecommendationOut]
    note: str = Field(description="why items is empty, when it is")


class RecommendationsOut(BaseModel):
    product_id: int
    title: str
    similar: list[RecommendationOut]
    complementary: list[RecommendationOut]
    alternatives: AlternativesOut | None


@router.get(
    "/api/products/{product_id}/recommendations",
    response_model=RecommendationsOut,
    summary="Similar, bought-together and fewer-complaint alternatives, each with its reason",
)
def get_recommendations(
    product_id: RowId,
    k: int = Query(default=5, ge=1, le=50),
    aspect: str | None = Query(default=None, max_length=100),
    _principal: Principal = Depends(reader),
    ctx: AppContext = Depends(get_context),
) -> ModelResponse:
    result = recommend_for(ctx, product_id, k=k, aspect=aspect)
    return ModelResponse(RecommendationsOut.model_validate(result.as_dict()))
