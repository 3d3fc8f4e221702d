"""The demo's search step: index the demo catalog, search it three ways, recommend for one product.

Runs on every ``make demo``: the index follows the catalog (the first run embeds the demo products,
a second run embeds none); a shopper's own words, a query with a typo and a Chinese query are
searched over the mixed English/Chinese catalog; the most-ordered demo product gets its similar,
bought-together and fewer-complaint panels, each item with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from shopops.context import AppContext
from shopops.search.recommendations import ProductRecommendations, recommend_for
from shopops.search.service import SearchResult, search_products
from shopops.search.store import IndexSyncReport, sync_search_index
from shopops.store.models import OrderLine

DEMO_QUERIES = (
    "something to keep my drinks cold on a hike",
    "cast iorn skilet",  # typos on purpose: read as "cast iron skillet"
    "泡茶用的茶具",  # "tea things for brewing tea", across languages
)


@dataclass(frozen=True)
class SearchDemo:
    index: IndexSyncReport
    searches: list[SearchResult] = field(default_factory=list)
    recommendations: ProductRecommendations | None = None


def most_ordered_product(ctx: AppContext) -> int | None:
    with ctx.db.session() as session:
        row = session.execute(
            select(OrderLine.product_id, func.count(OrderLine.id).label("n"))
            .where(OrderLine.product_id.is_not(None))
            .group_by(OrderLine.product_id)
            .order_by(func.count(OrderLine.id).desc(), OrderLine.product_id)
            .limit(1)
        ).first()
    return None if row is None else int(row[0])


def run_search_demo(ctx: AppContext, *, k: int = 3) -> SearchDemo:
    """Sync the index, run the demo queries, recommend for the most-ordered product."""
    index = sync_search_index(ctx.db, ctx.embedder)
    searches = [search_products(ctx, query, k=k) for query in DEMO_QUERIES]
    product_id = most_ordered_product(ctx)
    recommendations = None if product_id is None else recommend_for(ctx, product_id, k=k)
    return SearchDemo(index=index, searches=searches, recommendations=recommendations)
