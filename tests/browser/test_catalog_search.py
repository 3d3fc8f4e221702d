"""The catalog's search box and a product's recommendation panels in headless chromium, over the demo
store: an analyst types a query with typos ("cofee driper"), sees the coffee dripper first with the
typo notice and the why line; applies a max price and every shown price is within it and is the
product's lowest variant price in the store; opens the product and reads the similar items with their
reasons, the items bought together whose counts equal a count made here from the store's order lines
with SQL, and the fewer-complaints panel (items or the note saying why there are none). The search
results and the product page are also checked at a phone's width (375 px).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from shopops.store.models import Product, ProductVariant, Review, ReviewAnalysis

if TYPE_CHECKING:  # pytest loads conftest itself; the tests get the server through the fixture
    from tests.browser.conftest import LiveServer

from test_support_inbox import sign_in

QUERY = "cofee driper"  # two typos of "Ceramic Pour-Over Coffee Dripper"
TYPOS = {"cofee", "driper"}
MAX_PRICE = Decimal(30)

# Orders that stuck, as sets of products: cancelled and refunded orders, lines without a product and
# lines returned in full say nothing about what is bought together (shopops.search.copurchase).
BASKETS = """
    SELECT DISTINCT l.order_id, l.product_id FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.product_id IS NOT NULL AND lower(o.status) <> 'cancelled'
      AND lower(o.financial_status) <> 'refunded' AND l.quantity > coalesce(l.returned_quantity, 0)
"""


def fits_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})


def product_by_handle(live: LiveServer, handle: str) -> int:
    with live.ctx.db.session() as session:
        found = session.scalar(select(Product.id).where(Product.handle == handle))
    assert found is not None
    return found


def lowest_prices(live: LiveServer) -> dict[int, Decimal]:
    with live.ctx.db.session() as session:
        rows = session.execute(
            select(ProductVariant.product_id, func.min(ProductVariant.price)).group_by(
                ProductVariant.product_id
            )
        )
        return {product_id: Decimal(price) for product_id, price in rows}


def orders_with(live: LiveServer, product_id: int, other: int | None = None) -> int:
    """Orders holding ``product_id`` (and ``other``, when given), counted in SQL from the lines."""
    with live.ctx.db.session() as session:
        if other is None:
            query = f"SELECT count(*) FROM ({BASKETS}) b WHERE b.product_id = :a"
        else:
            query = (
                f"SELECT count(*) FROM ({BASKETS}) a JOIN ({BASKETS}) b ON a.order_id = b.order_id "
                "WHERE a.product_id = :a AND b.product_id = :b"
            )
        return int(session.execute(text(query), {"a": product_id, "b": other}).scalar_one())


def analysed_reviews(live: LiveServer, product_id: int) -> int:
    with live.ctx.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Review)
                .join(ReviewAnalysis, ReviewAnalysis.review_id == Review.id)
                .where(Review.product_id == product_id)
            )
        )


def hits_of(page: Any) -> list[tuple[int, Decimal]]:
    hits = page.get_by_test_id("search-hit")
    return [
        (int(hits.nth(i).get_attribute("data-product-id")), Decimal(hits.nth(i).get_attribute("data-price")))
        for i in range(hits.count())
    ]


def test_analyst_searches_with_typos_filters_by_price_and_reads_recommendations(
    page: Any, live: LiveServer
) -> None:
    dripper = product_by_handle(live, "ceramic-pour-over-dripper")
    prices = lowest_prices(live)
    sign_in(page, live, "analyst")
    page.goto(f"{live.url}/catalog")
    page.get_by_test_id("catalog-search").fill(QUERY)
    page.get_by_test_id("catalog-search-submit").click()
    page.get_by_test_id("search-took").wait_for()

    hits = hits_of(page)
    assert hits[0][0] == dripper
    corrections = page.get_by_test_id("correction")
    assert {corrections.nth(i).get_attribute("data-typed") for i in range(corrections.count())} == TYPOS
    notice = page.get_by_test_id("search-corrections").inner_text()
    assert "coffee" in notice and "dripper" in notice
    why = page.get_by_test_id("search-hit").first.get_by_test_id("hit-why").inner_text()
    assert "typo: cofee → coffee" in why and "typo: driper → dripper" in why
    assert any(price > MAX_PRICE for _, price in hits)  # the filter below has something to remove
    fits_a_phone(page)

    page.get_by_test_id("filter-max-price").fill(str(MAX_PRICE))
    page.get_by_test_id("catalog-search-submit").click()
    page.wait_for_url("**max_price=30**")
    page.get_by_test_id("search-took").wait_for()
    assert page.get_by_test_id("filter-max-price").input_value() == "30"  # kept in the query string
    filtered = hits_of(page)
    assert filtered and filtered[0][0] == dripper
    for product_id, shown in filtered:
        assert shown == prices[product_id] <= MAX_PRICE
    cheap_hits = {product_id for product_id, price in hits if price <= MAX_PRICE}
    assert cheap_hits <= {product_id for product_id, _ in filtered}  # nothing cheap was lost

    page.get_by_test_id("search-hit").first.get_by_test_id("hit-link").click()
    page.wait_for_url(f"**/catalog/{dripper}")
    panels = page.locator('[data-testid="recommendations"][data-loaded="true"]')
    panels.wait_for()

    similar = panels.get_by_test_id("rec-similar").get_by_test_id("rec-item")
    assert similar.count() >= 1
    for i in range(similar.count()):
        item = similar.nth(i)
        assert int(item.get_attribute("data-product-id")) != dripper
        assert item.get_by_test_id("rec-reason").inner_text().startswith("Similar")
        assert item.locator("a").get_attribute("href") == f"/catalog/{item.get_attribute('data-product-id')}"

    together = panels.get_by_test_id("rec-together").get_by_test_id("rec-item")
    assert together.count() >= 1  # the demo's dripper is bought with the skillet and the hammock
    own_orders = orders_with(live, dripper)
    for i in range(together.count()):
        item = together.nth(i)
        other = int(item.get_attribute("data-product-id"))
        both = orders_with(live, dripper, other)
        assert int(item.get_attribute("data-together")) == both
        assert int(item.get_attribute("data-orders-with")) == own_orders
        assert f"Bought together in {both} orders" in item.get_by_test_id("rec-reason").inner_text()

    alternatives = panels.get_by_test_id("rec-alternatives")
    items = alternatives.get_by_test_id("rec-item")
    if items.count():
        assert all(items.nth(i).get_by_test_id("rec-reason").inner_text() for i in range(items.count()))
    else:
        assert alternatives.get_by_test_id("rec-note").inner_text().strip()
    own = alternatives.get_by_test_id("rec-own-complaints")
    if own.count():  # reviews analysed (another test may have run the analysis): "N of M reviews"
        assert int(own.get_attribute("data-reviews")) == analysed_reviews(live, dripper)
        assert f"of {own.get_attribute('data-reviews')} analysed reviews" in own.inner_text()
    fits_a_phone(page)


def test_bad_price_range_is_a_message(page: Any, live: LiveServer) -> None:
    sign_in(page, live, "manager")
    response = page.goto(f"{live.url}/catalog?q=candle&min_price=50&max_price=10")
    assert response is not None and response.status == 422
    assert "above max price" in page.get_by_test_id("catalog-error").inner_text()
    assert page.get_by_test_id("catalog-search").input_value() == "candle"
    fits_a_phone(page)
