"""Product search over the store: the index follows the catalog (only changed products are
embedded), filters, typo corrections and Chinese words work end to end, and a query rewrite can
narrow a search only as far as the query itself supports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopops.context import AppContext
from shopops.search.rewrite import RewriteOutput, check_rewrite, merge_filters
from shopops.search.service import product_index, search_products
from shopops.search.store import sync_search_index
from shopops.search.types import SearchFilters
from shopops.store import models

CATALOG = [
    # handle, title, category, description, price, stock (None: not tracked)
    ("steel-bottle", "Insulated Steel Water Bottle 750 ml", "Kitchen > Drinkware", "Keeps it cold.", 24, 10),
    ("glass-bottle", "Glass Water Bottle with Bamboo Lid", "Kitchen > Drinkware", "Plastic free.", 18, 0),
    ("speaker", "Bluetooth Speaker, Waterproof", "Electronics > Audio", "Loud portable speaker.", 59, None),
    ("power-bank", "移动电源 20000mAh 快充充电宝", "Electronics > Power", "手机没电时随时充电。", 35, 5),
    ("yoga-mat", "Non-slip Yoga Mat", "Sports > Fitness", "Thick mat for the gym.", 30, 7),
]


Row = tuple[str, str, str, str, int, int | None]


def add_catalog(ctx: AppContext, rows: list[Row] = CATALOG) -> dict[str, int]:
    ids = {}
    with ctx.db.session() as session:
        for handle, title, category, description, price, stock in rows:
            product = models.Product(handle=handle, title=title, category=category, description=description)
            product.variants.append(
                models.ProductVariant(
                    variant_key="default", sku=handle.upper(), price=Decimal(price), inventory_quantity=stock
                )
            )
            session.add(product)
            session.flush()
            ids[handle] = product.id
    return ids


def handles(result_hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.handle for hit in result_hits]


def test_the_index_embeds_only_what_changed(ctx: AppContext) -> None:
    ids = add_catalog(ctx)
    first = sync_search_index(ctx.db, ctx.embedder)
    assert (first.products, first.indexed, first.unchanged, first.removed) == (5, 5, 0, 0)
    again = sync_search_index(ctx.db, ctx.embedder)
    assert (again.indexed, again.unchanged) == (0, 5)
    with ctx.db.session() as session:
        session.get(models.Product, ids["yoga-mat"]).title = "Non-slip Yoga Mat, 8 mm"
        session.get(models.Product, ids["glass-bottle"]).status = "archived"
    edited = sync_search_index(ctx.db, ctx.embedder)
    assert (edited.products, edited.indexed, edited.unchanged, edited.removed) == (4, 1, 3, 1)


def test_search_follows_the_catalog_without_an_explicit_sync(ctx: AppContext) -> None:
    add_catalog(ctx)
    assert len(product_index(ctx)) == 5
    assert "yoga-mat" in handles(search_products(ctx, "yoga mat", mode="bm25").hits)
    add_catalog(ctx, [("camp-stove", "Camping Stove", "Outdoor > Cooking", "Folding gas stove.", 45, 3)])
    result = search_products(ctx, "camping stove", mode="bm25")
    assert result.products == 6
    assert handles(result.hits)[0] == "camp-stove"


def test_a_server_looks_at_the_catalog_again_after_the_interval(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_catalog(ctx)
    monkeypatch.setattr("shopops.search.service.STAMP_TTL_S", 3600.0)
    assert len(product_index(ctx)) == 5
    add_catalog(ctx, [("camp-stove", "Camping Stove", "Outdoor > Cooking", "Folding gas stove.", 45, 3)])
    assert len(product_index(ctx)) == 5  # within the interval: the cached index, no catalog scan
    assert len(product_index(ctx, max_age=0)) == 6


def test_filters_typos_and_chinese_words(ctx: AppContext) -> None:
    add_catalog(ctx)
    bottles = search_products(ctx, "water bottle", mode="bm25")
    assert set(handles(bottles.hits)[:2]) == {"steel-bottle", "glass-bottle"}
    in_stock = search_products(ctx, "water bottle", mode="bm25", filters=SearchFilters(in_stock=True))
    assert "glass-bottle" not in handles(in_stock.hits) and "steel-bottle" in handles(in_stock.hits)
    cheap = search_products(ctx, "bottle", filters=SearchFilters(max_price=20))
    assert handles(cheap.hits) == ["glass-bottle"]
    audio = search_products(ctx, "waterproof", filters=SearchFilters(category="audio"))
    assert handles(audio.hits) == ["speaker"]
    untracked = search_products(ctx, "speaker", mode="bm25", filters=SearchFilters(in_stock=True))
    assert handles(untracked.hits) == ["speaker"]  # it does not track stock: it can always be sold
    typo = search_products(ctx, "bluetoth speker", mode="bm25")
    assert handles(typo.hits)[0] == "speaker"
    assert typo.corrections == {"bluetoth": "bluetooth", "speker": "speaker"}
    assert set(typo.hits[0].matched_terms) == {"bluetooth", "speaker"}
    chinese = search_products(ctx, "充电宝", mode="bm25")
    assert handles(chinese.hits) == ["power-bank"]
    nothing = search_products(ctx, "bottle", filters=SearchFilters(category="Garden"))
    assert nothing.hits == []


def test_hits_carry_their_evidence(ctx: AppContext) -> None:
    add_catalog(ctx)
    result = search_products(ctx, "insulated bottle", k=3)
    top = result.hits[0]
    assert top.handle == "steel-bottle" and top.bm25_rank == 1 and top.vector_rank is not None
    assert top.min_price == 24.0 and top.in_stock is True
    data = result.as_dict()
    assert data["hits"][0]["matched_terms"] == list(top.matched_terms) and len(top.matched_terms) == 2
    assert data["products"] == 5 and len(data["hits"]) == 3


def test_a_rewrite_keeps_only_what_the_query_supports() -> None:
    categories = ["Kitchen > Drinkware", "Electronics > Audio"]
    query = "something to keep my drinks cold at the gym under 25"
    output = RewriteOutput(
        keywords=["insulated bottle", " ", "flask"], max_price=25, min_price=10, category="drinkware"
    )
    checked = check_rewrite(query, output, categories)
    assert checked.keywords == ("insulated bottle", "flask")
    assert checked.filters.max_price == 25 and checked.filters.min_price is None
    assert checked.filters.category == "Drinkware"
    assert any("min_price 10" in note for note in checked.dropped)
    invented = check_rewrite(query, RewriteOutput(keywords=["bottle"], category="Sports Gear"), categories)
    assert invented.filters.category is None and "not a catalog category" in invented.dropped[0]
    merged = merge_filters(SearchFilters(max_price=15, in_stock=True), checked)
    assert (merged.max_price, merged.category, merged.in_stock) == (15, "Drinkware", True)
