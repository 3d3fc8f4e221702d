"""The catalog's search box and a product's recommendation panels, through the page handlers: the
hybrid search with its "why" line and typo notice, the category/price/stock filters kept in the query
string (and checked against the store), filters without words, bad filter values as messages, the
recommendation fragment (similar, bought together with counts from the orders, the complaints note),
a panel failure that leaves the page working, and the Chinese labels. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from shopops.api.app import create_app
from shopops.auth.accounts import create_user
from shopops.config import Settings
from shopops.context import AppContext
from shopops.errors import BackendError
from shopops.store import models
from shopops.web import pages_search
from shopops.web.pages_search import FilterForm, is_checked

PASSWORD = "correct-horse-battery"
HIT = re.compile(r'data-testid="search-hit" data-product-id="(\d+)" data-price="([\d.]*)" data-stock="(\w+)"')
HTMX = {"HX-Request": "true"}

# handle: (title, category, variant (price, inventory) pairs, status)
PRODUCTS: dict[str, tuple[str, str, list[tuple[str, int | None]], str]] = {
    "bottle": ("Insulated Steel Water Bottle", "Sports > Drinkware", [("29", 5), ("35", 0)], "active"),
    "brush": ("Bottle Cleaning Brush", "Home > Kitchen > Cleaning", [("9", 0)], "active"),
    "mug": ("Stoneware Coffee Mug", "Home > Kitchen > Drinkware", [("12", None)], "active"),
    "lamp": ("Desk Lamp", "Home > Lighting", [("30", 4)], "active"),
    "teapot": ("宜兴紫砂茶壶", "Home > Kitchen > Tea", [("88", 3)], "active"),
    "kettle": ("Old Stovetop Kettle", "Home > Kitchen", [("40", 2)], "archived"),
}


def seed(ctx: AppContext) -> dict[str, int]:
    """The products above, and 30 orders: the bottle with the brush in 6, alone in 4; the lamp and
    the mug alone in 10 each (bottle and brush meet 3 times as often as chance)."""
    ids: dict[str, int] = {}
    with ctx.db.session() as session:
        for handle, (title, category, variants, status) in PRODUCTS.items():
            product = models.Product(handle=handle, title=title, category=category, status=status)
            product.variants = [
                models.ProductVariant(
                    variant_key=str(n), sku=f"{handle}-{n}", price=Decimal(price), inventory_quantity=stock
                )
                for n, (price, stock) in enumerate(variants)
            ]
            session.add(product)
            session.flush()
            ids[handle] = product.id
        baskets = [["bottle", "brush"]] * 6 + [["bottle"]] * 4 + [["lamp"]] * 10 + [["mug"]] * 10
        for number, basket in enumerate(baskets):
            order = models.Order(
                order_number=f"#{number}", total=Decimal(10), placed_at=dt.datetime(2024, 5, 1 + number % 28)
            )
            order.lines = [
                models.OrderLine(product_id=ids[h], sku=f"{h}-0", quantity=1, unit_price=Decimal(1))
                for h in basket
            ]
            session.add(order)
    return ids


@pytest.fixture
def web(settings: Settings) -> Iterator[tuple[TestClient, AppContext, dict[str, int]]]:
    app = create_app(settings.model_copy(update={"login_rate_limit": 0, "api_rate_limit": 0}))
    with TestClient(app) as client:
        ctx = app.state.ctx
        ids = seed(ctx)
        create_user(ctx.db, "ana@web.example", PASSWORD, role="analyst")
        client.post("/login", data={"email": "ana@web.example", "password": PASSWORD})
        yield client, ctx, ids


def min_prices(ctx: AppContext) -> dict[int, Decimal]:
    with ctx.db.session() as session:
        return {
            product.id: min(variant.price for variant in product.variants)
            for product in session.query(models.Product)
        }


def test_search_runs_the_hybrid_search_and_says_why(
    web: tuple[TestClient, AppContext, dict[str, int]],
) -> None:
    client, _ctx, ids = web
    page = client.get("/catalog", params={"q": "insulatd bottle"}).text
    hits = HIT.findall(page)
    assert hits[0] == (str(ids["bottle"]), "29.00", "in")
    assert str(ids["kettle"]) not in {hit[0] for hit in hits}  # archived products are not searched
    notice = re.search(r'data-testid="search-corrections">([\s\S]*?)</p>', page)
    assert (
        notice
        and 'data-typed="insulatd"' in notice.group(1)
        and "<strong>insulated</strong>" in notice.group(1)
    )
    start = page.index('data-testid="search-hit"')
    first = page[start : page.index("</li>", start)]
    assert "typo: insulatd → insulated" in first  # the why line names the correction
    assert re.findall(r'data-testid="matched-term" data-term="\w+">(\w+)<', first) == ["insulated", "bottle"]
    assert "from 29.00" in first and 'data-testid="meaning-match"' in first
    took = re.search(r'data-testid="search-took" data-ms="([\d.]+)" data-hits="(\d+)"', page)
    assert took and int(took.group(2)) == len(hits) and "out of 5 products" in page
    assert 'value="insulatd bottle"' in page  # the box keeps the words

    chinese = HIT.findall(client.get("/catalog", params={"q": "紫砂茶壶"}).text)
    assert chinese[0][0] == str(ids["teapot"])


def test_filters_are_applied_kept_and_checked_against_the_store(
    web: tuple[TestClient, AppContext, dict[str, int]],
) -> None:
    client, ctx, ids = web
    prices = min_prices(ctx)
    page = client.get("/catalog", params={"q": "bottle mug lamp brush", "max_price": "25"}).text
    hits = HIT.findall(page)
    assert {int(pid) for pid, _, _ in hits} == {ids["brush"], ids["mug"]}
    for pid, shown, _stock in hits:
        assert Decimal(shown) == prices[int(pid)] <= 25
    assert 'name="max_price" inputmode="decimal" maxlength="20" value="25"' in page

    in_stock = HIT.findall(client.get("/catalog", params={"q": "bottle brush mug", "in_stock": "on"}).text)
    assert {stock for _, _, stock in in_stock} <= {"in", "untracked"}
    assert str(ids["brush"]) not in {pid for pid, _, _ in in_stock}  # its one variant has none left

    kitchen = client.get("/catalog", params={"q": "bottle brush mug", "category": "home > kitchen"}).text
    in_kitchen = {int(pid) for pid, _, _ in HIT.findall(kitchen)}
    assert {ids["brush"], ids["mug"]} <= in_kitchen <= {ids["brush"], ids["mug"], ids["teapot"]}
    assert '<option value="Home &gt; Kitchen" selected>' in kitchen  # the choice's own spelling
    assert '<option value="Sports &gt; Drinkware">' in kitchen

    browsed = client.get("/catalog", params={"min_price": "20", "max_price": "40"}).text  # no words
    assert 'data-testid="browse-count" data-total="2"' in browsed
    assert {int(pid) for pid, _, _ in HIT.findall(browsed)} == {ids["bottle"], ids["lamp"]}
    assert len(re.findall(r'data-testid="product-row"', client.get("/catalog").text)) == 6  # plain list


def test_bad_filters_are_messages_not_errors(web: tuple[TestClient, AppContext, dict[str, int]]) -> None:
    client, _ctx, _ids = web
    swapped = client.get("/catalog", params={"q": "bottle", "min_price": "50", "max_price": "10"})
    assert swapped.status_code == 422
    assert re.search(
        r'data-testid="catalog-error">\s*<p>Min price 50.00 is above max price 10.00', swapped.text
    )
    assert 'data-testid="search-hit"' not in swapped.text and 'value="bottle"' in swapped.text
    junk = client.get("/catalog", params={"min_price": "-3", "max_price": "cheap"})
    assert junk.status_code == 422
    assert "Min price must be a number of 0 or more (got “-3”)" in junk.text
    assert "Max price must be a number of 0 or more (got “cheap”)" in junk.text


def test_filter_form_parsing() -> None:
    filters, problems = FilterForm(category=" Home ", min_price="1,200.5", in_stock=True).parse()
    assert problems == [] and filters.category == "Home" and filters.min_price == 1200.5
    assert filters.max_price is None and filters.in_stock is True
    assert FilterForm().parse()[0].is_empty() and not FilterForm().given
    assert FilterForm(max_price="nan").parse()[1] == [("catalog.error.max_price", {"value": "nan"})]
    assert is_checked("on") and is_checked("1") and not is_checked("") and not is_checked("off")


def test_product_page_loads_the_recommendation_panels(
    web: tuple[TestClient, AppContext, dict[str, int]],
) -> None:
    client, _ctx, ids = web
    product = client.get(f"/catalog/{ids['bottle']}").text
    assert f'hx-get="/catalog/{ids["bottle"]}/recommendations"' in product
    assert 'data-testid="recs-loading"' in product  # the page itself does not wait for the index

    panels = client.get(f"/catalog/{ids['bottle']}/recommendations", headers=HTMX).text
    assert "<html" not in panels and 'data-loaded="true"' in panels
    similar = re.findall(r'data-kind="similar" data-product-id="(\d+)"', panels)
    assert similar and str(ids["bottle"]) not in similar and str(ids["kettle"]) not in similar
    assert panels.count('data-testid="rec-reason"') >= len(similar) + 1
    together = re.findall(
        r'data-kind="complementary" data-product-id="(\d+)"\s+data-together="(\d+)" data-orders-with="(\d+)"',
        panels,
    )
    assert together == [(str(ids["brush"]), "6", "10")]
    assert "Bought together in 6 orders" in panels
    assert re.search(r'data-testid="rec-note">[^<]*has no analysed reviews', panels)

    alone = client.get(f"/catalog/{ids['mug']}/recommendations", headers=HTMX).text
    assert "Not bought together with anything yet." in alone
    archived = client.get(f"/catalog/{ids['kettle']}/recommendations").text  # not in the index
    assert "<html" in archived and "No similar items in the search index yet." in archived
    assert client.get("/catalog/999999/recommendations").status_code == 404


def test_a_failing_index_leaves_the_product_page_working(
    web: tuple[TestClient, AppContext, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ctx, ids = web

    def broken(*_args: object, **_kwargs: object) -> None:
        raise BackendError("the embedding server did not answer")

    monkeypatch.setattr(pages_search, "recommend_for", broken)
    panels = client.get(f"/catalog/{ids['bottle']}/recommendations", headers=HTMX)
    assert panels.status_code == 200  # htmx swaps it in: the panel says what went wrong
    assert re.search(r'data-testid="recs-error">[^<]*the embedding server did not answer', panels.text)
    assert client.get(f"/catalog/{ids['bottle']}").status_code == 200


def test_labels_in_chinese(web: tuple[TestClient, AppContext, dict[str, int]]) -> None:
    client, _ctx, ids = web
    page = client.get("/catalog", params={"q": "insulatd", "lang": "zh"}).text
    assert "仅看有货" in page and "已纠正拼写" in page and "匹配原因" in page
    panels = client.get(f"/catalog/{ids['mug']}/recommendations", headers=HTMX).text
    assert "相似商品" in panels and "还没有和其他商品一起被购买过。" in panels
